#!/usr/bin/env node
// npm run soak: SOAK_MINUTES (default 5) of well-formed reviews on SOAK_CONNECTIONS (64) kept-alive
// connections plus one fresh connection a second, while SOAK_IDLE_SOCKETS (8000) idle TLS
// sockets and a deep-JSON sender press on the same server (and, with SOAK_RECONNECTS=N, N clients
// that reconnect as fast as they can, closing each connection right after its TLS handshake). The server is started exactly as the
// container starts it (Dockerfile ENTRYPOINT, production log level). Prints requests, errors, p99
// and RSS every interval; fails on any failed well-formed request, or if RSS is not back under
// SOAK_RSS_LIMIT_MB (150) SOAK_SETTLE_SECONDS (60) after the load stops.
import { mkdtempSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { clearInterval, clearTimeout, setInterval, setTimeout } from 'node:timers';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOSTILE_SOURCE, deepReview, deepSender, freshConnections, wellFormedLoad } from './traffic.mjs';
import { startFloods, startReconnects, startServer } from './server.mjs';
import { Stats, p99, rssMb } from './stats.mjs';

const ROOT = new URL('../../', import.meta.url).pathname;
const env = (name, fallback) => Number(process.env[name] ?? fallback);
const MINUTES = env('SOAK_MINUTES', 5);
const CONNECTIONS = env('SOAK_CONNECTIONS', 64);
const IDLE = env('SOAK_IDLE_SOCKETS', 8000);
const RECONNECTS = env('SOAK_RECONNECTS', 0);
const SETTLE = env('SOAK_SETTLE_SECONDS', 60);
const RSS_LIMIT_MB = env('SOAK_RSS_LIMIT_MB', 150);
// 4.9 M levels is 9.3 MiB: inside the 10 MiB body limit, as in issue 19.
const DEEP_LEVELS = env('SOAK_DEEP_LEVELS', 4_900_000);
const INTERVAL_MS = Math.min(10_000, (MINUTES * 60_000) / 3);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function printRow(t, server, stats, deep, floods, reconnects) {
  const interval = stats.takeInterval();
  const rss = rssMb(server.pid);
  stats.peakRss = Math.max(stats.peakRss, rss);
  const idle = floods.reduce((sum, f) => ({ open: sum.open + f.open, closed: sum.closed + f.closed }), {
    open: 0,
    closed: 0,
  });
  const cells = [
    Math.round(t),
    stats.requests,
    Math.round(interval.count / (INTERVAL_MS / 1000)),
    stats.errors,
    interval.p99.toFixed(1),
    rss,
    idle.open,
    idle.closed,
    deep.sent,
    deep.refused,
    p99(deep.latencies.splice(0)).toFixed(1),
    reconnects ? reconnects.closed : 0,
  ];
  console.log(cells.map((cell, i) => String(cell).padStart(HEADER[i].length)).join('  '));
}

const HEADER = [
  't(s)',
  'requests',
  '  req/s',
  'errors',
  'p99(ms)',
  'rss(MB)',
  'idle-open',
  'idle-closed',
  'deep-sent',
  'deep-refused',
  'deep-p99(ms)',
  'handshakes',
];

/** Runs the three kinds of traffic for SOAK_MINUTES, printing a row every interval. */
async function load(server, target, stats, deep) {
  const review = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/reviews/pod-create-enabled.json'), 'utf8'));
  const floods = startFloods(ROOT, target, IDLE);
  const reconnects = startReconnects(ROOT, target, RECONNECTS);
  let running = true;
  const isRunning = () => running;
  const started = performance.now();
  const row = () => printRow((performance.now() - started) / 1000, server, stats, deep, floods, reconnects);
  const ticker = setInterval(row, INTERVAL_MS);
  const stopAt = setTimeout(() => (running = false), MINUTES * 60_000);
  await Promise.all([
    wellFormedLoad(target, review, CONNECTIONS, isRunning, stats),
    freshConnections(target, review, isRunning, stats),
    deepSender(target, deepReview(review, DEEP_LEVELS), isRunning, deep),
  ]);
  clearTimeout(stopAt);
  clearInterval(ticker);
  row();
  for (const flood of [...floods, reconnects].filter(Boolean)) flood.child.stdin.end();
}

/** RSS every 10 s (or once, for a shorter wait) until SOAK_SETTLE_SECONDS have passed. */
async function settle(server) {
  const step = Math.min(10, SETTLE);
  const samples = [];
  for (let waited = 0; waited < SETTLE; waited += step) {
    await sleep(step * 1000);
    samples.push(rssMb(server.pid));
  }
  if (samples.length === 0) samples.push(rssMb(server.pid));
  console.log(`after the load: RSS ${samples.join(' -> ')} MB (a sample every ${step} s)`);
  return samples.at(-1);
}

function verdict(stats, deep, settled) {
  const failures = [
    ...(stats.errors > 0 ? [`${stats.errors} well-formed requests failed, e.g. ${stats.examples.join('; ')}`] : []),
    ...(!(settled < RSS_LIMIT_MB) ? [`RSS ${settled} MB ${SETTLE} s after the load, limit ${RSS_LIMIT_MB} MB`] : []),
    ...(stats.requests === 0 ? ['no well-formed request was answered'] : []),
  ];
  console.log(
    `${failures.length ? 'FAIL' : 'PASS'}: ${stats.requests} well-formed requests, ${stats.errors} failed, ` +
      `p99 ${stats.p99().toFixed(1)} ms; peak RSS ${stats.peakRss} MB, ${settled} MB ${SETTLE} s after the load ` +
      `(limit ${RSS_LIMIT_MB} MB); deep JSON ${deep.refused}/${deep.sent} refused`,
  );
  for (const failure of failures) console.log(`  ${failure}`);
  return failures.length === 0;
}

const work = mkdtempSync(join(tmpdir(), 'sidecar-soak-'));
const { child: server, target, flags } = await startServer(ROOT, work);
const stats = new Stats();
const deep = { sent: 0, refused: 0, latencies: [] };
console.log(
  `soak: ${MINUTES} min, ${CONNECTIONS} connections + 1 fresh connection/s, ${IDLE} idle TLS sockets, ` +
    `deep JSON (${DEEP_LEVELS} levels)${RECONNECTS ? `, ${RECONNECTS} reconnecting clients` : ''} against pid ${server.pid}`,
);
console.log(`node flags (the Dockerfile's ENTRYPOINT): ${flags.join(' ')}`);
console.log(`well-formed reviews from 127.0.0.1 (the API server), hostile clients from ${HOSTILE_SOURCE} (a pod)`);
console.log(HEADER.join('  '));
await load(server, target, stats, deep);
const passed = verdict(stats, deep, await settle(server));
server.kill('SIGTERM');
process.exit(passed ? 0 : 1);
