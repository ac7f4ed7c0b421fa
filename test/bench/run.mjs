#!/usr/bin/env node
// npm run bench: the real server (the container's start, production log level, metrics on), a
// minimal node:https baseline doing the same work, the Go peer (controller-runtime's admission
// package, the way Go injectors are written) and the bare HTTPS floor, driven by the same load
// generator with the same reviews, in interleaved rounds, each server pinned to the same core.
// Only ratios measured in the same run mean anything on a shared machine.
//
// BENCH_QUICK=1: the smoke mode the test suite runs through npm (6 KB only, one 1 s round per
// server); its result goes to BENCH_RESULTS (else a temporary file), never to latest.json or
// the README. BENCH_CASES=1MiB,100KB runs only the cases named (to measure one without the full
// 6 minutes); a partial run is not the whole table, so it is written like the quick one.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { goPeerBinary } from './go-peer.mjs';
import { SENTINEL_LABELS, referenceInjection } from './injection.mjs';
import { LOADGEN } from './load.mjs';
import { measureCase, median } from './measure.mjs';
import { SIZES, reviewOfSize } from './pods.mjs';
import { admissionLatencyText, conditionsText, reportText, withReadmeBlock } from './report.mjs';
import { PINNED, call, containerNodeFlags, startServer, stopServer } from './servers.mjs';
import { cpuSplit } from './split.mjs';

const ROOT = new URL('../../', import.meta.url).pathname;
const HERE = new URL('./', import.meta.url).pathname;
const QUICK = process.env.BENCH_QUICK === '1';
const ONLY = process.env.BENCH_CASES?.split(',').map((name) => name.trim());
const PARTIAL = QUICK || ONLY !== undefined;
const SECONDS = Number(process.env.BENCH_SECONDS ?? (QUICK ? 1 : 4));
const WARMUP = Number(process.env.BENCH_WARMUP ?? (QUICK ? 1 : 2));
const say = (line) => process.stdout.write(`${line}\n`);
const started = Date.now();
const loadAverage = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
const loadBefore = loadAverage();

const go = goPeerBinary();
say(go.skipped ?? `Go peer: ${go.binary} (${go.version})`);

const { generateCerts, serviceNames, writeCerts } = await import(join(ROOT, 'dist/tls/generate.js'));
const work = mkdtempSync(join(tmpdir(), 'sidecar-bench-'));
const certs = await generateCerts({
  dnsNames: [...serviceNames('sidecar-injector', 'sidecar-injector'), 'localhost'],
  ipAddresses: ['127.0.0.1'],
});
await writeCerts(join(work, 'certs'), certs);
writeFileSync(join(work, 'labels.yaml'), `bench: {istio-injection: enabled}\n${SENTINEL_LABELS}`);
const injectionFile = join(work, 'injection.json');
const env = {
  TLS_CERT_FILE: join(work, 'certs/tls.crt'),
  TLS_KEY_FILE: join(work, 'certs/tls.key'),
  INJECTION_FILE: injectionFile,
};
const container = containerNodeFlags(ROOT);
const node = (args, extra = {}) => ({ command: process.execPath, args, env: extra });
const specs = {
  floor: node([join(HERE, 'floor.mjs')]),
  baseline: node([join(HERE, 'baseline.mjs')]),
  ...(go.binary ? { go: { command: go.binary, args: [], env: { GOMAXPROCS: '1' } } } : {}),
  // Exactly the container's start (Dockerfile ENTRYPOINT), at the production log level, metrics on.
  project: node([...container.flags, join(ROOT, container.script), 'serve'], {
    NAMESPACE_LABELS_FILE: join(work, 'labels.yaml'),
    LOG_LEVEL: 'info',
    METRICS_PORT: '0',
    NATIVE_SIDECARS: 'false',
    NODE_ENV: 'production',
  }),
};
const peers = ['baseline', ...(go.binary ? ['go'] : []), 'project'];
const options = { ca: certs.caCert, cwd: ROOT, env, work, seconds: SECONDS, warmup: WARMUP, log: say };

const full = (name, bytes, extra = {}) => ({
  name,
  body: reviewOfSize(bytes, extra),
  servers: peers,
  connections: [64],
  rounds: { 64: 2 },
});
const allCases = QUICK
  ? [{ ...full('6KB', 6 * 1024), servers: ['floor', ...peers], connections: [10], rounds: { 10: 1 } }]
  : [
      { ...full('6KB', 6 * 1024), servers: ['floor', ...peers], connections: [10, 64], rounds: { 10: 4, 64: 3 } },
      ...SIZES.filter((s) => s.name !== '6KB').map((s) => full(s.name, s.bytes)),
      full('6KB opted-out', 6 * 1024, { 'sidecar.inject': 'false' }),
    ];
const cases = ONLY ? allCases.filter((c) => ONLY.includes(c.name)) : allCases;
if (cases.length === 0) throw new Error(`BENCH_CASES=${ONLY}: no such case (${allCases.map((c) => c.name)})`);

async function writeReferenceInjection() {
  const project = await startServer('project', specs.project, options);
  try {
    const reference = await referenceInjection((review) => call(project.port, certs.caCert, '/mutate', review));
    writeFileSync(injectionFile, `${JSON.stringify(reference, null, 2)}\n`);
  } finally {
    stopServer(project);
  }
}

/** Project over `versus`, median of the per-round ratios (rounds are interleaved, so paired). */
function ratio(rows, connections, versus, goal) {
  const find = (server) => rows.find((r) => r.case === '6KB' && r.connections === connections && r.server === server);
  const [p, v] = [find('project'), find(versus)];
  if (!p || !v) return undefined;
  const paired = p.perRound.map((round, i) => [round, v.perRound[i]]).filter(([a, b]) => a.valid && b?.valid);
  return {
    connections,
    versus,
    rps: median(paired.map(([a, b]) => a.rps / b.rps)),
    perCpu: median(paired.map(([a, b]) => b.cpuUsPerRequest / a.cpuUsPerRequest)),
    pairedRounds: paired.length,
    goal,
  };
}

function memoryFigures(rows) {
  const at = (c, server, conns = 64) =>
    rows.find((r) => r.case === c && r.server === server && r.connections === conns);
  const figures = ['100KB', '1MiB']
    .filter((c) => at(c, 'project'))
    .map((c) => {
      const [project, baseline, goPeer] = [at(c, 'project'), at(c, 'baseline'), at(c, 'go')];
      const r = project.peakRssMb / baseline.peakRssMb;
      const what = `peak RSS, ${c} pods, 64 connections`;
      return {
        what,
        projectMb: project.peakRssMb,
        baselineMb: baseline.peakRssMb,
        goMb: goPeer?.peakRssMb,
        ratio: r,
        goal: 1.2,
        goalText: '<= 1.2x baseline',
        met: r <= 1.2,
      };
    });
  const steady = rows.filter((r) => r.case === '6KB' && r.server === 'project');
  if (steady.length === 0) return figures; // BENCH_CASES left the 6 KB case out
  const steadyMb = Math.max(...steady.map((r) => r.steadyRssMb));
  const base = Math.max(...rows.filter((r) => r.case === '6KB' && r.server === 'baseline').map((r) => r.steadyRssMb));
  const goSteady = rows.filter((r) => r.case === '6KB' && r.server === 'go').map((r) => r.steadyRssMb);
  const what = 'steady RSS, 6KB pods (under load)';
  const goMb = goSteady.length ? Math.max(...goSteady) : undefined;
  figures.push({
    what,
    projectMb: steadyMb,
    baselineMb: base,
    goMb,
    ratio: steadyMb / base,
    goal: 150,
    goalText: '< 150 MB',
    met: steadyMb < 150,
  });
  return figures;
}

function machine() {
  const goMod = readFileSync(join(HERE, 'go-peer/go.mod'), 'utf8');
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'cpu',
    kernel: release(),
    node: process.version,
    go: go.version,
    controllerRuntime: /sigs\.k8s\.io\/controller-runtime (\S+)/.exec(goMod)?.[1],
    loadGenerator: LOADGEN.version,
    pinned: PINNED,
    loadBefore,
    loadAfter: loadAverage(),
  };
}

const rows = [];
try {
  say(
    `load generator: ${LOADGEN.version}; ${PINNED ? 'servers on CPU 0, load on CPU 1 (taskset)' : 'not pinned'}; ${SECONDS} s rounds; load average ${loadBefore}`,
  );
  await writeReferenceInjection();
  for (const testCase of cases) {
    say(`case ${testCase.name}: ${testCase.servers.join(', ')} at ${testCase.connections.join(', ')} connections`);
    rows.push(...(await measureCase(testCase, specs, options)));
  }
  const result = {
    date: new Date().toISOString(),
    quick: QUICK,
    settings: { seconds: SECONDS, warmup: WARMUP },
    rows,
    ratios: [10, 64].flatMap((c) => [ratio(rows, c, 'baseline', 0.8), ratio(rows, c, 'go', 1.0)]).filter(Boolean),
    memory: memoryFigures(rows),
    cpuSplit: await cpuSplit({ rows, specs, options, root: ROOT, quick: QUICK }),
  };
  result.machine = machine();
  result.elapsedSeconds = (Date.now() - started) / 1000;
  say(`\n${reportText(result)}\n`);
  say(admissionLatencyText(join(HERE, 'results/admission-latency.json')));
  say(`\nconditions: ${conditionsText(result)}`);
  const file = process.env.BENCH_RESULTS ?? (PARTIAL ? join(work, 'partial.json') : join(HERE, 'results/latest.json'));
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  if (!PARTIAL) {
    const readme = join(ROOT, 'README.md');
    writeFileSync(readme, withReadmeBlock(readFileSync(readme, 'utf8'), result));
  }
  say(`results: ${file}${PARTIAL ? '' : ' (README.md table regenerated from it)'}`);
  // The Go peer failing a case is a finding about it (reported above), not a broken benchmark.
  if (rows.some((r) => r.invalidRounds === r.rounds && r.server !== 'go')) process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
