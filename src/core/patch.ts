import type { Operation } from 'fast-json-patch';
import { escapePathComponent } from 'fast-json-patch';
import { STATUS_ANNOTATION } from './annotations.js';
import type { Tree } from './render.js';

/** What injection adds to a pod, already rendered, in the order it goes in. */
export interface Additions {
  /** Appended to spec.containers (classic sidecars). */
  containers: Tree[];
  /** Inserted at the front of spec.initContainers (networking and native sidecars). */
  initContainersFirst: Tree[];
  /** Appended to spec.initContainers. */
  initContainersLast: Tree[];
  volumes: Tree[];
  /** Added to every app container, in its volumeMounts and env. */
  appVolumeMounts: Tree[];
  appEnv: Tree[];
  status: string;
}

export function noAdditions(): Additions {
  return {
    containers: [],
    initContainersFirst: [],
    initContainersLast: [],
    volumes: [],
    appVolumeMounts: [],
    appEnv: [],
    status: '',
  };
}

interface PodShape {
  metadata?: { annotations?: unknown } | null;
  spec?: { containers?: unknown; initContainers?: unknown; volumes?: unknown } | null;
}

/**
 * The JSON Patch that turns the pod as received into the injected pod. Ops are written
 * explicitly rather than diffed: each is an `add`, appends use `-`, front insertions use explicit
 * indexes, absent arrays and maps are created whole, so the user's entries are never replaced,
 * reordered or dropped, and the cost is linear in what is added, not in the pod's size.
 */
export function buildPatch(original: unknown, additions: Additions): Operation[] {
  const pod = (original ?? {}) as PodShape;
  const spec = pod.spec ?? {};
  const ops: Operation[] = [];
  ops.push(...appendAll('/spec/containers', spec.containers, additions.containers));
  ops.push(...insertAtFront('/spec/initContainers', spec.initContainers, additions.initContainersFirst));
  const initAfterFront = Array.isArray(spec.initContainers) || additions.initContainersFirst.length > 0;
  ops.push(...appendAll('/spec/initContainers', initAfterFront ? [] : undefined, additions.initContainersLast));
  ops.push(...appendAll('/spec/volumes', spec.volumes, additions.volumes));
  const appContainers = Array.isArray(spec.containers)
    ? (spec.containers as { volumeMounts?: unknown; env?: unknown }[])
    : [];
  appContainers.forEach((container, index) => {
    ops.push(
      ...appendAll(`/spec/containers/${index}/volumeMounts`, container?.volumeMounts, additions.appVolumeMounts),
    );
    ops.push(...appendAll(`/spec/containers/${index}/env`, container?.env, additions.appEnv));
  });
  ops.push(statusOp(pod, additions.status));
  return ops;
}

function appendAll(path: string, existing: unknown, items: readonly Tree[]): Operation[] {
  if (items.length === 0) return [];
  if (!Array.isArray(existing)) return [{ op: 'add', path, value: [...items] }];
  return items.map((value) => ({ op: 'add', path: `${path}/-`, value }));
}

function insertAtFront(path: string, existing: unknown, items: readonly Tree[]): Operation[] {
  if (items.length === 0) return [];
  if (!Array.isArray(existing)) return [{ op: 'add', path, value: [...items] }];
  return items.map((value, index) => ({ op: 'add', path: `${path}/${index}`, value }));
}

function statusOp(pod: PodShape, status: string): Operation {
  if (pod.metadata === undefined || pod.metadata === null) {
    return { op: 'add', path: '/metadata', value: { annotations: { [STATUS_ANNOTATION]: status } } };
  }
  const annotations = pod.metadata.annotations;
  if (annotations === undefined || annotations === null || typeof annotations !== 'object') {
    return { op: 'add', path: '/metadata/annotations', value: { [STATUS_ANNOTATION]: status } };
  }
  return { op: 'add', path: `/metadata/annotations/${escapePathComponent(STATUS_ANNOTATION)}`, value: status };
}
