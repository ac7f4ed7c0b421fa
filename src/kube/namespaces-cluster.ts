import {
  CoreV1Api,
  KubeConfig,
  makeInformer,
  type Informer,
  type ObjectCache,
  type V1Namespace,
} from '@kubernetes/client-node';
import type { NamespaceLabels } from '../core/decide.js';
import type { Logger } from '../log.js';
import type { NamespaceSource } from './namespace-source.js';

export interface ClusterSourceOptions {
  kubeConfig: KubeConfig;
  log: Logger;
  /** The cache-miss GET must answer well inside the webhook's own timeout. */
  lookupTimeoutMs: number;
  onLookup?: (result: 'cache' | 'live' | 'unavailable') => void;
  /** Backoff for re-establishing a failed list or watch. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * Namespace labels from a list+watch informer: lookups are answered from memory, a label change
 * is seen as soon as the watch delivers it, and a failed watch is restarted with backoff.
 */
export function clusterNamespaceSource(options: ClusterSourceOptions): NamespaceSource {
  const core = options.kubeConfig.makeApiClient(CoreV1Api);
  const informer = makeInformer<V1Namespace>(options.kubeConfig, '/api/v1/namespaces', () => core.listNamespace());
  const watch = keepWatching(informer, options);
  const fetched = new Map<string, Record<string, string>>();
  return {
    kind: 'cluster',
    start: watch.run,
    ready: watch.synced,
    async labelsOf(name: string): Promise<NamespaceLabels> {
      const cached = informer.get(name);
      const labels = cached ? (cached.metadata?.labels ?? {}) : fetched.get(name);
      if (!labels) return lookUpLive(name, { core, fetched, options });
      options.onLookup?.('cache');
      return { known: true, labels };
    },
    stop: watch.stop,
  };
}

/** Runs the informer and restarts a failed list or watch with exponential backoff. */
function keepWatching(
  informer: Informer<V1Namespace> & ObjectCache<V1Namespace>,
  options: ClusterSourceOptions,
): { run(): Promise<void>; synced(): boolean; stop(): void } {
  const { log } = options;
  const minBackoff = options.minBackoffMs ?? 500;
  const maxBackoff = options.maxBackoffMs ?? 30_000;
  let synced = false;
  let stopped = false;
  let backoff = minBackoff;
  let failedSinceStart = false;
  let restartTimer: NodeJS.Timeout | undefined;
  const run = async (): Promise<void> => {
    failedSinceStart = false;
    await informer.start();
    if (failedSinceStart || stopped) return;
    if (!synced) log.info({ namespaces: informer.list().length }, 'namespace informer synced');
    synced = true;
    backoff = minBackoff;
  };
  informer.on('error', (error: unknown) => {
    failedSinceStart = true;
    if (stopped) return;
    log.warn({ err: errorMessage(error), retryInMs: backoff }, 'namespace watch failed; reconnecting');
    clearTimeout(restartTimer);
    restartTimer = setTimeout(() => void run(), backoff);
    backoff = Math.min(backoff * 2, maxBackoff);
  });
  informer.on('update', (namespace: V1Namespace) => {
    log.debug({ namespace: namespace.metadata?.name, labels: namespace.metadata?.labels }, 'namespace labels changed');
  });
  const stop = (): void => {
    stopped = true;
    clearTimeout(restartTimer);
    void informer.stop();
  };
  return { run, synced: () => synced, stop };
}

interface LiveLookup {
  core: CoreV1Api;
  /** Namespaces read live before the informer had them; kept so each is read once. */
  fetched: Map<string, Record<string, string>>;
  options: ClusterSourceOptions;
}

/** A namespace the informer has not delivered yet (new, or not synced): one GET, bounded in time. */
async function lookUpLive(name: string, { core, fetched, options }: LiveLookup): Promise<NamespaceLabels> {
  try {
    const namespace = await withTimeout(core.readNamespace({ name }), options.lookupTimeoutMs);
    const labels = namespace.metadata?.labels ?? {};
    fetched.set(name, labels);
    options.onLookup?.('live');
    return { known: true, labels };
  } catch (error) {
    options.onLookup?.('unavailable');
    return { known: false, why: `namespace ${name} not in cache and the live lookup failed: ${errorMessage(error)}` };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0] ?? error.message;
  return String(error);
}
