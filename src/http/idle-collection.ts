import { getHeapStatistics } from 'node:v8';

/**
 * Gives the heap back to the system once a burst of admission requests is over.
 *
 * V8 grows the heap under load (the young generation up to 2 x --max-semi-space-size, the old
 * generation by its growing factor) and shrinks it only when its memory reducer runs: about 8 s
 * after allocation slows, and only if a full collection since the reducer's last run found the old
 * generation at least 10% larger. When the reducer last ran during the burst, nothing re-arms it
 * afterwards: `npm run soak` measured 164 MB RSS 90 s after its load (heap 59 MB committed, 25 MB
 * used), where a full collection brings the heap to 17-20 MB and RSS to 114-120 MB.
 *
 * So once no admission request has arrived for IDLE_COLLECTION_MS, and the heap has grown by
 * MIN_HEAP_GROWTH_BYTES since the last collection, one full collection runs: one mark-compact of
 * the live heap (tens of ms) while nothing waits, at most once per idle period. Probes do not count
 * as activity (readiness is probed every 2 s). It needs node's --expose-gc, which the image's
 * ENTRYPOINT sets; without it, V8's own reducer is all there is.
 */
export const IDLE_COLLECTION_MS = 10_000;

/** Less growth than this is not worth a collection: the young generation alone starts at 1-2 MB. */
export const MIN_HEAP_GROWTH_BYTES = 16 * 1024 * 1024;

export interface IdleCollectionOptions {
  idleMs?: number;
  minGrowthBytes?: number;
  /** The full collection; `globalThis.gc` (defined by --expose-gc) unless given. */
  gc?: (() => void) | undefined;
  /** The heap's committed size in bytes; V8's total_heap_size unless given. */
  heapSize?: () => number;
  /** Told the committed heap size before and after each collection. */
  onCollected?: (before: number, after: number) => void;
}

export interface IdleCollection {
  /** An admission request arrived: the idle period starts again. */
  touch(): void;
  stop(): void;
}

/** One full collection after each burst of requests (see above); a no-op without a gc function. */
export function collectWhenIdle(options: IdleCollectionOptions = {}): IdleCollection {
  const gc = 'gc' in options ? options.gc : (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return { touch: () => undefined, stop: () => undefined };
  const heapSize = options.heapSize ?? ((): number => getHeapStatistics().total_heap_size);
  const minGrowth = options.minGrowthBytes ?? MIN_HEAP_GROWTH_BYTES;
  let afterLast = heapSize();
  const timer = setTimeout(() => {
    const before = heapSize();
    if (before < afterLast + minGrowth) return;
    gc();
    afterLast = heapSize();
    options.onCollected?.(before, afterLast);
  }, options.idleMs ?? IDLE_COLLECTION_MS);
  // Never what keeps the process alive. refresh() restarts it, also once it has fired.
  timer.unref();
  return { touch: () => void timer.refresh(), stop: () => clearTimeout(timer) };
}
