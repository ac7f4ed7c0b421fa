import type { Additions } from './patch.js';
import { containersOf, type PodView } from './pod.js';
import { nameOf, type Tree } from './render.js';
import { quoted } from './text.js';

/**
 * Every way the additions would collide with the pod's volumes and app containers: a volume name
 * the pod already has, or a mount path or env name an app container already uses. The API server
 * would reject such a pod (or the sidecar would silently shadow the user's setting), so the
 * caller skips. Containers of ours already there are foreign sidecars (foreign.ts), found first.
 */
export function findConflicts(pod: PodView, additions: Additions): string[] {
  const conflicts: string[] = [];
  const podVolumes = new Set((pod.spec.volumes ?? []).map((v) => v.name));
  for (const added of additions.volumes) {
    if (podVolumes.has(nameOf(added))) conflicts.push(`volume name ${nameOf(added)} is already used by the pod`);
  }
  for (const container of containersOf(pod)) {
    const paths = new Set((container.volumeMounts ?? []).map((m) => samePath(m.mountPath)));
    for (const mount of additions.appVolumeMounts) {
      const path = field(mount, 'mountPath');
      if (paths.has(samePath(path)))
        conflicts.push(`container ${quoted(container.name)} already mounts ${quoted(path)}`);
    }
    if (additions.appEnv.length === 0) continue;
    const env = envNames(container.env);
    for (const variable of additions.appEnv) {
      if (env.has(nameOf(variable)))
        conflicts.push(`container ${quoted(container.name)} already sets env ${nameOf(variable)}`);
    }
  }
  return conflicts;
}

function envNames(env: unknown): Set<string> {
  if (!Array.isArray(env)) return new Set();
  return new Set(
    env
      .map((entry: unknown) => (entry as { name?: unknown } | null)?.name)
      .filter((name): name is string => typeof name === 'string'),
  );
}

/**
 * The API server compares mount paths as strings, but /var/log/app, /var/log/app/ and
 * /var/log//app are one directory to the container runtime: two mounts there fail at start.
 */
function samePath(path: string): string {
  return path.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
}

function field(tree: Tree, key: string): string {
  return typeof tree === 'object' && tree !== null && !Array.isArray(tree) ? String(tree[key]) : '';
}
