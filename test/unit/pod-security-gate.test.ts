import { describe, expect, it } from 'vitest';
import { decide, type NamespaceLabels } from '../../src/core/decide.js';
import { enforcedLevel } from '../../src/core/pod-security-gate.js';
import { statusCode } from '../../src/core/outcome.js';
import { SETTINGS, loadTemplateSet, makePod } from '../helpers/pods.js';

const templates = loadTemplateSet();
const ENFORCE = 'pod-security.kubernetes.io/enforce';

function decideIn(labels: NamespaceLabels, annotations: Record<string, string> = {}) {
  return decide({
    object: makePod({ annotations }),
    namespace: 'shop',
    namespaceLabels: labels,
    templates,
    settings: SETTINGS,
  });
}
const enabled = (level?: string): NamespaceLabels => ({
  known: true,
  labels: { 'istio-injection': 'enabled', ...(level === undefined ? {} : { [ENFORCE]: level }) },
});

describe("the namespace's Pod Security enforce level", () => {
  it('is privileged without the label, the label when valid, and restricted when PodSecurity cannot parse it', () => {
    expect(enforcedLevel({})).toBe('privileged');
    expect(enforcedLevel({ [ENFORCE]: 'baseline' })).toBe('baseline');
    expect(enforcedLevel({ [ENFORCE]: 'Baseline' })).toBe('restricted');
    expect(enforcedLevel({ [ENFORCE]: '' })).toBe('restricted');
  });
});

describe('templates the namespace does not allow', () => {
  it('skips a pod whose default proxy needs privileged in a baseline namespace, warning with the template and why', () => {
    const outcome = decideIn(enabled('baseline'));
    expect(outcome).toMatchObject({ kind: 'skip', reason: 'pod_security' });
    expect(outcome.warnings.join('\n')).toMatch(
      /template proxy needs privileged \(container sidecar-init: adds capabilities NET_ADMIN, NET_RAW\).*namespace shop enforces Pod Security baseline/,
    );
  });

  it('denies with 403 a pod that names the proxy itself in a restricted namespace, saying what to change', () => {
    const outcome = decideIn(enabled('restricted'), { 'sidecar.inject/templates': 'proxy,logging' });
    expect(outcome).toMatchObject({ kind: 'deny', reason: 'pod_security' });
    expect(statusCode(outcome)).toBe(403);
    if (outcome.kind !== 'deny') return;
    expect(outcome.message).toMatch(/^template proxy needs privileged \(container sidecar-init: adds capabilities/);
    expect(outcome.message).toContain('remove proxy from sidecar.inject/templates');
    expect(outcome.message).not.toContain('logging');
  });

  it('injects templates that fit restricted into a restricted namespace', () => {
    const outcome = decideIn(enabled('restricted'), { 'sidecar.inject/templates': 'logging,config,metrics' });
    expect(outcome).toMatchObject({ kind: 'inject', templates: ['config', 'logging', 'metrics'] });
  });

  it('injects the proxy where the namespace enforces privileged or nothing', () => {
    expect(decideIn(enabled('privileged')).kind).toBe('inject');
    expect(decideIn(enabled()).kind).toBe('inject');
  });

  it('treats an unparsable level as restricted, as PodSecurity does', () => {
    expect(decideIn(enabled('Baseline'))).toMatchObject({ kind: 'skip', reason: 'pod_security' });
  });

  it('decides nothing when the namespace labels are unknown (the webhook selector matched)', () => {
    const outcome = decideIn({ known: false, why: 'timeout' }, { 'sidecar.inject': 'true' });
    expect(outcome.kind).toBe('inject');
  });

  it('comes before override checks: a skipped pod is not denied for an override of a template it does not get', () => {
    const outcome = decideIn(enabled('baseline'), { 'sidecar.inject/proxy-cpu': 'lots' });
    expect(outcome).toMatchObject({ kind: 'skip', reason: 'pod_security' });
  });
});
