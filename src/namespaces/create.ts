import { KubeConfig } from '@kubernetes/client-node';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { clusterNamespaceSource } from './cluster.js';
import { fileNamespaceSource } from './file.js';
import type { NamespaceSource } from './source.js';

/** NAMESPACE_LABELS_FILE means no cluster; otherwise in-cluster config, KUBECONFIG or ~/.kube/config. */
export function createNamespaceSource(config: Config, log: Logger, metrics: Metrics): NamespaceSource {
  if (config.NAMESPACE_LABELS_FILE) return fileNamespaceSource(config.NAMESPACE_LABELS_FILE);
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
