import type { ReplicaLeases } from '../kube/replica-leases.js';
import type { TlsSecret } from '../kube/tls-secret.js';
import type { WebhookCaBundle } from '../kube/webhook-ca-bundle.js';
import { issueCa, issueServing, type IssuedPair } from './issue.js';
import { nextRotationStep, type RotationStep } from './rotation.js';
import {
  certInfo,
  decodeMaterial,
  describeMaterial,
  encodeMaterial,
  splitPem,
  type CertificateMaterial,
  type ServiceNames,
} from './stored.js';

export interface RotationParts {
  secret: TlsSecret;
  bundle: WebhookCaBundle;
  replicas: ReplicaLeases;
  names: ServiceNames;
  caLifetimeMs: number;
  certLifetimeMs: number;
  now: () => number;
}

/**
 * The leader's turn: read the Secret, the published caBundle and the replicas, take the one step
 * nextRotationStep names, and say what it was. A lost write race (409) is not an error: the next
 * turn reads what the other writer stored.
 */
export async function rotateOnce(parts: RotationParts): Promise<RotationStep> {
  const [stored, published, replicasServing] = await Promise.all([
    parts.secret.read(),
    parts.bundle.read(),
    parts.replicas.liveServing(),
  ]);
  const material = stored ? decodeMaterial(stored.data) : undefined;
  const step = nextRotationStep({
    now: parts.now(),
    stored: material ? describeMaterial(material, parts.names) : stored ? 'invalid' : undefined,
    published: published.map((pem) => splitPem(pem).map((ca) => certInfo(ca).fingerprint)),
    replicasServing,
  });
  const next = await materialAfter(step, material, parts);
  if (step.kind === 'publish' && material) await parts.bundle.publish(material.bundle.join(''));
  if (next) await parts.secret.write(encodeMaterial(next), stored?.resourceVersion);
  return step;
}

/** The Secret's new contents for a step that changes it; undefined for publish and wait. */
async function materialAfter(
  step: RotationStep,
  material: CertificateMaterial | undefined,
  parts: RotationParts,
): Promise<CertificateMaterial | undefined> {
  const now = parts.now();
  const newCa = (): Promise<IssuedPair> =>
    issueCa(`sidecar-injector-ca@${Math.floor(now / 1000)}`, parts.caLifetimeMs, now);
  const serving = (ca: IssuedPair): Promise<IssuedPair> =>
    issueServing({ ca, ...parts.names, lifetimeMs: parts.certLifetimeMs, caNotAfter: certInfo(ca.cert).notAfter, now });
  if (step.kind === 'create') {
    const signer = await newCa();
    return { signer, serving: await serving(signer), bundle: [signer.cert] };
  }
  if (!material) return undefined;
  switch (step.kind) {
    case 'add-next-ca': {
      const next = await newCa();
      return { ...material, next, bundle: [...material.bundle, next.cert] };
    }
    case 'switch-signer': {
      const signer = material.next ?? material.signer;
      return { signer, serving: await serving(signer), bundle: material.bundle };
    }
    case 'retire-old-cas':
      return { ...material, bundle: [material.signer.cert] };
    case 'renew-serving':
      return { ...material, serving: await serving(material.signer) };
    default:
      return undefined;
  }
}
