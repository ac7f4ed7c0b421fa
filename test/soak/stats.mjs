// Counting for the soak: well-formed requests, their failures and latencies, and the server's RSS.
import { readFileSync } from 'node:fs';
import { injected } from './traffic.mjs';

/** The 99th percentile of a list of milliseconds (0 for none). */
export function p99(latencies) {
  if (latencies.length === 0) return 0;
  const sorted = Float64Array.from(latencies).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))];
}

/** Resident set size of a process in MB, from /proc (Linux). */
export function rssMb(pid) {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? NaN : Math.round(Number(kb) / 1024);
  } catch {
    return NaN;
  }
}

export class Stats {
  requests = 0;
  errors = 0;
  peakRss = 0;
  examples = [];
  #all = [];
  #interval = [];

  /**
   * One answer to a well-formed review: anything but an injection with this uid is a failure.
   * `via` (kept-alive or fresh connection) goes into the example, to tell the two causes apart.
   */
  record(answer, uid, via) {
    this.requests += 1;
    this.#all.push(answer.ms);
    this.#interval.push(answer.ms);
    if (injected(answer, uid)) return;
    this.errors += 1;
    if (this.examples.length < 3)
      this.examples.push(
        `${via}: ${answer.error ? String(answer.error.message) : `HTTP ${answer.status} ${answer.body.slice(0, 120)}`}`,
      );
  }

  /** The interval's count and p99, starting the next interval. */
  takeInterval() {
    const latencies = this.#interval;
    this.#interval = [];
    return { count: latencies.length, p99: p99(latencies) };
  }

  p99() {
    return p99(this.#all);
  }
}
