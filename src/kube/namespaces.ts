import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../log.js';
import { StartupError } from '../startup-error.js';
import type { NamespaceSource } from './namespace-source.js';
import { fileNamespaceSource } from './namespaces-file.js';

export interface NamespaceSourceOptions {
  /** NAMESPACE_LABELS_FILE: no cluster at all. */
  file?: string | undefined;
  /** The cluster, when there is no file. */
  kubeConfig?: KubeConfig | undefined;
  log: Logger;
  lookupTimeoutMs: number;
  onLookup?: (result: 'cache' | 'live' | 'unavailable') => void;
}

/**
 * The file when one is named, else the cluster's informer. A file source is ready when started;
 * the informer syncs in the background (readiness waits for it, requests do not).
 */
export async function startNamespaceSource(options: NamespaceSourceOptions): Promise<NamespaceSource> {
  if (options.file) {
    const source = fileNamespaceSource(options.file);
    await source.start();
    return source;
  }
  if (!options.kubeConfig) {
    throw new StartupError([
      'NAMESPACE_LABELS_FILE is not set and there is no cluster to read namespaces from (in-cluster, KUBECONFIG or ~/.kube/config)',
    ]);
  }
  const { clusterNamespaceSource } = await import('./namespaces-cluster.js');
  const { kubeConfig, log } = options;
  log.info({ server: kubeConfig.getCurrentCluster()?.server }, 'reading namespace labels from the cluster');
  const source = clusterNamespaceSource({ ...options, kubeConfig });
  void source.start().catch((error: Error) => log.error({ err: error.message }, 'namespace source failed to start'));
  return source;
}
