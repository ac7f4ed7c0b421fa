import { describe, expect, it } from 'vitest';
import type { InjectionSettings } from '../../src/core/inject.js';
import type { Outcome } from '../../src/core/outcome.js';
import { decide, type NamespaceLabels } from '../../src/core/decide.js';
import { SETTINGS, applyStrictly, loadTemplateSet, makePod, type Json } from '../helpers/pods.js';

const templates = loadTemplateSet();
const enabled: NamespaceLabels = { known: true, labels: { 'istio-injection': 'enabled' } };

function run(object: unknown, settings: Partial<InjectionSettings> = {}): Outcome {
  return decide({
    object,
    namespace: 'demo',
    namespaceLabels: enabled,
    templates,
    settings: { ...SETTINGS, ...settings },
  });
}

function injectedPod(object: Json, settings: Partial<InjectionSettings> = {}): Json {
  const result = run(object, settings);
  if (result.kind !== 'inject') throw new Error(`expected injection, got ${JSON.stringify(result)}`);
  return applyStrictly(object, result.ops);
}

type Spec = { containers: Json[]; initContainers?: Json[]; volumes?: Json[] };
const specOf = (pod: Json): Spec => pod['spec'] as Spec;
const names = (items: Json[] | undefined): unknown[] => (items ?? []).map((c) => c['name']);

describe('inject: the default proxy template', () => {
  it('appends the proxy after the user containers and adds the init container and volume', () => {
    const pod = injectedPod(makePod());
    expect(names(specOf(pod).containers)).toEqual(['app', 'sidecar-proxy']);
    expect(names(specOf(pod).initContainers)).toEqual(['sidecar-init']);
    expect(names(specOf(pod).volumes)).toEqual(['data', 'sidecar-iptables-run']);
  });

  it('gives the init container NET_ADMIN and NET_RAW only, never privileged', () => {
    const init = specOf(injectedPod(makePod())).initContainers?.[0] as Json;
    expect(init['securityContext']).toMatchObject({
      privileged: false,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'], add: ['NET_ADMIN', 'NET_RAW'] },
    });
  });

  it('runs the proxy non-root with a read-only root filesystem and the documented resources', () => {
    const proxy = specOf(injectedPod(makePod())).containers[1] as Json;
    expect(proxy['securityContext']).toMatchObject({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
    });
    expect(proxy['resources']).toEqual({
      requests: { cpu: '100m', memory: '128Mi', 'ephemeral-storage': '16Mi' },
      limits: { cpu: '500m', memory: '256Mi', 'ephemeral-storage': '1Gi' },
    });
    expect((proxy['ports'] as Json[]).map((p) => p['containerPort'])).toEqual([15001, 15006, 15090, 15021]);
  });

  it('is idempotent: the injected pod sent back is skipped as already injected', () => {
    const once = injectedPod(makePod());
    expect(run(once)).toMatchObject({ kind: 'skip', reason: 'already_injected' });
  });

  it('appends after existing init containers in classic mode, so they keep plain networking', () => {
    const pod = injectedPod(makePod({ spec: { initContainers: [{ name: 'migrate', image: 'busybox' }] } }));
    expect(names(specOf(pod).initContainers)).toEqual(['migrate', 'sidecar-init']);
  });

  it('creates the annotations map when the pod has none, and adds to it otherwise', () => {
    const bare = injectedPod(makePod());
    expect(Object.keys((bare['metadata'] as Json)['annotations'] as Json)).toEqual(['sidecar.inject/status']);
    const annotated = injectedPod(makePod({ annotations: { 'team/owner': 'a~b/c' } }));
    expect((annotated['metadata'] as Json)['annotations']).toMatchObject({ 'team/owner': 'a~b/c' });
  });
});

describe('inject: native sidecars', () => {
  const job = makePod({ spec: { restartPolicy: 'Never', initContainers: [{ name: 'migrate', image: 'busybox' }] } });

  it('puts the proxy into initContainers with restartPolicy Always, after networking and before the user init containers', () => {
    const pod = injectedPod(job, { nativeSidecars: true });
    expect(names(specOf(pod).initContainers)).toEqual(['sidecar-init', 'sidecar-proxy', 'migrate']);
    expect(specOf(pod).initContainers?.[1]?.['restartPolicy']).toBe('Always');
    expect(names(specOf(pod).containers)).toEqual(['app']);
  });

  it('inserts with explicit indexes rather than replacing the user init containers', () => {
    const result = run(job, { nativeSidecars: true });
    if (result.kind !== 'inject') throw new Error('expected injection');
    expect(result.ops.filter((op) => op.path.startsWith('/spec/initContainers'))).toMatchObject([
      { op: 'add', path: '/spec/initContainers/0' },
      { op: 'add', path: '/spec/initContainers/1' },
    ]);
    expect(result.ops.every((op) => op.op === 'add')).toBe(true);
  });

  it('keeps the proxy probes on the native sidecar, where Kubernetes allows them', () => {
    const proxy = specOf(injectedPod(job, { nativeSidecars: true })).initContainers?.[1] as Json;
    expect(proxy['startupProbe']).toBeDefined();
  });

  it('lets the pod choose with sidecar.inject/native', () => {
    const pod = injectedPod(makePod({ annotations: { 'sidecar.inject/native': 'true' } }));
    expect(specOf(pod).initContainers?.[1]?.['restartPolicy']).toBe('Always');
    const classic = injectedPod(makePod({ annotations: { 'sidecar.inject/native': 'false' } }), {
      nativeSidecars: true,
    });
    expect(names(specOf(classic).containers)).toEqual(['app', 'sidecar-proxy']);
  });
});

describe('inject: template selection', () => {
  it('logging adds fluent-bit and mounts the shared log volume into every app container', () => {
    const twoContainers = makePod({ annotations: { 'sidecar.inject/templates': 'logging' } });
    (specOf(twoContainers).containers as Json[]).push({ name: 'worker', image: 'busybox' });
    const pod = injectedPod(twoContainers);
    expect(names(specOf(pod).containers)).toEqual(['app', 'worker', 'sidecar-log-shipper']);
    for (const container of specOf(pod).containers.slice(0, 2)) {
      expect(container['volumeMounts']).toContainEqual({ name: 'sidecar-logs', mountPath: '/var/log/app' });
    }
    expect(specOf(pod).containers[0]?.['volumeMounts']).toContainEqual({ name: 'data', mountPath: '/data' });
  });

  it('orders a combination canonically, whatever order the annotation lists', () => {
    const a = injectedPod(makePod({ annotations: { 'sidecar.inject/templates': 'proxy,config,logging' } }));
    const b = injectedPod(makePod({ annotations: { 'sidecar.inject/templates': ' logging , proxy,config' } }));
    expect(specOf(a)).toEqual(specOf(b));
    expect(names(specOf(a).initContainers)).toEqual(['sidecar-config-init', 'sidecar-init']);
  });

  it('denies an unknown template with the list of available ones', () => {
    const result = run(makePod({ annotations: { 'sidecar.inject/templates': 'proxy,vault' } }));
    expect(result).toMatchObject({ kind: 'deny', reason: 'unknown_template' });
    expect(result.kind === 'deny' && result.message).toBe(
      'sidecar.inject/templates: unknown template "vault"; available: config, logging, metrics, proxy, secrets',
    );
  });
});

describe('inject: collisions are skipped, never duplicated', () => {
  it('skips as foreign_sidecar when the pod already has a container named like a sidecar', () => {
    const pod = makePod();
    specOf(pod).containers.push({ name: 'sidecar-proxy', image: 'mine' });
    expect(run(pod)).toMatchObject({
      kind: 'skip',
      reason: 'foreign_sidecar',
      warnings: ['foreign sidecar: the pod already has a container named sidecar-proxy'],
    });
  });

  it('skips when the pod already has a volume named like one the template adds', () => {
    const pod = makePod({ spec: { volumes: [{ name: 'sidecar-iptables-run', emptyDir: {} }] } });
    expect(run(pod)).toMatchObject({ kind: 'skip', reason: 'name_conflict' });
  });

  it('skips when the log path collides with an existing mount', () => {
    const pod = makePod({ annotations: { 'sidecar.inject/templates': 'logging', 'sidecar.inject/log-path': '/data' } });
    expect(run(pod)).toMatchObject({
      kind: 'skip',
      reason: 'name_conflict',
      warnings: ['container "app" already mounts "/data"'],
    });
  });
});

describe('inject: overrides', () => {
  it('applies valid overrides at the places the template has for them', () => {
    const pod = injectedPod(
      makePod({ annotations: { 'sidecar.inject/proxy-cpu': '250m', 'sidecar.inject/proxy-memory': '200Mi' } }),
    );
    expect(specOf(pod).containers[1]?.['resources']).toMatchObject({ requests: { cpu: '250m', memory: '200Mi' } });
  });

  it('denies a request above its limit, naming both annotations', () => {
    const result = run(makePod({ annotations: { 'sidecar.inject/proxy-cpu': '1' } }));
    expect(result).toMatchObject({ kind: 'deny', reason: 'invalid_override' });
    expect(result.kind === 'deny' && result.message).toBe(
      'sidecar.inject/proxy-cpu: 1 is above sidecar.inject/proxy-cpu-limit (500m); raise the limit too',
    );
  });

  it('ignores override annotations of templates that were not selected', () => {
    expect(run(makePod({ annotations: { 'sidecar.inject/log-path': 'not a path' } }))).toMatchObject({
      kind: 'inject',
    });
  });
});

describe('inject: input that is not a Pod', () => {
  it('denies with the field that is wrong', () => {
    expect(run({ spec: { containers: 'nope' } })).toMatchObject({
      kind: 'deny',
      reason: 'invalid_pod',
      message: 'request.object is not a Pod: spec.containers: Invalid input: expected array, received string',
    });
  });
});
