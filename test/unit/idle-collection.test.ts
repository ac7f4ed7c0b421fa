import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { collectWhenIdle, IDLE_COLLECTION_MS, MIN_HEAP_GROWTH_BYTES } from '../../src/http/idle-collection.js';

const MB = 2 ** 20;

/** A heap whose committed size the test sets, and a gc that shrinks it back to `live`. */
function fakeHeap(live: number): { size: number; gc: () => void; collections: number } {
  const heap = {
    size: live,
    collections: 0,
    gc: () => {
      heap.collections += 1;
      heap.size = live;
    },
  };
  return heap;
}

describe('collectWhenIdle: one full collection after each burst of admission requests', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('collects once the requests stop for the idle period and the heap has grown', () => {
    const heap = fakeHeap(20 * MB);
    const collected: number[][] = [];
    const idle = collectWhenIdle({
      gc: heap.gc,
      heapSize: () => heap.size,
      onCollected: (...sizes) => collected.push(sizes),
    });
    heap.size = 60 * MB;
    for (let i = 0; i < 5; i += 1) {
      idle.touch();
      vi.advanceTimersByTime(IDLE_COLLECTION_MS - 1);
    }
    expect(heap.collections).toBe(0);
    vi.advanceTimersByTime(1);
    expect(heap.collections).toBe(1);
    expect(collected).toEqual([[60 * MB, 20 * MB]]);
    vi.advanceTimersByTime(10 * IDLE_COLLECTION_MS);
    expect(heap.collections).toBe(1);
    idle.stop();
  });

  it('collects again after the next burst, not after an idle period where the heap did not grow', () => {
    const heap = fakeHeap(20 * MB);
    const idle = collectWhenIdle({ gc: heap.gc, heapSize: () => heap.size });
    heap.size = 20 * MB + MIN_HEAP_GROWTH_BYTES - 1;
    idle.touch();
    vi.advanceTimersByTime(IDLE_COLLECTION_MS);
    expect(heap.collections).toBe(0);
    heap.size = 20 * MB + MIN_HEAP_GROWTH_BYTES;
    idle.touch();
    vi.advanceTimersByTime(IDLE_COLLECTION_MS);
    expect(heap.collections).toBe(1);
    heap.size = 50 * MB;
    idle.touch();
    vi.advanceTimersByTime(IDLE_COLLECTION_MS);
    expect(heap.collections).toBe(2);
    idle.stop();
  });

  it('never collects once stopped', () => {
    const heap = fakeHeap(20 * MB);
    const idle = collectWhenIdle({ gc: heap.gc, heapSize: () => heap.size });
    heap.size = 100 * MB;
    idle.touch();
    idle.stop();
    vi.advanceTimersByTime(10 * IDLE_COLLECTION_MS);
    expect(heap.collections).toBe(0);
  });

  it('does nothing without a gc function (node started without --expose-gc)', () => {
    const idle = collectWhenIdle({ gc: undefined, heapSize: () => 100 * MB });
    idle.touch();
    expect(vi.getTimerCount()).toBe(0);
    idle.stop();
  });
});
