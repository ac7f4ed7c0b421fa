import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';

/** Serving-time checks of a certificate and key read from files. */
export interface CertFiles {
  certFile: string;
  keyFile: string;
}

export interface CertificatePair {
  cert: string;
  key: string;
  notAfter: Date;
  subject: string;
}

/** Checks that the key belongs to the certificate before anything serves with them. */
export function verifyPair(cert: string, key: string): CertificatePair {
  const leaf = new X509Certificate(cert);
  if (!leaf.checkPrivateKey(createPrivateKey(key))) throw new Error('the private key does not match the certificate');
  return { cert, key, notAfter: new Date(leaf.validTo), subject: leaf.subject };
}

/** Raw contents, so a half-written rotation (new cert, old key) is seen as a change and checked. */
export async function readCertFiles(files: CertFiles): Promise<{ cert: string; key: string; fingerprint: string }> {
  const [cert, key] = await Promise.all([readFile(files.certFile, 'utf8'), readFile(files.keyFile, 'utf8')]);
  return { cert, key, fingerprint: `${cert}\n${key}` };
}

/** Reads and verifies the pair; throws with the reason when the files do not belong together. */
export async function readCertificatePair(files: CertFiles): Promise<CertificatePair & { fingerprint: string }> {
  const { cert, key, fingerprint } = await readCertFiles(files);
  try {
    return { ...verifyPair(cert, key), fingerprint };
  } catch (error) {
    throw new Error(`${files.certFile} / ${files.keyFile}: ${(error as Error).message}`);
  }
}
