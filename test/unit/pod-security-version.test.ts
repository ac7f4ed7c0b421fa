import { describe, expect, it } from 'vitest';
import { decide } from '../../src/core/decide.js';
import { POD_SECURITY_VERSION_LABEL, enforcedVersion } from '../../src/core/pod-security-gate.js';
import { LATEST_POLICY_MINOR, levelAt, podSecurityViolations } from '../../src/core/pod-security.js';
import { compileTemplates, type TemplateSet } from '../../src/core/templates.js';
import { SETTINGS, makePod } from '../helpers/pods.js';

/**
 * pod-security.kubernetes.io/enforce-version pins PodSecurity to the checks of one policy
 * version (k8s.io/pod-security-admission/policy, each check's MinimumVersion). A template is
 * judged by the same checks, so a pinned namespace neither gets a 403 from PodSecurity nor loses
 * a sidecar PodSecurity would have admitted.
 */
const ENFORCE = 'pod-security.kubernetes.io/enforce';
const RESTRICTED = {
  allowPrivilegeEscalation: false,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};
const levelsOf = (container: object, minors: number[]): string[] => {
  const violations = podSecurityViolations([{ name: 'c', image: 'x', ...container }], []);
  return minors.map((minor) => levelAt(violations, minor).level);
};

describe('the enforce-version label, read as PodSecurity reads it', () => {
  it.each([
    [undefined, LATEST_POLICY_MINOR],
    ['latest', LATEST_POLICY_MINOR],
    ['v1.23', 23],
    ['v1.0', 0],
    ['v1.99', LATEST_POLICY_MINOR],
    ['v1.023', LATEST_POLICY_MINOR],
    ['1.23', LATEST_POLICY_MINOR],
    ['v2.0', LATEST_POLICY_MINOR],
    ['V1.23', LATEST_POLICY_MINOR],
  ])('%j is policy v1.%i', (value, minor) => {
    expect(enforcedVersion(value === undefined ? {} : { [POD_SECURITY_VERSION_LABEL]: value })).toBe(minor);
  });
});

describe('levelAt: the level a container fits under each policy version', () => {
  it('capabilities not dropping ALL are restricted until v1.21, baseline from v1.22', () => {
    expect(levelsOf({ securityContext: { ...RESTRICTED, capabilities: {} } }, [21, 22])).toEqual([
      'restricted',
      'baseline',
    ]);
  });
  it('runAsUser 0 is checked from v1.23, allowPrivilegeEscalation from v1.8, seccomp from v1.19', () => {
    expect(levelsOf({ securityContext: { ...RESTRICTED, runAsUser: 0 } }, [22, 23])).toEqual([
      'restricted',
      'baseline',
    ]);
    const escalating = { securityContext: { ...RESTRICTED, allowPrivilegeEscalation: true } };
    expect(levelsOf(escalating, [7, 8])).toEqual(['restricted', 'baseline']);
    expect(levelsOf({ securityContext: { ...RESTRICTED, seccompProfile: undefined } }, [18, 19])).toEqual([
      'restricted',
      'baseline',
    ]);
  });
  it('a probe naming a host is baseline until v1.33, privileged from v1.34', () => {
    const probe = { readinessProbe: { httpGet: { host: '10.0.0.1', port: 80 } }, securityContext: RESTRICTED };
    expect(levelsOf(probe, [33, 34])).toEqual(['restricted', 'privileged']);
  });
  it('SELinux type container_engine_t is privileged until v1.30 and allowed from v1.31', () => {
    const engine = { securityContext: { ...RESTRICTED, seLinuxOptions: { type: 'container_engine_t' } } };
    expect(levelsOf(engine, [30, 31])).toEqual(['privileged', 'restricted']);
  });
  it('NET_ADMIN is privileged at every version (the proxy is never allowed by baseline)', () => {
    expect(levelsOf({ securityContext: { capabilities: { add: ['NET_ADMIN'] } } }, [0, 22, 34])).toEqual([
      'privileged',
      'privileged',
      'privileged',
    ]);
  });
});

/** A sidecar that fits restricted except that it keeps its capabilities (checked from v1.22). */
const KEEPS_CAPABILITIES = `name: keeps
podSecurity: baseline
sidecars:
  - name: sidecar-keeps
    image: x
    securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true, seccompProfile: { type: RuntimeDefault } }
`;

function decideWith(labels: Record<string, string>): ReturnType<typeof decide> {
  const compiled = compileTemplates([{ file: 'keeps.yaml', text: KEEPS_CAPABILITIES }]);
  if (!compiled.ok) throw new Error(compiled.errors.join('\n'));
  return decide({
    object: makePod(),
    namespace: 'shop',
    namespaceLabels: { known: true, labels: { 'istio-injection': 'enabled', ...labels } },
    templates: compiled.templates as TemplateSet,
    settings: { ...SETTINGS, defaultTemplates: ['keeps'] },
  });
}

describe('the gate under a pinned version', () => {
  it('injects into restricted at v1.21 a template that fails only a check from v1.22', () => {
    expect(decideWith({ [ENFORCE]: 'restricted', [POD_SECURITY_VERSION_LABEL]: 'v1.21' }).kind).toBe('inject');
  });
  it('skips the same template at v1.22 and at latest, naming the version label in the warning', () => {
    const pinned = decideWith({ [ENFORCE]: 'restricted', [POD_SECURITY_VERSION_LABEL]: 'v1.22' });
    expect(pinned).toMatchObject({ kind: 'skip', reason: 'pod_security' });
    expect(pinned.warnings.join()).toContain(
      `namespace shop enforces Pod Security restricted (label ${ENFORCE}) at v1.22 (label ${POD_SECURITY_VERSION_LABEL})`,
    );
    expect(decideWith({ [ENFORCE]: 'restricted' })).toMatchObject({ kind: 'skip', reason: 'pod_security' });
  });
});
