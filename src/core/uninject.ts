import type { Operation } from 'fast-json-patch';
import { escapePathComponent } from 'fast-json-patch';
import { STATUS_ANNOTATION } from './annotations.js';
import { readStatus, type InjectionStatus } from './status.js';

/** What `uninject` does to one pod: nothing (never injected), refuse (status unreadable), or remove. */
export type Uninjection =
  | { kind: 'not_injected' }
  | { kind: 'invalid'; message: string }
  | { kind: 'removed'; ops: Operation[]; templates: string[] };

type Obj = Record<string, unknown>;
const asObject = (value: unknown): Obj | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Obj) : undefined;
const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const nameOf = (item: unknown): unknown => asObject(item)?.['name'];

/**
 * The JSON Patch that takes out exactly what the status annotation says the injector added, and
 * the annotation itself. A list or map left empty goes too: injection created it.
 */
export function uninjectOps(pod: unknown): Uninjection {
  const metadata = asObject(asObject(pod)?.['metadata']);
  const annotations = asObject(metadata?.['annotations']) ?? {};
  const strings = Object.fromEntries(Object.entries(annotations).filter(([, v]) => typeof v === 'string'));
  const reading = readStatus(strings as Record<string, string>);
  if (reading.kind === 'absent') return { kind: 'not_injected' };
  if (reading.kind === 'invalid') return reading;
  const added = addedNames(reading.status);
  const spec = asObject(asObject(pod)?.['spec']) ?? {};
  const containers = asList(spec['containers']);
  const ops: Operation[] = [];
  containers.forEach((container, index) => {
    if (added.containers.has(nameOf(container))) return;
    const item = asObject(container) ?? {};
    ops.push(...removeNamed(`/spec/containers/${index}/volumeMounts`, item['volumeMounts'], added.mounts));
    ops.push(...removeNamed(`/spec/containers/${index}/env`, item['env'], added.env));
  });
  ops.push(...removeNamed('/spec/containers', containers, added.containers));
  ops.push(...removeNamed('/spec/initContainers', spec['initContainers'], added.containers));
  ops.push(...removeNamed('/spec/volumes', spec['volumes'], added.volumes));
  const onlyStatus = Object.keys(annotations).length === 1;
  const statusPath = `/metadata/annotations${onlyStatus ? '' : `/${escapePathComponent(STATUS_ANNOTATION)}`}`;
  ops.push({ op: 'remove', path: statusPath });
  return { kind: 'removed', ops, templates: Object.keys(reading.status.templates) };
}

interface AddedNames {
  containers: Set<unknown>;
  volumes: Set<unknown>;
  mounts: Set<unknown>;
  env: Set<unknown>;
}

function addedNames(status: InjectionStatus): AddedNames {
  const parts = Object.values(status.templates);
  return {
    containers: new Set(parts.flatMap((t) => [...t.initContainers, ...t.sidecars])),
    volumes: new Set(parts.flatMap((t) => t.volumes)),
    mounts: new Set(parts.flatMap((t) => t.appVolumeMounts)),
    env: new Set(parts.flatMap((t) => t.appEnv)),
  };
}

/** Removals from the back, so every index still points where it did; the whole list if all go. */
function removeNamed(path: string, list: unknown, names: Set<unknown>): Operation[] {
  const items = asList(list);
  const indexes = items.flatMap((item, index) => (names.has(nameOf(item)) ? [index] : []));
  if (indexes.length === 0) return [];
  if (indexes.length === items.length) return [{ op: 'remove', path }];
  return indexes.reverse().map((index) => ({ op: 'remove', path: `${path}/${index}` }));
}
