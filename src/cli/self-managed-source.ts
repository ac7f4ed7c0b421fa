import { isIP } from 'node:net';
import { hostname } from 'node:os';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Config } from '../config.js';
import { lease } from '../kube/lease.js';
import { replicaLeases } from '../kube/replica-leases.js';
import { tlsSecret } from '../kube/tls-secret.js';
import { webhookCaBundle } from '../kube/webhook-ca-bundle.js';
import { serviceNames } from '../tls/generate.js';
import type { RotationParts } from '../tls/rotate.js';
import { selfManagedCertificateSource } from '../tls/self-managed.js';
import type { CertificateSource } from '../tls/source.js';
import type { ServiceNames } from '../tls/stored.js';
import type { CertificateDeps } from './certificate-deps.js';

/** TLS_MODE=self-managed, built with its kube parts: the leader's Lease and what the leader keeps. */
export function selfManagedSource(config: Config, kubeConfig: KubeConfig, deps: CertificateDeps): CertificateSource {
  const objects = {
    namespace: config.INJECTOR_NAMESPACE,
    secretName: config.TLS_SECRET_NAME,
    webhookName: config.WEBHOOK_CONFIGURATION_NAME,
    leaseName: config.TLS_SECRET_NAME,
  };
  const identity = config.POD_NAME ?? `${hostname()}-${process.pid}`;
  const durationMs = config.TLS_LEASE_DURATION * 1000;
  return selfManagedCertificateSource({
    rotation: rotationParts(config, kubeConfig, identity),
    lease: lease({ kubeConfig, namespace: objects.namespace, name: objects.leaseName, identity, durationMs }),
    objects,
    identity,
    leaseDurationMs: durationMs,
    startTimeoutMs: 60_000,
    report: deps.report,
    log: deps.log,
  });
}

/** The leader's view of the cluster: the Secret, its webhook configuration, the replicas. */
function rotationParts(config: Config, kubeConfig: KubeConfig, identity: string): RotationParts {
  const namespace = config.INJECTOR_NAMESPACE;
  const durationMs = config.TLS_LEASE_DURATION * 1000;
  return {
    secret: tlsSecret(kubeConfig, namespace, config.TLS_SECRET_NAME),
    bundle: webhookCaBundle(kubeConfig, config.WEBHOOK_CONFIGURATION_NAME),
    replicas: replicaLeases({ kubeConfig, namespace, group: config.TLS_SECRET_NAME, identity, durationMs }),
    names: servingNames(config),
    caLifetimeMs: config.TLS_CA_LIFETIME * 1000,
    // A serving certificate never outlives its CA (issue.ts also caps it at the CA's notAfter).
    certLifetimeMs: Math.min(config.TLS_CERT_LIFETIME, config.TLS_CA_LIFETIME) * 1000,
    now: Date.now,
  };
}

/** The names the serving certificate carries: the Service in the injector's namespace, and extras. */
export function servingNames(config: Config): ServiceNames {
  const extra = config.TLS_EXTRA_NAMES;
  return {
    dnsNames: [...serviceNames(config.SERVICE_NAME, config.INJECTOR_NAMESPACE), ...extra.filter((n) => !isIP(n))],
    ipAddresses: extra.filter((name) => isIP(name) !== 0),
  };
}
