/**
 * The self-managed certificate's life, as one pure decision: given what the Secret holds, what the
 * webhook configuration trusts and what the replicas serve, the one next step the leader takes.
 * The leader applies it, reads the world again and asks again, so every step is small, stored
 * before the next, and safe to repeat after a crash or a lost election.
 *
 * Rotation never leaves a replica serving a certificate the API server does not trust:
 *   add-next-ca     new CA beside the old one in the Secret's bundle (nothing signed by it yet)
 *   publish         the webhook configuration's caBundle := the Secret's bundle (old + new)
 *   switch-signer   only once the new CA is published: serving certificate from the new CA
 *   retire-old-cas  only once every live replica serves a certificate from the new CA
 *   publish         caBundle := the new CA alone
 */

export interface CertInfo {
  fingerprint: string;
  notBefore: number;
  notAfter: number;
}

export interface ServingInfo extends CertInfo {
  /** Fingerprint of the CA that signed it, when that CA is in the bundle. */
  signedBy?: string;
  /** The certificate names every DNS name and IP address it must. */
  namesOk: boolean;
}

export interface StoredCertificates {
  signer: CertInfo;
  serving: ServingInfo;
  /** Every CA the Secret says clients should trust, oldest first; the signer among them. */
  bundle: CertInfo[];
  /** A CA generated for the next rotation, in the bundle but not yet signing. */
  next?: CertInfo;
}

export interface RotationInput {
  now: number;
  /** undefined: no Secret; 'invalid': a Secret this code cannot use (it is replaced). */
  stored: StoredCertificates | 'invalid' | undefined;
  /** CA fingerprints in each webhook's caBundle of the MutatingWebhookConfiguration. */
  published: string[][];
  /** Serving-certificate fingerprints of the live replicas (the leader included). */
  replicasServing: string[];
}

export type RotationStep =
  | { kind: 'create'; why: string }
  | { kind: 'publish' }
  | { kind: 'switch-signer' }
  | { kind: 'retire-old-cas' }
  | { kind: 'add-next-ca' }
  | { kind: 'renew-serving'; why: string }
  | { kind: 'wait'; until: number; why: string };

/** Renewal at two thirds of the lifetime, as cert-manager does by default. */
export function renewalTime(cert: CertInfo): number {
  return cert.notBefore + ((cert.notAfter - cert.notBefore) * 2) / 3;
}

export function nextRotationStep(input: RotationInput): RotationStep {
  const { stored, now } = input;
  if (stored === undefined) return { kind: 'create', why: 'no certificate Secret yet' };
  if (stored === 'invalid') return { kind: 'create', why: 'the certificate Secret cannot be used' };
  if (stored.signer.notAfter <= now) return { kind: 'create', why: 'the CA has expired' };
  if (!samePublished(input.published, stored.bundle)) return { kind: 'publish' };
  if (stored.next) return { kind: 'switch-signer' };
  const servingFromSigner = input.replicasServing.every((f) => f === stored.serving.fingerprint);
  if (stored.bundle.length > 1) {
    if (servingFromSigner) return { kind: 'retire-old-cas' };
    return { kind: 'wait', until: now + 1_000, why: 'a replica still serves a certificate from the old CA' };
  }
  return servingOrWait(stored, now);
}

function servingOrWait(stored: StoredCertificates, now: number): RotationStep {
  if (renewalTime(stored.signer) <= now) return { kind: 'add-next-ca' };
  const serving = stored.serving;
  if (serving.signedBy !== stored.signer.fingerprint)
    return { kind: 'renew-serving', why: 'not signed by the current CA' };
  if (!serving.namesOk) return { kind: 'renew-serving', why: 'the service names changed' };
  if (serving.notAfter <= now) return { kind: 'renew-serving', why: 'expired' };
  if (renewalTime(serving) <= now) return { kind: 'renew-serving', why: 'two thirds of its lifetime have passed' };
  const until = Math.min(renewalTime(serving), renewalTime(stored.signer));
  return { kind: 'wait', until, why: 'nothing due' };
}

/** Every webhook trusts exactly the bundle's CAs. */
function samePublished(published: string[][], bundle: CertInfo[]): boolean {
  const want = bundle.map((ca) => ca.fingerprint).sort();
  return (
    published.length > 0 &&
    published.every((cas) => cas.length === want.length && [...cas].sort().every((f, i) => f === want[i]))
  );
}
