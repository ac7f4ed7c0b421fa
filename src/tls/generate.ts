/** Certificate generation for development and the CLI; the serving process never generates. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

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

/**
 * A CA and a serving certificate it signs. SHA-256 throughout: selfsigned defaults to SHA-1,
 * which Node's OpenSSL ("ca md too weak") and Go both reject in a chain. The SAN carries every
 * name, because Go refuses certificates that rely on the Common Name.
 */
export async function generateCerts(request: CertRequest): Promise<GeneratedCerts> {
  // Loaded only here: the serving process never generates certificates and saves ~15 MB.
  const { generate } = await import('selfsigned');
  const days = request.days ?? 365;
  const notBeforeDate = new Date(Date.now() - 5 * 60_000);
  const notAfterDate = new Date(notBeforeDate.getTime() + days * 86_400_000);
  const ca = request.ca
    ? { cert: request.ca.cert, private: request.ca.key }
    : await newCa(generate, notBeforeDate, days);
  const serving = await generate([{ name: 'commonName', value: request.dnsNames[0] ?? 'localhost' }], {
    algorithm: 'sha256',
    keySize: 2048,
    notBeforeDate,
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          ...request.dnsNames.map((value) => ({ type: 2 as const, value })),
          ...(request.ipAddresses ?? []).map((ip) => ({ type: 7 as const, ip })),
        ],
      },
    ],
  });
  return { caCert: ca.cert, caKey: ca.private, cert: serving.cert, key: serving.private };
}

type Generate = (typeof import('selfsigned'))['generate'];

function newCa(generate: Generate, notBeforeDate: Date, days: number): Promise<{ cert: string; private: string }> {
  return generate([{ name: 'commonName', value: 'sidecar-injector-ca' }], {
    algorithm: 'sha256',
    keySize: 2048,
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + 2 * days * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
}

/** Writes ca.crt, ca.key, tls.crt and tls.key; keys are readable by the owner only. */
export async function writeCerts(dir: string, certs: GeneratedCerts): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'ca.crt'), certs.caCert);
  await writeFile(join(dir, 'ca.key'), certs.caKey, { mode: 0o600 });
  await writeFile(join(dir, 'tls.crt'), certs.cert);
  await writeFile(join(dir, 'tls.key'), certs.key, { mode: 0o600 });
}
