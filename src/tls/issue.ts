/**
 * Every certificate we issue (self-managed rotation, `npm run certs`, the dev server): ECDSA
 * P-256 keys, SHA-256 signatures (Go's TLS stack, the API server's, accepts both; selfsigned
 * defaults to SHA-1, which it rejects). P-256, as the cert-manager overlay asks for too: the API
 * server opens a TLS connection per concurrent admission call beyond its idle pool, and the
 * server's signature costs ~0.03 ms with P-256 against ~0.4 ms with RSA-2048 (openssl speed here).
 * Lifetimes are in milliseconds so tests can force renewal within seconds.
 */

export interface IssuedPair {
  cert: string;
  key: string;
}

export interface ServingRequest {
  ca: IssuedPair;
  dnsNames: readonly string[];
  ipAddresses: readonly string[];
  lifetimeMs: number;
  /** The serving certificate never outlives its CA. */
  caNotAfter: number;
  now: number;
}

/** Backdated a little (at most 5 minutes, at most a tenth of the lifetime) for clock skew. */
function validity(now: number, lifetimeMs: number, cap = Infinity): { notBeforeDate: Date; notAfterDate: Date } {
  const notBefore = now - Math.min(5 * 60_000, Math.floor(lifetimeMs / 10));
  return { notBeforeDate: new Date(notBefore), notAfterDate: new Date(Math.min(notBefore + lifetimeMs, cap)) };
}

export async function issueCa(commonName: string, lifetimeMs: number, now: number): Promise<IssuedPair> {
  const { generate } = await import('selfsigned');
  const made = await generate([{ name: 'commonName', value: commonName }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    ...validity(now, lifetimeMs),
    extensions: [
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return pemPair(made);
}

export async function issueServing(request: ServingRequest): Promise<IssuedPair> {
  const { generate } = await import('selfsigned');
  const made = await generate([{ name: 'commonName', value: request.dnsNames[0] ?? 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    ...validity(request.now, request.lifetimeMs, request.caNotAfter),
    ca: { key: request.ca.key, cert: request.ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          ...request.dnsNames.map((value) => ({ type: 2 as const, value })),
          ...request.ipAddresses.map((ip) => ({ type: 7 as const, ip })),
        ],
      },
    ],
  });
  return pemPair(made);
}

/** One newline after each PEM block, so bundles concatenate into blocks every parser splits. */
function pemPair(made: { cert: string; private: string }): IssuedPair {
  const line = (pem: string): string => `${pem.trimEnd()}\n`;
  return { cert: line(made.cert), key: line(made.private) };
}
