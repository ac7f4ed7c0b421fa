import type { Config } from '../config.js';
import { StartupError } from '../startup-error.js';
import { fileCertificateSource, type CertificateSource } from '../tls/source.js';
import type { CertificateDeps } from './certificate-deps.js';

/** TLS_MODE picks the certificate source: mounted files, or made and rotated in the cluster. */
export async function certificateSourceFor(config: Config, deps: CertificateDeps): Promise<CertificateSource> {
  if (config.TLS_MODE === 'files') {
    const files = { certFile: config.TLS_CERT_FILE, keyFile: config.TLS_KEY_FILE };
    return fileCertificateSource({ files, intervalMs: config.RELOAD_INTERVAL * 1000, report: deps.report });
  }
  const kubeConfig = await deps.kubeConfig();
  if (!kubeConfig)
    throw new StartupError(['TLS_MODE=self-managed needs the cluster: no in-cluster config or kubeconfig']);
  // Loaded on demand (it loads the cluster client, tens of MB): the files mode never pays for it.
  const { selfManagedSource } = await import('./self-managed-source.js');
  return selfManagedSource(config, kubeConfig, deps);
}
