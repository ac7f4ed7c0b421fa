/**
 * The bytes of review bodies the process holds at once, read and parsed. JSON.parse turns a body
 * into up to ~6× its size of heap (measured: a 3.9 MiB map of annotations, 22 MB), so without a
 * budget two dozen concurrent 9 MiB bodies from a direct caller exhaust the heap and abort the
 * process (measured: 24 of them under --max-old-space-size=192), taking every API server call
 * with it. A request reserves its declared Content-Length before its body is read; while the
 * budget is full it waits unread (TCP holds the bytes, not our heap), smallest first, so an
 * ordinary pod's review overtakes the large ones; one that cannot get in before its wait ends is
 * answered busy. A body larger than the whole budget runs alone.
 */
export interface BodyBudget {
  /** A release function once `bytes` fit, or undefined when `waitMs` passed first. */
  reserve(bytes: number, waitMs: number): Promise<(() => void) | undefined>;
  /** Bytes reserved now, and requests waiting: for the busy message. */
  state(): { reserved: number; waiting: number };
}

interface Waiter {
  bytes: number;
  grant: (release: () => void) => void;
}

export function bodyBudget(capacity: number): BodyBudget {
  let reserved = 0;
  // Kept sorted by bytes, arrival order among equals: the smallest waiting request goes next.
  const waiters: Waiter[] = [];
  const admit = (): void => {
    while (waiters[0] && reserved + waiters[0].bytes <= capacity) {
      const { bytes, grant } = waiters.shift() as Waiter;
      reserved += bytes;
      grant(
        once(() => {
          reserved -= bytes;
          admit();
        }),
      );
    }
  };
  return {
    reserve(requested, waitMs) {
      // Clamped: a body larger than the whole budget still runs, alone.
      const bytes = Math.min(Math.max(requested, 1), capacity);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          resolve(undefined);
        }, waitMs);
        const grant = (release: () => void): void => {
          clearTimeout(timer);
          resolve(release);
        };
        const waiter: Waiter = { bytes, grant };
        const at = waiters.findIndex((w) => w.bytes > bytes);
        waiters.splice(at === -1 ? waiters.length : at, 0, waiter);
        admit();
      });
    },
    state: () => ({ reserved, waiting: waiters.length }),
  };
}

/** Releasing twice (an error path after a response) must not free bytes twice. */
function once(release: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    release();
  };
}
