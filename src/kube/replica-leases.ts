import { createHash } from 'node:crypto';
import { CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import { readLease } from './lease.js';

const REPLICA_OF = 'sidecar-injector.io/replica-of';
const SERVING = 'sidecar-injector.io/serving-certificate';

export interface ReplicaLeaseOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  /** The leader Lease's name; each replica's own Lease is named after it. */
  group: string;
  identity: string;
  durationMs: number;
  now?: () => number;
}

/**
 * Each replica renews a Lease of its own saying which serving certificate it serves (as the API
 * server's identity leases do), so the leader knows when every live replica has switched to a new
 * CA before it drops the old one from the caBundle. A replica is live while its Lease keeps
 * changing, judged by the reader's clock as for the leader Lease.
 */
export interface ReplicaLeases {
  announce(servingFingerprint: string): Promise<void>;
  /** The serving fingerprints of the replicas seen renewing within a lease duration. */
  liveServing(): Promise<string[]>;
  remove(): Promise<void>;
}

export function replicaLeases(options: ReplicaLeaseOptions): ReplicaLeases {
  const api = options.kubeConfig.makeApiClient(CoordinationV1Api);
  const { namespace, group } = options;
  const now = options.now ?? Date.now;
  const name = replicaLeaseName(group, options.identity);
  const observed = new Map<string, { record: string; at: number }>();
  /** How long ago this reader last saw the Lease change, in lease durations. */
  const silentFor = (item: V1Lease): number => {
    const key = item.metadata?.name ?? '';
    const record = JSON.stringify([item.spec?.renewTime, item.metadata?.annotations?.[SERVING]]);
    if (observed.get(key)?.record !== record) observed.set(key, { record, at: now() });
    return (now() - (observed.get(key)?.at ?? 0)) / ((item.spec?.leaseDurationSeconds ?? 15) * 1000);
  };
  return {
    async announce(fingerprint) {
      const current = await readLease(api, namespace, name);
      const body = replicaLease(options, name, fingerprint, current?.metadata?.resourceVersion);
      if (!current) await api.createNamespacedLease({ namespace, body });
      else await api.replaceNamespacedLease({ name, namespace, body });
    },
    async liveServing() {
      const list = await api.listNamespacedLease({ namespace, labelSelector: `${REPLICA_OF}=${group}` });
      // A replica killed without a goodbye leaves its Lease: gone after ten silent durations.
      for (const stale of list.items.filter((item) => silentFor(item) > 10))
        await api.deleteNamespacedLease({ name: stale.metadata?.name ?? '', namespace }).catch(() => undefined);
      return list.items
        .filter((item) => silentFor(item) < 1)
        .map((item) => item.metadata?.annotations?.[SERVING] ?? '');
    },
    async remove() {
      await api.deleteNamespacedLease({ name, namespace }).catch(() => undefined);
    },
  };
}

function replicaLease(
  options: ReplicaLeaseOptions,
  name: string,
  fingerprint: string,
  resourceVersion?: string,
): V1Lease {
  return {
    metadata: {
      name,
      namespace: options.namespace,
      labels: { [REPLICA_OF]: options.group },
      annotations: { [SERVING]: fingerprint },
      ...(resourceVersion ? { resourceVersion } : {}),
    },
    spec: {
      holderIdentity: options.identity,
      leaseDurationSeconds: Math.max(1, Math.round(options.durationMs / 1000)),
      renewTime: new V1MicroTime((options.now ?? Date.now)()),
    } as V1Lease['spec'],
  };
}

/** `<group>-<identity>`, hashed when it would exceed a DNS label's 63 characters. */
export function replicaLeaseName(group: string, identity: string): string {
  const plain = `${group}-${identity}`.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  if (plain.length <= 63) return plain;
  return `${group.slice(0, 40)}-${createHash('sha256').update(identity).digest('hex').slice(0, 16)}`;
}
