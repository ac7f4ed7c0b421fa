import type { Kubectl } from '../kubectl.js';

const METRIC = 'apiserver_admission_webhook_admission_duration_seconds';

/** One webhook's admission-latency histogram as the API server measures it (cumulative buckets). */
export interface Histogram {
  buckets: Array<{ le: number; count: number }>;
  count: number;
  sum: number;
}

function labelsOf(line: string): Record<string, string> {
  const inside = /\{(.*)\}/.exec(line)?.[1] ?? '';
  return Object.fromEntries([...inside.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
}

/** Adds every series of the webhook (operation CREATE, any `rejected`) into one histogram. */
export function parseHistogram(text: string, webhook: string): Histogram {
  return sumHistogram(text, METRIC, (labels) => labels['name'] === webhook && labels['type'] === 'admit');
}

/** Adds every series of `metric` whose labels `keep` accepts into one histogram (Prometheus text format). */
export function sumHistogram(
  text: string,
  metric: string,
  keep: (labels: Record<string, string>) => boolean,
): Histogram {
  const buckets = new Map<number, number>();
  let count = 0;
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(metric)) continue;
    const labels = labelsOf(line);
    if (!keep(labels)) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (line.startsWith(`${metric}_bucket`)) {
      const le = labels['le'] === '+Inf' ? Infinity : Number(labels['le']);
      buckets.set(le, (buckets.get(le) ?? 0) + value);
    } else if (line.startsWith(`${metric}_count`)) count += value;
    else if (line.startsWith(`${metric}_sum`)) sum += value;
  }
  return { buckets: [...buckets].map(([le, c]) => ({ le, count: c })).sort((a, b) => a.le - b.le), count, sum };
}

/** The requests between two scrapes. */
export function difference(after: Histogram, before: Histogram): Histogram {
  const earlier = new Map(before.buckets.map((b) => [b.le, b.count]));
  return {
    buckets: after.buckets.map((b) => ({ le: b.le, count: b.count - (earlier.get(b.le) ?? 0) })),
    count: after.count - before.count,
    sum: after.sum - before.sum,
  };
}

/** Prometheus' histogram_quantile: linear interpolation inside the bucket that holds the rank. */
export function quantile(q: number, histogram: Histogram): number {
  const total = histogram.buckets.at(-1)?.count ?? 0;
  if (total === 0) return NaN;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const { le, count } of histogram.buckets) {
    if (count >= rank) {
      if (le === Infinity) return lower;
      return lower + (le - lower) * ((rank - below) / (count - below || 1));
    }
    lower = le;
    below = count;
  }
  return lower;
}

export async function scrape(kubectl: Kubectl): Promise<string> {
  return kubectl.ok(['get', '--raw', '/metrics'], { timeoutMs: 60_000 });
}

/** How many times the API server called either of our webhooks (any outcome). */
export async function callsToWebhooks(kubectl: Kubectl, webhooks: readonly string[]): Promise<number> {
  const text = await scrape(kubectl);
  return webhooks.reduce((total, name) => total + parseHistogram(text, name).count, 0);
}
