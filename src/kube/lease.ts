import { CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import { statusOf } from './tls-secret.js';

export interface LeaseOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  name: string;
  identity: string;
  durationMs: number;
  now?: () => number;
}

/**
 * One coordination.k8s.io Lease, after client-go's leaderelection: the holder renews it; another
 * candidate takes it only when it has not seen the record change for a whole lease duration (its
 * own clock, never the holder's timestamps, so clock skew cannot hand it over early). Every write
 * carries the resourceVersion it read: of two candidates, one wins and the other gets a 409.
 */
export interface Lease {
  /** One attempt to acquire or renew; true when this identity holds the lease afterwards. */
  tryAcquireOrRenew(): Promise<boolean>;
  /** Gives the lease up at once (graceful shutdown), so a successor need not wait for expiry. */
  release(): Promise<void>;
}

export function lease(options: LeaseOptions): Lease {
  const api = options.kubeConfig.makeApiClient(CoordinationV1Api);
  const { namespace, name, identity } = options;
  const now = options.now ?? Date.now;
  const seconds = Math.max(1, Math.round(options.durationMs / 1000));
  let observed: { record: string; at: number } | undefined;
  return {
    async tryAcquireOrRenew() {
      const current = await readLease(api, namespace, name);
      const time = new V1MicroTime(now());
      if (!current) {
        const body: V1Lease = { metadata: { name, namespace }, spec: leaseSpec(undefined, identity, seconds, time) };
        return api.createNamespacedLease({ namespace, body }).then(() => true, conflictAsFalse);
      }
      const record = JSON.stringify([current.spec?.holderIdentity, current.spec?.renewTime]);
      if (observed?.record !== record) observed = { record, at: now() };
      const holder = current.spec?.holderIdentity;
      const durationMs = (current.spec?.leaseDurationSeconds ?? seconds) * 1000;
      if (holder && holder !== identity && observed.at + durationMs > now()) return false;
      const body: V1Lease = { ...current, spec: leaseSpec(current.spec, identity, seconds, time) };
      return api.replaceNamespacedLease({ name, namespace, body }).then(() => true, conflictAsFalse);
    },
    async release() {
      const current = await readLease(api, namespace, name).catch(() => undefined);
      if (current?.spec?.holderIdentity !== identity) return;
      const body: V1Lease = {
        ...current,
        spec: { ...current.spec, holderIdentity: undefined, leaseDurationSeconds: 1 },
      };
      await api.replaceNamespacedLease({ name, namespace, body }).catch(() => undefined);
    },
  };
}

/** MicroTime: the API server rejects the millisecond timestamps a plain Date serializes to. */
function leaseSpec(previous: V1Lease['spec'], identity: string, seconds: number, time: V1MicroTime): V1Lease['spec'] {
  const kept = previous?.holderIdentity === identity && previous.acquireTime !== undefined;
  return {
    holderIdentity: identity,
    leaseDurationSeconds: seconds,
    acquireTime: kept && previous?.acquireTime ? new V1MicroTime(previous.acquireTime) : time,
    renewTime: time,
    leaseTransitions: kept ? (previous?.leaseTransitions ?? 0) : (previous?.leaseTransitions ?? -1) + 1,
  } as V1Lease['spec'];
}

/** The Lease, or undefined when there is none yet. */
export async function readLease(api: CoordinationV1Api, namespace: string, name: string): Promise<V1Lease | undefined> {
  return api.readNamespacedLease({ name, namespace }).catch((error: unknown) => {
    if (statusOf(error) === 404) return undefined;
    throw error;
  });
}

function conflictAsFalse(error: unknown): false {
  if (statusOf(error) === 409) return false;
  throw error;
}
