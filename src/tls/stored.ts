import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { IssuedPair } from './issue.js';
import type { CertInfo, StoredCertificates } from './rotation.js';

/**
 * What the self-managed mode keeps in its Secret (type kubernetes.io/tls, so tls.crt, tls.key and
 * ca.crt mean what they mean everywhere): the serving pair, the CA bundle clients should trust,
 * the CA that signs, and during a rotation the CA that will sign next.
 */
export const SECRET_KEYS = {
  servingCert: 'tls.crt',
  servingKey: 'tls.key',
  bundle: 'ca.crt',
  signerCert: 'ca-signer.crt',
  signerKey: 'ca-signer.key',
  nextCert: 'ca-next.crt',
  nextKey: 'ca-next.key',
} as const;

export interface CertificateMaterial {
  serving: IssuedPair;
  signer: IssuedPair;
  next?: IssuedPair;
  /** PEM certificates, oldest first. */
  bundle: string[];
}

export interface ServiceNames {
  dnsNames: readonly string[];
  ipAddresses: readonly string[];
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g;

export function splitPem(text: string): string[] {
  return (text.match(PEM_CERT) ?? []).map((pem) => (pem.endsWith('\n') ? pem : `${pem}\n`));
}

/** Secret data (base64) → material; undefined when a key is missing or a pair does not belong together. */
export function decodeMaterial(data: Record<string, string> | undefined): CertificateMaterial | undefined {
  const text = (key: string): string => Buffer.from(data?.[key] ?? '', 'base64').toString('utf8');
  const pair = (cert: string, key: string): IssuedPair | undefined => {
    const found = { cert: text(cert), key: text(key) };
    if (!found.cert || !found.key) return undefined;
    try {
      return new X509Certificate(found.cert).checkPrivateKey(createPrivateKey(found.key)) ? found : undefined;
    } catch {
      return undefined;
    }
  };
  const serving = pair(SECRET_KEYS.servingCert, SECRET_KEYS.servingKey);
  const signer = pair(SECRET_KEYS.signerCert, SECRET_KEYS.signerKey);
  const next = pair(SECRET_KEYS.nextCert, SECRET_KEYS.nextKey);
  const bundle = splitPem(text(SECRET_KEYS.bundle));
  if (!serving || !signer || bundle.length === 0) return undefined;
  return { serving, signer, bundle, ...(next ? { next } : {}) };
}

export function encodeMaterial(material: CertificateMaterial): Record<string, string> {
  const base64 = (value: string): string => Buffer.from(value, 'utf8').toString('base64');
  return {
    [SECRET_KEYS.servingCert]: base64(material.serving.cert),
    [SECRET_KEYS.servingKey]: base64(material.serving.key),
    [SECRET_KEYS.bundle]: base64(material.bundle.join('')),
    [SECRET_KEYS.signerCert]: base64(material.signer.cert),
    [SECRET_KEYS.signerKey]: base64(material.signer.key),
    ...(material.next
      ? { [SECRET_KEYS.nextCert]: base64(material.next.cert), [SECRET_KEYS.nextKey]: base64(material.next.key) }
      : {}),
  };
}

export function certInfo(pem: string): CertInfo {
  const cert = new X509Certificate(pem);
  return {
    fingerprint: cert.fingerprint256,
    notBefore: Date.parse(cert.validFrom),
    notAfter: Date.parse(cert.validTo),
  };
}

/** The plain facts nextRotationStep decides on. */
export function describeMaterial(material: CertificateMaterial, names: ServiceNames): StoredCertificates {
  const serving = new X509Certificate(material.serving.cert);
  const bundle = material.bundle.map(certInfo);
  const issuer = material.bundle.find((pem) => signs(new X509Certificate(pem), serving));
  const namesOk =
    names.dnsNames.every((name) => serving.checkHost(name, { wildcards: false }) === name) &&
    names.ipAddresses.every((ip) => serving.checkIP(ip) === ip);
  return {
    signer: certInfo(material.signer.cert),
    serving: {
      ...certInfo(material.serving.cert),
      namesOk,
      ...(issuer ? { signedBy: certInfo(issuer).fingerprint } : {}),
    },
    bundle,
    ...(material.next ? { next: certInfo(material.next.cert) } : {}),
  };
}

/** Does any CA of this PEM bundle sign this certificate? (readiness: served only what is trusted) */
export function trustedBy(certPem: string, bundlePem: string): boolean {
  const cert = new X509Certificate(certPem);
  return splitPem(bundlePem).some((ca) => signs(new X509Certificate(ca), cert));
}

/** By name and by signature: two generations of the CA may share a subject. */
function signs(authority: X509Certificate, cert: X509Certificate): boolean {
  return cert.checkIssued(authority) && cert.verify(authority.publicKey);
}
