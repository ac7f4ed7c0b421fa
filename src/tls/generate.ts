/** Certificate generation for development and the CLI; the serving process never generates. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { issueCa, issueServing } from './issue.js';

/** The names the API server dials (`<service>.<namespace>.svc`) plus local development. */
export function serviceNames(service: string, namespace: string): string[] {
  return [
    `${service}.${namespace}.svc`,
    `${service}.${namespace}.svc.cluster.local`,
    `${service}.${namespace}`,
    service,
  ];
}

export interface GeneratedCerts {
  caCert: string;
  caKey: string;
  cert: string;
  key: string;
}

export interface CertRequest {
  dnsNames: readonly string[];
  ipAddresses?: readonly string[];
  days?: number;
  /** Sign with this CA instead of making a new one: a rotation the webhook's caBundle already trusts. */
  ca?: { cert: string; key: string };
}

const DAY_MS = 86_400_000;

/**
 * A CA (valid twice as long) and a serving certificate it signs, for `npm run certs` and the dev
 * server: the same issuing code as the self-managed mode's rotation (ECDSA P-256, SHA-256, every
 * name in the SAN because Go refuses certificates that rely on the Common Name).
 */
export async function generateCerts(request: CertRequest): Promise<GeneratedCerts> {
  const now = Date.now();
  const lifetimeMs = (request.days ?? 365) * DAY_MS;
  const ca = request.ca ?? (await issueCa('sidecar-injector-ca', 2 * lifetimeMs, now));
  const serving = await issueServing({
    ca,
    dnsNames: request.dnsNames,
    ipAddresses: request.ipAddresses ?? [],
    lifetimeMs,
    caNotAfter: Date.parse(new X509Certificate(ca.cert).validTo),
    now,
  });
  return { caCert: ca.cert, caKey: ca.key, cert: serving.cert, key: serving.key };
}

/** Writes ca.crt, ca.key, tls.crt and tls.key; keys are readable by the owner only. */
export async function writeCerts(dir: string, certs: GeneratedCerts): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'ca.crt'), certs.caCert);
  await writeFile(join(dir, 'ca.key'), certs.caKey, { mode: 0o600 });
  await writeFile(join(dir, 'tls.crt'), certs.cert);
  await writeFile(join(dir, 'tls.key'), certs.key, { mode: 0o600 });
}
