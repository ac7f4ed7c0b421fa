import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { difference, parseHistogram, quantile, scrape, sumHistogram, type Histogram } from './apiserver-metrics.js';
import { assert, describePod, inNamespace, isInjected, namespace, poll, type Scenario } from './context.js';
import { ENABLED, serverMinor, workload, WEBHOOKS } from './injection.js';

const REPLICAS = 200;

function latency(histogram: Histogram): { p50Ms: number; p99Ms: number; requests: number; meanMs: number } {
  const ms = (seconds: number): number => Math.round(seconds * 10_000) / 10;
  return {
    requests: histogram.count,
    p50Ms: ms(quantile(0.5, histogram)),
    p99Ms: ms(quantile(0.99, histogram)),
    meanMs: ms(histogram.count ? histogram.sum / histogram.count : NaN),
  };
}

/** The webhook's own view of the same calls, where its metrics port is reachable (local processes). */
interface OwnView {
  histogram: Histogram;
  cpuSeconds: number;
}

async function ownView(ctx: Parameters<Scenario['run']>[0]): Promise<OwnView | undefined> {
  const text = await ctx.webhook?.metrics?.();
  if (text === undefined) return undefined;
  const cpu = /^process_cpu_seconds_total (\S+)$/m.exec(text)?.[1];
  return { histogram: sumHistogram(text, OWN_METRIC, () => true), cpuSeconds: Number(cpu ?? NaN) };
}

const OWN_METRIC = 'sidecar_injector_request_duration_seconds';

/**
 * What the webhook measured itself (body read to answer written) over the burst, beside what the
 * API server measured: the difference is queueing, TLS and the machine's CPU contention.
 */
function ownLatency(before: OwnView | undefined, after: OwnView | undefined): Record<string, number> | undefined {
  if (!before || !after) return undefined;
  const calls = difference(after.histogram, before.histogram);
  const { p50Ms, p99Ms, meanMs, requests } = latency(calls);
  const cpuMsPerCall = Math.round(((after.cpuSeconds - before.cpuSeconds) * 1e4) / Math.max(1, requests)) / 10;
  return { requests, p50Ms, p99Ms, meanMs, cpuMsPerCall };
}

async function failedCreateEvents(ctx: Parameters<Scenario['run']>[0], ns: string): Promise<string[]> {
  const events = await ctx.kubectl.list('events', ns);
  return events.filter((e) => e['reason'] === 'FailedCreate').map((e) => String(e['message']));
}

export const burst: Scenario = {
  name: `a burst of ${REPLICAS} pods (ReplicaSet scaled up): all injected, none refused; the API server's admission latency for our webhook`,
  async run(ctx) {
    const ns = await namespace(ctx, 'e2e-burst', ENABLED);
    const before = parseHistogram(await scrape(ctx.kubectl), WEBHOOKS[0]);
    const ownBefore = await ownView(ctx);
    await ctx.kubectl.submit(['apply'], inNamespace(workload('ReplicaSet', 'burst', 0), ns));
    const started = ctx.clock.now();
    await ctx.kubectl.ok(['-n', ns, 'scale', 'replicaset', 'burst', `--replicas=${REPLICAS}`]);
    const pods = await poll(ctx, `${REPLICAS} pods of ReplicaSet burst`, 300_000, async () => {
      const items = await ctx.kubectl.list('pods', ns, 'app=burst');
      return items.length >= REPLICAS ? items : undefined;
    });
    const seconds = (ctx.clock.now() - started) / 1000;
    const notInjected = pods.filter((p) => !isInjected(p));
    const example = notInjected[0];
    assert(example === undefined, `${notInjected.length} not injected, e.g. ${example && describePod(example)}`);
    const refused = await failedCreateEvents(ctx, ns);
    assert(refused.length === 0, `FailedCreate: ${refused.slice(0, 3).join(' | ')}`);
    const burstOnly = difference(parseHistogram(await scrape(ctx.kubectl), WEBHOOKS[0]), before);
    assert(burstOnly.count >= REPLICAS, `the API server counted ${burstOnly.count} calls for ${REPLICAS} pods`);
    const buckets = burstOnly.buckets.map((b) => ({ le: String(b.le), count: b.count }));
    const own = ownLatency(ownBefore, await ownView(ctx));
    const figures = { ...latency(burstOnly), webhook: WEBHOOKS[0], kubernetes: (await serverMinor(ctx)).gitVersion };
    const line =
      `${REPLICAS} pods stored injected in ${seconds.toFixed(1)} s; API server ${figures.kubernetes}: ` +
      `apiserver_admission_webhook_admission_duration_seconds{name="${WEBHOOKS[0]}"} over ${figures.requests} calls: ` +
      `p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms, mean ${figures.meanMs} ms` +
      (own
        ? `; the webhook's own ${OWN_METRIC} over ${own.requests} calls: p50 ${own.p50Ms} ms, p99 ${own.p99Ms} ms, ` +
          `CPU ${own.cpuMsPerCall} ms per call`
        : '');
    const record = { ...figures, ...(own ? { webhookOwn: own } : {}), pods: REPLICAS, seconds, summary: line, buckets };
    if (ctx.resultsDir) writeLatency(ctx.resultsDir, record);
    ctx.say(line);
    return line;
  },
};

function writeLatency(dir: string, figures: Record<string, unknown>): void {
  mkdirSync(dir, { recursive: true });
  const note =
    'Measured by the control-plane tier (test/cluster): the API server histogram, bucket-interpolated like ' +
    "Prometheus' histogram_quantile, over one ReplicaSet burst on a shared 2-core machine. The API server's " +
    'buckets (5, 25, 100, 500 ms, ...) are coarse: the quantiles are interpolations, the bucket counts are exact.';
  const body = { measuredAt: new Date().toISOString(), note, ...figures };
  writeFileSync(join(dir, 'admission-latency.json'), `${JSON.stringify(body, null, 2)}\n`);
}
