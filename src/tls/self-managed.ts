import type { Logger } from '../log.js';
import type { Lease } from '../kube/lease.js';
import { apiErrorMessage, type StoredSecret } from '../kube/tls-secret.js';
import { StartupError } from '../startup-error.js';
import type { ReloadEvent } from '../watch.js';
import { verifyPair, type CertificatePair } from './pair.js';
import { rotateOnce, type RotationParts } from './rotate.js';
import type { CertificateSource } from './source.js';
import { certInfo, decodeMaterial, trustedBy } from './stored.js';

/** The objects in the cluster, named for the messages a user acts on. */
export interface SelfManagedObjects {
  namespace: string;
  secretName: string;
  webhookName: string;
  leaseName: string;
}

export interface SelfManagedOptions {
  /** The Secret, the caBundle, the replicas' Leases and the lifetimes (built by the caller). */
  rotation: RotationParts;
  /** The leader's Lease. */
  lease: Lease;
  objects: SelfManagedObjects;
  identity: string;
  leaseDurationMs: number;
  startTimeoutMs: number;
  report: (event: ReloadEvent) => void;
  log: Logger;
  now?: () => number;
}

type Served = CertificatePair & { fingerprint: string };

/**
 * TLS_MODE=self-managed: the replicas elect a leader with a Lease; the leader keeps the CA and the
 * serving certificate in a Secret and the CAs in the webhook configuration's caBundle (rotate.ts).
 * Every replica serves what the Secret holds, reloading on each change it watches, announces what
 * it serves, and is healthy only while every webhook's caBundle trusts it.
 */
export function selfManagedCertificateSource(options: SelfManagedOptions): CertificateSource {
  const now = options.now ?? Date.now;
  const parts: Parts = { rotation: options.rotation, election: election(options.lease, options, now) };
  const served = servedCertificate(options.report);
  const state = { trusted: false, stopped: false, timer: undefined as NodeJS.Timeout | undefined };
  let stopWatch = (): void => undefined;
  const loop = (): void => {
    if (state.stopped) return;
    void checkOnce(parts, served, options.log)
      .then((trusted) => (state.trusted = trusted))
      .catch((error: Error) => options.log.warn({ err: apiErrorMessage(error) }, 'certificate check failed; retrying'))
      .finally(() => {
        if (!state.stopped) state.timer = setTimeout(loop, Math.max(200, options.leaseDurationMs / 5));
      });
  };
  const source: CertificateSource = {
    async start() {
      const broken = (error: Error): void =>
        options.log.warn({ err: apiErrorMessage(error) }, 'certificate Secret watch broke; restarting it');
      stopWatch = parts.rotation.secret.watch(served.load, broken);
      loop();
      const pair = await served.first(options.startTimeoutMs);
      if (pair) return pair;
      source.stop();
      throw new StartupError([startProblem(options)]);
    },
    current: () => served.pair() ?? notStarted(),
    healthy: () => (served.pair()?.notAfter.getTime() ?? 0) > now() && state.trusted,
    onRotate: served.onRotate,
    check: async () => served.load(await parts.rotation.secret.read()),
    stop() {
      state.stopped = true;
      clearTimeout(state.timer);
      stopWatch();
      void parts.rotation.replicas.remove();
      void parts.election.release();
    },
  };
  return source;
}

interface Parts {
  rotation: RotationParts;
  election: Election;
}

interface Election {
  /** Tries to acquire or renew; true while this replica leads. */
  check(): Promise<boolean>;
  release(): Promise<void>;
}

function election(held: Lease, options: SelfManagedOptions, now: () => number): Election {
  let leading = false;
  let renewedAt = 0;
  return {
    async check() {
      let renewed = false;
      const result = await held.tryAcquireOrRenew().then(
        (ok) => (renewed = ok),
        (error: unknown) => {
          options.log.warn({ err: apiErrorMessage(error) }, 'certificate leader election failed; retrying');
          // A failed renewal keeps the lead only while the lease cannot have expired for the others.
          return leading && now() - renewedAt < (options.leaseDurationMs * 2) / 3;
        },
      );
      if (renewed) renewedAt = now();
      if (result !== leading)
        options.log.info({ identity: options.identity }, result ? 'leading certificates' : 'no longer leading');
      leading = result;
      return leading;
    },
    release: () => (leading ? held.release() : Promise.resolve()),
  };
}

/** One round: lead if elected, reload what the Secret holds, announce it, see whether it is trusted. */
async function checkOnce(parts: Parts, served: ServedCertificate, log: Logger): Promise<boolean> {
  if (await parts.election.check()) await rotateUntilWaiting(parts.rotation, log);
  served.load(await parts.rotation.secret.read());
  const pair = served.pair();
  if (pair) await parts.rotation.replicas.announce(pair.fingerprint);
  const published = await parts.rotation.bundle.read();
  return !!pair && published.length > 0 && published.every((pem) => trustedBy(pair.cert, pem));
}

async function rotateUntilWaiting(parts: RotationParts, log: Logger): Promise<void> {
  for (let i = 0; i < 6; i++) {
    const step = await rotateOnce(parts);
    if (step.kind === 'wait') return;
    log.info({ step: step.kind, ...('why' in step ? { why: step.why } : {}) }, 'certificate rotation step');
  }
}

/** The pair this replica serves, swapped in (and announced to listeners) when the Secret changes. */
interface ServedCertificate {
  pair(): Served | undefined;
  /** The first pair, or undefined after timeoutMs. */
  first(timeoutMs: number): Promise<Served | undefined>;
  load(stored: StoredSecret | undefined): void;
  onRotate(listener: (pair: CertificatePair) => void): void;
}

function servedCertificate(report: (event: ReloadEvent) => void): ServedCertificate {
  const listeners: ((pair: CertificatePair) => void)[] = [];
  let served: Served | undefined;
  return {
    pair: () => served,
    async first(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!served && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      return served;
    },
    load(stored) {
      const material = stored ? decodeMaterial(stored.data) : undefined;
      if (!material || material.serving.cert === served?.cert) return;
      try {
        const pair = verifyPair(material.serving.cert, material.serving.key);
        served = { ...pair, fingerprint: certInfo(material.serving.cert).fingerprint };
        for (const listener of listeners) listener(served);
        report({
          kind: 'certificate',
          ok: true,
          fields: { subject: pair.subject, notAfter: pair.notAfter.toISOString() },
        });
      } catch (error) {
        report({ kind: 'certificate', ok: false, error: error as Error });
      }
    },
    onRotate: (listener) => void listeners.push(listener),
  };
}

function notStarted(): never {
  throw new Error('the certificate source has not started');
}

function startProblem(options: SelfManagedOptions): string {
  const { namespace, secretName, leaseName, webhookName } = options.objects;
  return (
    `TLS_MODE=self-managed: no usable certificate in Secret ${namespace}/${secretName} after ` +
    `${options.startTimeoutMs / 1000} s. The elected leader writes it: check that this ServiceAccount may get, ` +
    `create and update that Secret and the Lease ${leaseName}, and get and patch the ` +
    `MutatingWebhookConfiguration ${webhookName} (the log says which call failed)`
  );
}
