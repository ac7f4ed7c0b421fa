import type { Json } from '../kubectl.js';

/**
 * Where a stored pod differs from a predicted pod template, or undefined. The API server adds
 * defaults (imagePullPolicy, terminationMessagePath, …) and the ServiceAccount admission plugin's
 * token volume, so the prediction must be contained in what was stored, not equal to it.
 * Containers and init containers must match by name and order exactly: that is the injection.
 * Volumes and volume mounts may have more entries stored (the token, a StatefulSet's claims).
 */
export function firstMismatch(predicted: Json, stored: Json): string | undefined {
  const spec = (object: Json): Json => (object['spec'] as Json | undefined) ?? {};
  const annotations = (object: Json): unknown => (object['metadata'] as Json | undefined)?.['annotations'] ?? {};
  return (
    contained(annotations(predicted), annotations(stored), 'metadata.annotations') ??
    contained(spec(predicted), spec(stored), 'spec')
  );
}

const NAMED_LISTS_THAT_GROW = new Set(['volumes', 'volumeMounts']);

function contained(want: unknown, got: unknown, path: string): string | undefined {
  if (Array.isArray(want)) return containedList(want, got, path);
  if (want !== null && typeof want === 'object') {
    if (got === null || typeof got !== 'object' || Array.isArray(got)) return `${path}: stored ${JSON.stringify(got)}`;
    for (const [key, value] of Object.entries(want)) {
      const problem = contained(value, (got as Json)[key], `${path}.${key}`);
      if (problem) return problem;
    }
    return undefined;
  }
  // The API server serializes with omitempty: a predicted "" or false is stored as no field at all.
  if (got === undefined && (want === '' || want === false)) return undefined;
  return want === got ? undefined : `${path}: predicted ${JSON.stringify(want)}, stored ${JSON.stringify(got)}`;
}

function containedList(want: unknown[], got: unknown, path: string): string | undefined {
  if (!Array.isArray(got)) return `${path}: predicted a list, stored ${JSON.stringify(got)}`;
  const key = path.slice(path.lastIndexOf('.') + 1);
  const nameOf = (item: unknown): unknown => (item as Json | null)?.['name'];
  if (NAMED_LISTS_THAT_GROW.has(key) && want.every((item) => typeof nameOf(item) === 'string')) {
    for (const item of want) {
      const match = got.find((g) => nameOf(g) === nameOf(item));
      const problem = contained(item, match, `${path}[${String(nameOf(item))}]`);
      if (problem) return problem;
    }
    return undefined;
  }
  if (want.length !== got.length) {
    const show = (list: unknown[]): string => JSON.stringify(list.map((i) => nameOf(i) ?? i));
    return `${path}: predicted ${show(want)}, stored ${show(got)}`;
  }
  for (const [i, item] of want.entries()) {
    const problem = contained(item, got[i], `${path}[${i}]`);
    if (problem) return problem;
  }
  return undefined;
}
