import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { InputError } from './context.js';

/** The live cluster as the commands that read it (status, live explain) see it. */
export interface Cluster {
  kubeConfig: KubeConfig;
  list<T extends KubernetesObject>(apiVersion: string, kind: string, namespace?: string): Promise<T[]>;
  read<T extends KubernetesObject>(apiVersion: string, kind: string, name: string, namespace?: string): Promise<T>;
  /** A JSON merge patch; `dryRun` asks the API server to validate without storing. */
  mergePatch(object: KubernetesObject, dryRun: boolean): Promise<void>;
}

/**
 * The kubeconfig's current cluster, as kubectl would pick it; never the client's localhost:8080
 * guess when there is no kubeconfig at all. The client library is loaded only here.
 */
export async function connect(): Promise<Cluster> {
  const files = (process.env['KUBECONFIG'] || join(homedir(), '.kube', 'config')).split(':');
  const inCluster = Boolean(process.env['KUBERNETES_SERVICE_HOST']);
  if (!inCluster && !files.some((file) => file && existsSync(file))) {
    throw new InputError('no kubeconfig: set KUBECONFIG or create ~/.kube/config');
  }
  const client = await import('@kubernetes/client-node');
  const kubeConfig = new client.KubeConfig();
  kubeConfig.loadFromDefault();
  const api = client.KubernetesObjectApi.makeApiClient(kubeConfig);
  return {
    kubeConfig,
    list: async (apiVersion, kind, namespace) => (await api.list(apiVersion, kind, namespace)).items as never[],
    read: (apiVersion, kind, name, namespace) =>
      api.read({ apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) } }) as never,
    mergePatch: async (object, dryRun) => {
      const strategy = client.PatchStrategy.MergePatch;
      await api.patch(object, undefined, dryRun ? 'All' : undefined, 'sidecar-injector', undefined, strategy);
    },
  };
}

/** One line for an API error: the server's message when it sent one, else the client's. */
export function apiErrorMessage(error: unknown): string {
  const body = (error as { body?: unknown }).body;
  const parsed = typeof body === 'string' ? safeJson(body) : body;
  const message = (parsed as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : (((error as Error).message ?? String(error)).split('\n')[0] ?? '');
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
