import { describe, expect, it } from 'vitest';
import { decide, type NamespaceLabels } from '../../src/core/decide.js';
import { FOREIGN_SIDECARS } from '../../src/core/foreign.js';
import type { InjectionSettings } from '../../src/core/inject.js';
import { supportsNativeSidecars } from '../../src/kube/cluster-facts.js';
import { SETTINGS, loadTemplateSet, makePod, type Json } from '../helpers/pods.js';

/** Living beside other injectors (issue 14 items 1 and 8): what the core decides. */
const templates = loadTemplateSet();
const enabled: NamespaceLabels = { known: true, labels: { 'istio-injection': 'enabled' } };
const unlabelled: NamespaceLabels = { known: true, labels: {} };

function decision(pod: Json, namespaceLabels: NamespaceLabels = enabled, settings: InjectionSettings = SETTINGS) {
  return decide({ object: pod, namespace: 'demo', namespaceLabels, templates, settings });
}

function withContainer(container: Json, list: 'containers' | 'initContainers' = 'containers'): Json {
  const pod = makePod();
  const spec = pod['spec'] as Record<string, Json[] | undefined>;
  spec[list] = [...(spec[list] ?? []), container];
  return pod;
}

describe('foreign sidecars are skipped with foreign_sidecar and a warning naming them', () => {
  for (const [key, mark] of Object.entries(FOREIGN_SIDECARS.annotations)) {
    it(`skips a pod annotated ${key} and names ${mark.owner}`, () => {
      const result = decision(makePod({ annotations: { [key]: mark.value ?? '{"containers":["x"]}' } }));
      expect(result).toMatchObject({ kind: 'skip', reason: 'foreign_sidecar' });
      expect(result.warnings).toEqual([`foreign sidecar: already injected by ${mark.owner} (annotation ${key})`]);
    });
  }

  for (const [name, mark] of Object.entries(FOREIGN_SIDECARS.containers)) {
    for (const list of ['containers', 'initContainers'] as const) {
      it(`skips a pod with ${name} in its ${list} and names ${mark.owner}`, () => {
        const result = decision(withContainer({ name, image: 'x' }, list));
        expect(result).toMatchObject({ kind: 'skip', reason: 'foreign_sidecar' });
        expect(result.warnings.join()).toContain(`${mark.owner}'s container ${name}`);
      });
    }
  }

  it('injects a pod whose Vault annotation asks for an update rather than saying injected', () => {
    const pod = makePod({ annotations: { 'vault.hashicorp.com/agent-inject-status': 'update' } });
    expect(decision(pod).kind).toBe('inject');
  });

  it('does not take a container named __proto__ for a foreign sidecar', () => {
    expect(decision(withContainer({ name: '__proto__', image: 'x' })).kind).toBe('inject');
  });

  it('skips a pod with a container that declares a port our proxy declares, naming both', () => {
    const result = decision(withContainer({ name: 'my-envoy', image: 'x', ports: [{ containerPort: 15090 }] }));
    expect(result).toMatchObject({ kind: 'skip', reason: 'foreign_sidecar' });
    expect(result.warnings).toEqual([
      'foreign sidecar: container my-envoy declares port 15090, which our sidecar-proxy uses',
    ]);
  });

  it('skips a pod that already has a container with the name of one of ours', () => {
    const result = decision(withContainer({ name: 'sidecar-init', image: 'x' }, 'initContainers'));
    expect(result).toMatchObject({ kind: 'skip', reason: 'foreign_sidecar' });
    expect(result.warnings).toEqual(['foreign sidecar: the pod already has a container named sidecar-init']);
  });

  it('compares only with the templates the pod selects: port 15090 is free when the proxy is not chosen', () => {
    const pod = withContainer({ name: 'my-envoy', image: 'x', ports: [{ containerPort: 15090 }] });
    (pod['metadata'] as Json)['annotations'] = { 'sidecar.inject/templates': 'logging' };
    expect(decision(pod).kind).toBe('inject');
  });

  it('asks the opt-out and the namespace policy first: an Istio pod elsewhere says why it is not ours', () => {
    const istio = withContainer({ name: 'istio-proxy', image: 'x' });
    expect(decision(istio, unlabelled).reason).toBe('namespace_not_enabled');
    (istio['metadata'] as Json)['annotations'] = { 'sidecar.inject': 'false' };
    expect(decision(istio).reason).toBe('pod_opted_out');
  });
});

describe('native sidecars where the cluster version is unknown (item 8)', () => {
  it('means native without a version, classic only on a cluster that says it is older than 1.29', () => {
    expect(supportsNativeSidecars(undefined)).toBe(true);
    expect(supportsNativeSidecars({ major: 1, minor: Number.NaN, gitVersion: 'v1.x' })).toBe(true);
    expect(supportsNativeSidecars({ major: 1, minor: 28, gitVersion: 'v1.28.9' })).toBe(false);
    expect(supportsNativeSidecars({ major: 1, minor: 29, gitVersion: 'v1.29.0' })).toBe(true);
    expect(supportsNativeSidecars({ major: 2, minor: 0, gitVersion: 'v2.0.0' })).toBe(true);
  });

  for (const restartPolicy of ['Never', 'OnFailure']) {
    it(`warns that classic sidecars keep a restartPolicy ${restartPolicy} pod from completing, and still injects`, () => {
      const result = decision(makePod({ spec: { restartPolicy } }));
      expect(result.kind).toBe('inject');
      expect(result.warnings).toEqual([
        `classic sidecars keep a restartPolicy ${restartPolicy} pod (a Job's) from completing; set sidecar.inject/native: "true"`,
      ]);
    });

    it(`gives no such warning in native mode (restartPolicy ${restartPolicy})`, () => {
      const native = decision(makePod({ spec: { restartPolicy } }), enabled, { ...SETTINGS, nativeSidecars: true });
      expect(native).toMatchObject({ kind: 'inject', warnings: [] });
    });
  }

  it('gives no such warning for a long-running pod in classic mode', () => {
    expect(decision(makePod({ spec: { restartPolicy: 'Always' } }))).toMatchObject({ kind: 'inject', warnings: [] });
  });
});
