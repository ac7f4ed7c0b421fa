import { pino, type Logger } from 'pino';

export type { Logger };

/** One logger per process, passed down explicitly; never a module singleton tests must mock. */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    { level, base: { service: 'sidecar-injector' }, timestamp: pino.stdTimeFunctions.isoTime },
    destination ?? pino.destination({ sync: false }),
  );
}
