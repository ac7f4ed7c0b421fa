import { readFile } from 'node:fs/promises';
import { verifyPair, type CertificatePair } from './tls.js';

export interface CertFiles {
  certFile: string;
  keyFile: string;
}

/** Reads and verifies the pair; throws with the reason when the files do not belong together. */
export async function readCertificatePair(files: CertFiles): Promise<CertificatePair> {
  const [cert, key] = await Promise.all([readFile(files.certFile, 'utf8'), readFile(files.keyFile, 'utf8')]);
  try {
    return verifyPair(cert, key);
  } catch (error) {
    throw new Error(`${files.certFile} / ${files.keyFile}: ${(error as Error).message}`);
  }
}

/** Raw contents, so a half-written rotation (new cert, old key) is seen as a change and checked. */
export async function fingerprintCertFiles(files: CertFiles): Promise<string> {
  const [cert, key] = await Promise.all([readFile(files.certFile, 'utf8'), readFile(files.keyFile, 'utf8')]);
  return `${cert}\n${key}`;
}
