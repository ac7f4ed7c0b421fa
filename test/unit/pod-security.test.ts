import { describe, expect, it } from 'vitest';
import { allows, fitLevel } from '../../src/core/pod-security.js';
import { compileTemplates } from '../../src/core/templates.js';
import { loadTemplateSet } from '../helpers/pods.js';

const RESTRICTED_CONTEXT = {
  allowPrivilegeEscalation: false,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};
const container = (securityContext: object, extra: object = {}) => ({
  name: 'c',
  image: 'x',
  securityContext,
  ...extra,
});

describe('fitLevel: the strictest Pod Security level a template fits', () => {
  it('is restricted for a non-root container that drops everything under RuntimeDefault', () => {
    expect(fitLevel([container(RESTRICTED_CONTEXT)], [{ name: 'v', emptyDir: {} }])).toEqual({
      level: 'restricted',
      violations: [],
    });
  });

  it.each([
    ['no seccomp profile', { ...RESTRICTED_CONTEXT, seccompProfile: undefined }, 'seccompProfile not RuntimeDefault'],
    ['running as root', { ...RESTRICTED_CONTEXT, runAsNonRoot: false }, 'runAsNonRoot is not true'],
    ['escalation allowed', { ...RESTRICTED_CONTEXT, allowPrivilegeEscalation: true }, 'allowPrivilegeEscalation'],
    ['no drop ALL', { ...RESTRICTED_CONTEXT, capabilities: {} }, 'capabilities do not drop ALL'],
    [
      'adding CHOWN',
      { ...RESTRICTED_CONTEXT, capabilities: { drop: ['ALL'], add: ['CHOWN'] } },
      'adds capabilities CHOWN',
    ],
  ])('is baseline with %s', (_name, context, violation) => {
    const fit = fitLevel([container(context)], []);
    expect(fit.level).toBe('baseline');
    expect(fit.violations.join()).toContain(violation);
  });

  it.each([
    ['NET_ADMIN', container({ capabilities: { add: ['NET_ADMIN'] } }), 'adds capabilities NET_ADMIN'],
    ['privileged', container({ privileged: true }), 'privileged'],
    ['a host port', container({}, { ports: [{ containerPort: 80, hostPort: 80 }] }), 'hostPort'],
    ['seccomp Unconfined', container({ seccompProfile: { type: 'Unconfined' } }), 'seccomp Unconfined'],
  ])('is privileged with %s', (_name, c, violation) => {
    const fit = fitLevel([c], []);
    expect(fit.level).toBe('privileged');
    expect(fit.violations.join()).toContain(violation);
  });

  it('is privileged with a hostPath volume and baseline with an nfs volume', () => {
    expect(fitLevel([container(RESTRICTED_CONTEXT)], [{ name: 'h', hostPath: { path: '/' } }]).level).toBe(
      'privileged',
    );
    expect(fitLevel([container(RESTRICTED_CONTEXT)], [{ name: 'n', nfs: { server: 's', path: '/' } }]).level).toBe(
      'baseline',
    );
  });
});

describe('allows: a namespace level admits templates that fit it or something stricter', () => {
  it.each([
    ['privileged', 'privileged', true],
    ['baseline', 'privileged', false],
    ['baseline', 'baseline', true],
    ['baseline', 'restricted', true],
    ['restricted', 'baseline', false],
    ['restricted', 'restricted', true],
  ] as const)('%s namespace, template fits %s: %s', (enforced, fits, expected) =>
    expect(allows(enforced, fits)).toBe(expected),
  );
});

describe('shipped templates and their declared level', () => {
  const templates = loadTemplateSet();

  it('logging, config, metrics and secrets fit restricted; the proxy needs privileged (NET_ADMIN)', () => {
    expect(Object.fromEntries([...templates.values()].map((t) => [t.name, t.podSecurity]))).toEqual({
      config: 'restricted',
      logging: 'restricted',
      metrics: 'restricted',
      proxy: 'privileged',
      secrets: 'restricted',
    });
  });

  it('a template declaring a level its containers do not fit is refused, naming why', () => {
    const text = `name: t\npodSecurity: restricted\nsidecars:\n  - name: s\n    image: x\n    securityContext: { capabilities: { add: [NET_ADMIN] } }\n`;
    const result = compileTemplates([{ file: 't.yaml', text }]);
    expect(!result.ok && result.errors[0]).toBe(
      't.yaml: podSecurity: declared restricted, but the containers fit privileged (not baseline: container s: adds capabilities NET_ADMIN)',
    );
  });

  it('a securityContext that depends on a parameter is refused', () => {
    const text = `name: t\nparameters: [{ name: u, annotation: sidecar.inject/u, type: integer, default: 1000 }]\nsidecars:\n  - name: s\n    image: x\n    securityContext: { runAsUser: '{{ params.u }}' }\n`;
    const result = compileTemplates([{ file: 't.yaml', text }]);
    expect(!result.ok && result.errors.join()).toContain('securityContext: placeholders are not allowed here');
  });
});
