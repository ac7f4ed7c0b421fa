import { dirname } from 'node:path';
import { StartupError } from '../startup-error.js';
import { watchForChanges, type ChangeWatcher, type ReloadEvent } from '../watch.js';
import { readCertFiles, readCertificatePair, type CertFiles, type CertificatePair } from './pair.js';

/** The serving certificate, after cert-manager: start, current, healthy; rotations are pushed. */
export interface CertificateSource {
  start(): Promise<CertificatePair>;
  current(): CertificatePair;
  /** Started and not expired. */
  healthy(): boolean;
  onRotate(listener: (pair: CertificatePair) => void): void;
  /** Re-reads now instead of waiting for the next poll. */
  check(): Promise<void>;
  stop(): void;
}

export interface FileCertificateOptions {
  files: CertFiles;
  intervalMs: number;
  report: (event: ReloadEvent) => void;
  now?: () => number;
}

/** A certificate and key mounted from a Secret; a broken rotation keeps the current pair. */
export function fileCertificateSource(options: FileCertificateOptions): CertificateSource {
  const { files, report } = options;
  const now = options.now ?? Date.now;
  const listeners: ((pair: CertificatePair) => void)[] = [];
  let pair: CertificatePair | undefined;
  let watcher: ChangeWatcher | undefined;
  const apply = async (): Promise<string> => {
    const next = await readCertificatePair(files);
    pair = next;
    for (const listener of listeners) listener(next);
    report({ kind: 'certificate', ok: true, fields: { subject: next.subject, notAfter: next.notAfter.toISOString() } });
    return next.fingerprint;
  };
  return {
    async start() {
      const first = await readCertificatePair(files).catch((error: Error) => {
        throw new StartupError([`TLS: ${error.message}`]);
      });
      pair = first;
      const dirs = [dirname(files.certFile), dirname(files.keyFile)];
      const fingerprint = async (): Promise<string> => (await readCertFiles(files)).fingerprint;
      const onError = (error: Error): void => report({ kind: 'certificate', ok: false, error });
      watcher = watchForChanges(
        { dirs, intervalMs: options.intervalMs, fingerprint, apply, onError },
        first.fingerprint,
      );
      return first;
    },
    current() {
      if (!pair) throw new Error('the certificate source has not started');
      return pair;
    },
    healthy: () => pair !== undefined && pair.notAfter.getTime() > now(),
    onRotate: (listener) => void listeners.push(listener),
    check: () => watcher?.check() ?? Promise.resolve(),
    stop: () => watcher?.stop(),
  };
}
