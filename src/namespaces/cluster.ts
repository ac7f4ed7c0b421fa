import { CoreV1Api, KubeConfig, VersionApi, makeInformer, type V1Namespace } from '@kubernetes/client-node';
import type { NamespaceLabels } from '../core/decide.js';
import type { Logger } from '../log.js';
import type { NamespaceSource, ServerVersion } from './source.js';

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
  const { kubeConfig, log } = options;
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const informer = makeInformer<V1Namespace>(kubeConfig, '/api/v1/namespaces', () => core.listNamespace());
  const fetched = new Map<string, Record<string, string>>();
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
    if (!failedSinceStart && !stopped) {
      if (!synced) log.info({ namespaces: informer.list().length }, 'namespace informer synced');
      synced = true;
      backoff = minBackoff;
    }
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

  return {
    kind: 'cluster',
    start: run,
    ready: () => synced,
    async labelsOf(name: string): Promise<NamespaceLabels> {
      const cached = informer.get(name);
      if (cached) {
        options.onLookup?.('cache');
        return { known: true, labels: cached.metadata?.labels ?? {} };
      }
      const earlier = fetched.get(name);
      if (earlier) {
        options.onLookup?.('cache');
        return { known: true, labels: earlier };
      }
      try {
        const namespace = await withTimeout(core.readNamespace({ name }), options.lookupTimeoutMs);
        const labels = namespace.metadata?.labels ?? {};
        fetched.set(name, labels);
        options.onLookup?.('live');
        return { known: true, labels };
      } catch (error) {
        options.onLookup?.('unavailable');
        return {
          known: false,
          why: `namespace ${name} not in cache and the live lookup failed: ${errorMessage(error)}`,
        };
      }
    },
    async serverVersion(): Promise<ServerVersion> {
      const info = await withTimeout(kubeConfig.makeApiClient(VersionApi).getCode(), 5_000);
      return {
        major: Number.parseInt(info.major, 10),
        minor: Number.parseInt(info.minor, 10),
        gitVersion: info.gitVersion,
      };
    },
    stop() {
      stopped = true;
      clearTimeout(restartTimer);
      void informer.stop();
    },
  };
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
