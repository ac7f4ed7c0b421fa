import { isIP } from 'node:net';
import { hostname } from 'node:os';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { StartupError } from '../startup-error.js';
import type { ReloadEvent } from '../watch.js';
import { serviceNames } from './generate.js';
import { selfManagedCertificateSource } from './self-managed.js';
import { fileCertificateSource, type CertificateSource } from './source.js';

export interface CertificateDeps {
  report: (event: ReloadEvent) => void;
  log: Logger;
  kubeConfig: () => Promise<KubeConfig | undefined>;
}

/** TLS_MODE picks the certificate source: mounted files, or made and rotated in the cluster. */
export async function certificateSourceFor(config: Config, deps: CertificateDeps): Promise<CertificateSource> {
  if (config.TLS_MODE === 'files') {
    const files = { certFile: config.TLS_CERT_FILE, keyFile: config.TLS_KEY_FILE };
    return fileCertificateSource({ files, intervalMs: config.RELOAD_INTERVAL * 1000, report: deps.report });
  }
  const kubeConfig = await deps.kubeConfig();
  if (!kubeConfig)
    throw new StartupError(['TLS_MODE=self-managed needs the cluster: no in-cluster config or kubeconfig']);
  const extra = config.TLS_EXTRA_NAMES;
  return selfManagedCertificateSource({
    kubeConfig,
    namespace: config.INJECTOR_NAMESPACE,
    secretName: config.TLS_SECRET_NAME,
    webhookName: config.WEBHOOK_CONFIGURATION_NAME,
    leaseName: config.TLS_SECRET_NAME,
    identity: config.POD_NAME ?? `${hostname()}-${process.pid}`,
    names: {
      dnsNames: [...serviceNames(config.SERVICE_NAME, config.INJECTOR_NAMESPACE), ...extra.filter((n) => !isIP(n))],
      ipAddresses: extra.filter((name) => isIP(name) !== 0),
    },
    caLifetimeMs: config.TLS_CA_LIFETIME * 1000,
    certLifetimeMs: config.TLS_CERT_LIFETIME * 1000,
    leaseDurationMs: config.TLS_LEASE_DURATION * 1000,
    startTimeoutMs: 60_000,
    report: deps.report,
    log: deps.log,
  });
}
