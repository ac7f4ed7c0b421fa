import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { fileNamespaceSource } from './file.js';
import type { NamespaceSource } from './source.js';

/**
 * NAMESPACE_LABELS_FILE means no cluster; otherwise in-cluster config, KUBECONFIG or
 * ~/.kube/config. The Kubernetes client (~75 MB resident) is loaded only when it is used.
 */
export async function createNamespaceSource(config: Config, log: Logger, metrics: Metrics): Promise<NamespaceSource> {
  if (config.NAMESPACE_LABELS_FILE) return fileNamespaceSource(config.NAMESPACE_LABELS_FILE);
  const [{ KubeConfig }, { clusterNamespaceSource }] = await Promise.all([
    import('@kubernetes/client-node'),
    import('./cluster.js'),
  ]);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault();
  log.info({ server: kubeConfig.getCurrentCluster()?.server }, 'reading namespace labels from the cluster');
  return clusterNamespaceSource({
    kubeConfig,
    log,
    lookupTimeoutMs: config.NAMESPACE_LOOKUP_TIMEOUT_MS,
    onLookup: (result) => metrics.namespaceLookups.inc({ result }),
  });
}
