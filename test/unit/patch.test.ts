import { describe, expect, it } from 'vitest';
import { buildPatch, noAdditions, type Additions } from '../../src/core/patch.js';
import { applyStrictly, makePod, type Json } from '../helpers/pods.js';

const sidecar = { name: 'side', image: 'side:1' };
const none: Additions = { ...noAdditions(), status: '{}' };

describe('buildPatch', () => {
  it('appends to existing arrays with "-" and never replaces', () => {
    const ops = buildPatch(makePod(), { ...none, containers: [sidecar], volumes: [{ name: 'v', emptyDir: {} }] });
    expect(ops).toEqual([
      { op: 'add', path: '/spec/containers/-', value: sidecar },
      { op: 'add', path: '/spec/volumes/-', value: { name: 'v', emptyDir: {} } },
      { op: 'add', path: '/metadata/annotations', value: { 'sidecar.inject/status': '{}' } },
    ]);
  });

  it('creates absent arrays whole, including when the API server sent null', () => {
    const pod = makePod({ spec: { volumes: null } });
    const ops = buildPatch(pod, { ...none, initContainersLast: [sidecar], volumes: [{ name: 'v', emptyDir: {} }] });
    expect(ops.slice(0, 2)).toEqual([
      { op: 'add', path: '/spec/initContainers', value: [sidecar] },
      { op: 'add', path: '/spec/volumes', value: [{ name: 'v', emptyDir: {} }] },
    ]);
    applyStrictly(pod, ops);
  });

  it('escapes "~" and "/" in the annotation pointer', () => {
    const ops = buildPatch(makePod({ annotations: { a: 'b' } }), none);
    expect(ops).toEqual([{ op: 'add', path: '/metadata/annotations/sidecar.inject~1status', value: '{}' }]);
  });

  it('inserts at the front with explicit indexes, then appends after the user init containers', () => {
    const pod = makePod({ spec: { initContainers: [{ name: 'user', image: 'u' }] } });
    const ops = buildPatch(pod, {
      ...none,
      initContainersFirst: [
        { name: 'a', image: 'a' },
        { name: 'b', image: 'b' },
      ],
      initContainersLast: [{ name: 'z', image: 'z' }],
    });
    const patched = applyStrictly(pod, ops);
    expect(((patched['spec'] as Json)['initContainers'] as Json[]).map((c) => c['name'])).toEqual([
      'a',
      'b',
      'user',
      'z',
    ]);
  });

  it('adds mounts and env to every app container, creating the lists where absent', () => {
    const pod = makePod();
    ((pod['spec'] as Json)['containers'] as Json[]).push({
      name: 'second',
      image: 'x',
      env: [{ name: 'KEEP', value: '1' }],
    });
    const ops = buildPatch(pod, {
      ...none,
      volumes: [{ name: 'logs', emptyDir: {} }],
      appVolumeMounts: [{ name: 'logs', mountPath: '/logs' }],
      appEnv: [{ name: 'ADDED', value: 'x' }],
    });
    const containers = (applyStrictly(pod, ops)['spec'] as Json)['containers'] as Json[];
    expect(containers[0]?.['volumeMounts']).toEqual([
      { name: 'data', mountPath: '/data' },
      { name: 'logs', mountPath: '/logs' },
    ]);
    expect(containers[0]?.['env']).toEqual([{ name: 'ADDED', value: 'x' }]);
    expect(containers[1]?.['env']).toEqual([
      { name: 'KEEP', value: '1' },
      { name: 'ADDED', value: 'x' },
    ]);
  });

  it('leaves every user field in place: the patched pod minus the additions is the original', () => {
    const pod = makePod({ annotations: { 'a/b~c': 'd' } });
    const patched = applyStrictly(pod, buildPatch(pod, { ...none, containers: [sidecar] }));
    const spec = patched['spec'] as Json;
    (spec['containers'] as Json[]).pop();
    delete ((patched['metadata'] as Json)['annotations'] as Json)['sidecar.inject/status'];
    expect(patched).toEqual(pod);
  });
});
