import { CoreV1Api, Watch, type KubeConfig, type V1Secret } from '@kubernetes/client-node';

export interface StoredSecret {
  resourceVersion: string;
  data: Record<string, string>;
}

/** The certificate Secret: read, written only with a resourceVersion precondition, watched. */
export interface TlsSecret {
  read(): Promise<StoredSecret | undefined>;
  /**
   * Creates it (`basedOn` undefined) or replaces the version `basedOn` names. false when someone
   * else wrote first (409): the caller reads again instead of overwriting.
   */
  write(data: Record<string, string>, basedOn: string | undefined): Promise<boolean>;
  /** Calls back on every change; restarts a broken watch. Returns stop. */
  watch(onChange: (secret: StoredSecret | undefined) => void, onError: (error: Error) => void): () => void;
}

export function tlsSecret(kubeConfig: KubeConfig, namespace: string, name: string): TlsSecret {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const labels = { 'app.kubernetes.io/name': 'sidecar-injector', 'app.kubernetes.io/managed-by': 'sidecar-injector' };
  return {
    async read() {
      try {
        return stored(await core.readNamespacedSecret({ name, namespace }));
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    },
    async write(data, basedOn) {
      const metadata = { name, namespace, labels, ...(basedOn ? { resourceVersion: basedOn } : {}) };
      const body: V1Secret = { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata, data };
      try {
        if (basedOn === undefined) await core.createNamespacedSecret({ namespace, body });
        else await core.replaceNamespacedSecret({ name, namespace, body });
        return true;
      } catch (error) {
        if (statusOf(error) === 409) return false;
        throw error;
      }
    },
    watch: (onChange, onError) =>
      watchByName(kubeConfig, `/api/v1/namespaces/${namespace}/secrets`, name, {
        onChange: (object) => onChange(object ? stored(object as V1Secret) : undefined),
        onError,
      }),
  };
}

function stored(secret: V1Secret): StoredSecret {
  return { resourceVersion: secret.metadata?.resourceVersion ?? '', data: secret.data ?? {} };
}

interface WatchCallbacks {
  onChange: (object: object | undefined) => void;
  onError: (error: Error) => void;
}

/**
 * One object by name (a field selector, so RBAC can grant it by resourceNames). A watch ends
 * every few minutes by design, or breaks: either way it is started again after a pause.
 */
export function watchByName(kubeConfig: KubeConfig, path: string, name: string, callbacks: WatchCallbacks): () => void {
  const watcher = new Watch(kubeConfig);
  let stopped = false;
  let abort: AbortController | undefined;
  let timer: NodeJS.Timeout | undefined;
  const restart = (error?: unknown): void => {
    if (stopped) return;
    if (error) callbacks.onError(error instanceof Error ? error : new Error(String(error)));
    timer = setTimeout(() => void start(), error ? 2_000 : 100);
  };
  const start = async (): Promise<void> => {
    try {
      abort = await watcher.watch(
        path,
        { fieldSelector: `metadata.name=${name}` },
        (type: string, object: object) => callbacks.onChange(type === 'DELETED' ? undefined : object),
        (error: unknown) => restart(error),
      );
    } catch (error) {
      restart(error);
    }
  };
  void start();
  return () => {
    stopped = true;
    clearTimeout(timer);
    abort?.abort();
  };
}

export function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** The API server's own words ("leases ... is forbidden: ..."), not the client's headers dump. */
export function apiErrorMessage(error: unknown): string {
  const code = statusOf(error);
  const body = (error as { body?: unknown } | null)?.body;
  try {
    const parsed = (typeof body === 'string' ? JSON.parse(body) : body) as { message?: unknown } | undefined;
    if (code !== undefined && typeof parsed?.message === 'string') return `${code}: ${parsed.message}`;
  } catch {
    // not JSON: fall through to the message
  }
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
