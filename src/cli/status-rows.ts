import type { KubernetesObject, V1Pod } from '@kubernetes/client-node';
import { STATUS_ANNOTATION } from '../core/annotations.js';
import { freshness, type Freshness } from '../core/freshness.js';
import { topOwner, type OwnerRef } from '../core/owners.js';
import type { Cluster } from './cluster.js';
import type { Context } from './context.js';
import { evaluate } from './evaluate.js';

export type State = Freshness['state'];

/** One workload: its pods' worst state and what explains it (changed templates, or the reason). */
export interface OwnerRow {
  namespace: string;
  owner: OwnerRef;
  state: State;
  pods: number;
  details: string[];
}

/** Worst first: what needs a restart leads the table. */
export const STATE_ORDER: readonly State[] = ['missing', 'outdated', 'current', 'skipped'];

/** Every live pod (running or pending) in scope, classified and grouped by its top owner. */
export async function statusRows(cluster: Cluster, context: Context, namespace?: string): Promise<OwnerRow[]> {
  const [pods, replicaSets, jobs] = await Promise.all([
    cluster.list<V1Pod>('v1', 'Pod', namespace),
    cluster.list('apps/v1', 'ReplicaSet', namespace),
    cluster.list('batch/v1', 'Job', namespace),
  ]);
  const parents = new Map<string, KubernetesObject>();
  for (const o of replicaSets) parents.set(`ReplicaSet/${keyOf(o)}`, o);
  for (const o of jobs) parents.set(`Job/${keyOf(o)}`, o);
  const rows = new Map<string, OwnerRow>();
  for (const pod of pods.filter(isLive)) {
    const ns = pod.metadata?.namespace ?? 'default';
    const owner = topOwner(pod, (ref) => parents.get(`${ref.kind}/${ns}/${ref.name}`));
    const state = await podFreshness(context, pod, ns);
    const key = `${ns}/${owner.kind}/${owner.name}`;
    const row = rows.get(key) ?? { namespace: ns, owner, state: 'skipped', pods: 0, details: [] };
    row.pods += 1;
    if (rows.get(key) === undefined || rank(state.state) < rank(row.state)) row.state = state.state;
    for (const detail of detailsOf(state)) if (!row.details.includes(detail)) row.details.push(detail);
    rows.set(key, row);
  }
  return [...rows.values()].sort(
    (a, b) =>
      rank(a.state) - rank(b.state) ||
      a.namespace.localeCompare(b.namespace) ||
      a.owner.name.localeCompare(b.owner.name),
  );
}

async function podFreshness(context: Context, pod: V1Pod, namespace: string): Promise<Freshness> {
  const annotations = pod.metadata?.annotations ?? {};
  // Only a pod without our status needs today's decision: would it be injected (missing), or not?
  const verdict = annotations[STATUS_ANNOTATION] === undefined ? await evaluate(context, pod, namespace) : undefined;
  return freshness(annotations, context.templates, () => verdict ?? { kind: 'skip', reason: 'already_injected' });
}

function detailsOf(state: Freshness): string[] {
  if (state.state === 'outdated') return state.changes;
  if (state.state === 'current') return [`${state.templates.join(',') || '-'}`];
  return [state.reason];
}

/** Finished pods never restart and pods being deleted are on their way out: neither is reported. */
function isLive(pod: V1Pod): boolean {
  return !pod.metadata?.deletionTimestamp && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';
}

const rank = (state: State): number => STATE_ORDER.indexOf(state);
const keyOf = (o: KubernetesObject): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
