import { X509Certificate } from 'node:crypto';
import {
  AdmissionregistrationV1Api,
  CoordinationV1Api,
  CoreV1Api,
  KubeConfig,
  type V1Pod,
} from '@kubernetes/client-node';
import type { Replica } from './replicas.js';
import { servedFingerprint } from './replicas.js';

export interface TimelineEvent {
  atMs: number;
  what: string;
}

const pems = (base64: string | undefined): string[] =>
  Buffer.from(base64 ?? '', 'base64')
    .toString('utf8')
    .match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
const short = (pem: string): string => new X509Certificate(pem).fingerprint256.replace(/:/g, '').slice(0, 8);

/**
 * Watches, every 100 ms and as an administrator would: the CAs in the webhook configuration's
 * caBundle, the Secret (its writes, the signing CA, the serving certificate), the Lease holder, and
 * the certificate each replica presents to a new connection. Each change becomes a line with its
 * time since start.
 */
export function rotationTimeline(kubeconfigFile: string, replicas: Replica[]) {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigFile);
  const admission = kc.makeApiClient(AdmissionregistrationV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  const leases = kc.makeApiClient(CoordinationV1Api);
  const start = Date.now();
  let twoCas = '';
  const events: TimelineEvent[] = [];
  const last = new Map<string, string>();
  const note = (key: string, value: string | undefined, what: (value: string) => string): void => {
    if (value === undefined || last.get(key) === value) return;
    last.set(key, value);
    events.push({ atMs: Date.now() - start, what: what(value) });
  };
  const poll = async (): Promise<void> => {
    const config = await admission.readMutatingWebhookConfiguration({ name: 'sidecar-injector' });
    const bundles = (config.webhooks ?? []).map((w) => pems(w.clientConfig.caBundle).map(short).join('+') || 'none');
    const both = pems(config.webhooks?.[0]?.clientConfig.caBundle);
    if (both.length === 2) twoCas = both.join('\n') + '\n';
    note('bundle', bundles.join(' | '), (v) => `caBundle of the webhooks: ${v}`);
    const secret = await core
      .readNamespacedSecret({ name: 'sidecar-injector-tls', namespace: 'sidecar-injector' })
      .catch(() => undefined);
    note('secret', secret?.metadata?.resourceVersion, () => 'Secret written');
    note('signer', pems(secret?.data?.['ca-signer.crt']).map(short)[0], (v) => `Secret: signing CA ${v}`);
    note('serving', pems(secret?.data?.['tls.crt']).map(short)[0], (v) => `Secret: serving certificate ${v}`);
    const lease = await leases
      .readNamespacedLease({ name: 'sidecar-injector-tls', namespace: 'sidecar-injector' })
      .catch(() => undefined);
    note('leader', lease?.spec?.holderIdentity, (v) => `leader: ${v}`);
    for (const replica of replicas) {
      const served = await servedFingerprint(replica.port).catch(() => undefined);
      note(`served-${replica.name}`, served?.replace(/:/g, '').slice(0, 8), (v) => `${replica.name} serves ${v}`);
    }
  };
  let running = true;
  const loop = (async () => {
    while (running) {
      await poll().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    events,
    last,
    /** The caBundle as published while it held the old and the new CA. */
    twoCaBundle: () => twoCas,
    elapsedMs: () => Date.now() - start,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

/** The API server's Status message of a failed call (test/cluster builds apart from src/). */
function statusMessage(error: unknown): string {
  const { body, message } = error as { body?: unknown; message?: unknown };
  const parsed = typeof body === 'string' && body.startsWith('{') ? (JSON.parse(body) as { message?: unknown }) : {};
  return String(parsed.message ?? message);
}

export interface PodLoad {
  created: number;
  injected: number;
  failures: { atMs: number; error: string }[];
  stop(): Promise<void>;
}

/** Creates a pod every `everyMs` in `namespace` until stopped; counts the injected and the refused. */
export function podLoad(kubeconfigFile: string, namespace: string, everyMs: number, startMs: () => number): PodLoad {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigFile);
  const core = kc.makeApiClient(CoreV1Api);
  const load: PodLoad = { created: 0, injected: 0, failures: [], stop: async () => undefined };
  let running = true;
  const body: V1Pod = {
    metadata: { generateName: 'load-' },
    spec: { containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }] },
  };
  const loop = (async () => {
    while (running) {
      try {
        const pod = await core.createNamespacedPod({ namespace, body });
        load.created++;
        if (pod.metadata?.annotations?.['sidecar.inject/status']) load.injected++;
      } catch (error) {
        load.failures.push({ atMs: startMs(), error: statusMessage(error).slice(0, 300) });
      }
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  load.stop = async () => {
    running = false;
    await loop;
  };
  return load;
}

/**
 * The CA rotation read off the timeline: when the new CA entered the caBundle beside the old one,
 * when it started signing, when each replica first served a certificate it signed, and when the
 * old CA left the caBundle. Undefined where the timeline does not show it.
 */
export function caRotationSummary(events: TimelineEvent[], replicaNames: string[]): string {
  const at = (test: (what: string) => boolean, from = 0): number | undefined =>
    events.find((e) => e.atMs >= from && test(e.what))?.atMs;
  const bundleWithTwo = /^caBundle of the webhooks: (\w+)\+(\w+) \|/;
  const added = events.find((e) => bundleWithTwo.test(e.what));
  const newCa = added?.what.match(bundleWithTwo)?.[2];
  if (!added || !newCa) return 'no caBundle with two CAs was seen';
  const signing = events.find((e) => e.atMs >= added.atMs && e.what === `Secret: signing CA ${newCa}`);
  // The Secret read right after the signer switched holds the first certificate the new CA signed.
  const firstServing = events
    .find((e) => e.atMs >= (signing?.atMs ?? Infinity) && e.what.startsWith('Secret: serving certificate '))
    ?.what.slice('Secret: serving certificate '.length);
  const switched = replicaNames.map(
    (name) => `${name} at ${at((w) => w === `${name} serves ${firstServing}`, added.atMs) ?? '?'} ms`,
  );
  const retired = at((w) => w.startsWith(`caBundle of the webhooks: ${newCa} |`), added.atMs);
  return (
    `new CA ${newCa} in the caBundle (beside the old) at ${added.atMs} ms; signing from ${signing?.atMs} ms; ` +
    `replicas switched: ${switched.join(', ')}; old CA out of the caBundle at ${retired} ms`
  );
}
