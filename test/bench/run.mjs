#!/usr/bin/env node
// npm run bench: the real server (production start, production log level), a minimal node:https
// baseline doing the same work, and the bare HTTPS floor, driven by the same load generator with
// the same requests, interleaved, pinned to different cores where taskset exists. Only ratios
// measured in the same run mean anything on a shared machine.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SIZES, reviewOfSize } from './pods.mjs';

const ROOT = new URL('../../', import.meta.url).pathname;
const HERE = new URL('./', import.meta.url).pathname;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const CONNECTIONS = [10, 64];
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const PIN = has('taskset') && cpus().length >= 2;
const LOADGEN = has('wrk') ? 'wrk' : 'autocannon';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const { generateCerts, serviceNames, writeCerts } = await import(join(ROOT, 'dist/tls.js'));
const work = mkdtempSync(join(tmpdir(), 'sidecar-bench-'));
const certs = await generateCerts({
  dnsNames: [...serviceNames('sidecar-injector', 'sidecar-injector'), 'localhost'],
  ipAddresses: ['127.0.0.1'],
});
await writeCerts(join(work, 'certs'), certs);
writeFileSync(join(work, 'labels.yaml'), 'bench: {istio-injection: enabled}\n');
const tls = { TLS_CERT_FILE: join(work, 'certs/tls.crt'), TLS_KEY_FILE: join(work, 'certs/tls.key') };

const SERVERS = {
  baseline: { port: 18441, args: [join(HERE, 'baseline.mjs')], env: {} },
  project: {
    port: 18442,
    // Exactly the container's start (Dockerfile ENTRYPOINT), at the production log level.
    args: ['--max-semi-space-size=16', '--enable-source-maps', join(ROOT, 'dist/cli/main.js'), 'serve'],
    env: {
      NAMESPACE_LABELS_FILE: join(work, 'labels.yaml'),
      LOG_LEVEL: 'info',
      METRICS_PORT: '18492',
      NATIVE_SIDECARS: 'false',
      NODE_ENV: 'production',
    },
  },
  floor: { port: 18440, args: [join(HERE, 'floor.mjs')], env: {} },
};

function startServer(name) {
  const { port, args, env } = SERVERS[name];
  const [cmd, argv] = PIN ? ['taskset', ['-c', '0', process.execPath, ...args]] : [process.execPath, args];
  const child = spawn(cmd, argv, {
    cwd: ROOT,
    env: { ...process.env, ...tls, ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  SERVERS[name].child = child;
  return waitReady(port);
}

async function waitReady(port) {
  for (let i = 0; i < 100; i += 1) {
    try {
      await post(port, '/healthz', undefined, 'GET');
      return;
    } catch {
      await sleep(100);
    }
  }
  throw new Error(`server on ${port} never became ready`);
}

function post(port, path, body, method = 'POST') {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method,
        ca: certs.caCert,
        servername: 'localhost',
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks).toString()));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Peak resident set size so far (VmHWM), in MB. */
function peakRssMb(name) {
  const status = readFileSync(`/proc/${SERVERS[name].child.pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

function toMs(text) {
  const match = /([\d.]+)(us|ms|s)/.exec(text);
  if (!match) return NaN;
  return Number(match[1]) * { us: 0.001, ms: 1, s: 1000 }[match[2]];
}

function load(name, connections, seconds, bodyFile) {
  const url = `https://127.0.0.1:${SERVERS[name].port}/mutate`;
  const pin = PIN ? ['taskset', '-c', '1'] : [];
  if (LOADGEN === 'wrk') {
    const argv = [
      ...pin,
      'wrk',
      '-t1',
      `-c${connections}`,
      `-d${seconds}s`,
      '--timeout',
      '10s',
      '--latency',
      '-s',
      join(HERE, 'post.lua'),
      url,
    ];
    const out = spawnSync(argv[0], argv.slice(1), {
      encoding: 'utf8',
      env: { ...process.env, BODY_FILE: bodyFile },
      timeout: (seconds + 30) * 1000,
    });
    const text = out.stdout ?? '';
    const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
    const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0);
    return {
      rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1] ?? 0),
      p50: toMs(/\s50%\s+(\S+)/.exec(text)?.[1] ?? ''),
      p99: toMs(/\s99%\s+(\S+)/.exec(text)?.[1] ?? ''),
      errors: non2xx + (socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0) + (out.status === 0 ? 0 : 1),
    };
  }
  const argv = [
    ...pin,
    process.execPath,
    join(HERE, 'autocannon-run.mjs'),
    url,
    String(connections),
    String(seconds),
    bodyFile,
  ];
  const out = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: (seconds + 30) * 1000 });
  return JSON.parse(out.stdout.trim().split('\n').pop() ?? '{"rps":0,"p50":0,"p99":0,"errors":1}');
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Both servers must produce the same patch, or the comparison means nothing. */
async function assertSamePatch(bodyFile) {
  const body = readFileSync(bodyFile, 'utf8');
  const patchOf = async (name) => {
    const response = JSON.parse(await post(SERVERS[name].port, '/mutate', body)).response;
    return response.patch ? Buffer.from(response.patch, 'base64').toString() : '';
  };
  const [baseline, project] = [await patchOf('baseline'), await patchOf('project')];
  if (baseline !== project) throw new Error(`baseline and project patches differ for ${bodyFile}`);
}

const cases = [
  ...SIZES.map((size) => ({
    name: size.name,
    body: reviewOfSize(size.bytes),
    floor: size.name === '6KB',
    rounds: size.name === '6KB' ? 3 : 2,
  })),
  { name: '6KB opted-out', body: reviewOfSize(6 * 1024, { 'sidecar.inject': 'false' }), floor: false, rounds: 2 },
];

const started = Date.now();
process.stdout.write(
  `load generator: ${LOADGEN}${LOADGEN === 'autocannon' ? ' (wrk not installed: latency in whole ms, more client CPU)' : ' -t1'}; ${PIN ? 'server on CPU 0, load on CPU 1 (taskset)' : 'not pinned (no taskset or one core)'}; ${SECONDS}s runs\n`,
);
const results = [];
const stopAll = () => {
  for (const server of Object.values(SERVERS)) server.child?.kill('SIGKILL');
};
try {
  for (const testCase of cases) {
    // Fresh processes per case, so each case's peak RSS is its own.
    stopAll();
    await sleep(300);
    for (const name of Object.keys(SERVERS)) await startServer(name);
    const bodyFile = join(work, `${testCase.name.replace(/\W+/g, '-')}.json`);
    writeFileSync(bodyFile, testCase.body);
    await assertSamePatch(bodyFile);
    const servers = testCase.floor ? ['floor', 'baseline', 'project'] : ['baseline', 'project'];
    for (const name of servers) load(name, 10, WARMUP, bodyFile);
    for (const connections of CONNECTIONS) {
      const runs = Object.fromEntries(servers.map((name) => [name, []]));
      for (let round = 0; round < testCase.rounds; round += 1) {
        for (const name of servers) runs[name].push(load(name, connections, SECONDS, bodyFile));
      }
      for (const name of servers) {
        const r = runs[name];
        results.push({
          case: testCase.name,
          bytes: testCase.body.length,
          connections,
          server: name,
          rps: median(r.map((x) => x.rps)),
          p50: median(r.map((x) => x.p50)),
          p99: median(r.map((x) => x.p99)),
          errors: r.reduce((a, x) => a + x.errors, 0),
          peakRssMb: peakRssMb(name),
          rounds: r.length,
        });
      }
    }
  }
} finally {
  stopAll();
}

const baselineOf = (row) =>
  results.find((r) => r.case === row.case && r.connections === row.connections && r.server === 'baseline');
const pad = (text, width) => String(text).padStart(width);
const lines = ['case            conns  server      req/s   p50 ms   p99 ms  errors  peak RSS MB  vs baseline'];
for (const row of results) {
  const ratio = row.rps / (baselineOf(row)?.rps || NaN);
  lines.push(
    `${row.case.padEnd(15)} ${pad(row.connections, 5)}  ${row.server.padEnd(9)} ${pad(row.rps.toFixed(0), 7)} ${pad(row.p50.toFixed(2), 8)} ${pad(row.p99.toFixed(2), 8)} ${pad(row.errors, 7)} ${pad(row.peakRssMb.toFixed(0), 12)} ${pad(ratio.toFixed(2), 12)}`,
  );
}
const key = results.find((r) => r.case === '6KB' && r.connections === 10 && r.server === 'project');
const ratio = key.rps / baselineOf(key).rps;
const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;
process.stdout.write(
  `${lines.join('\n')}\n\nmachine: ${machine}; ${new Date().toISOString()}; ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
);
mkdirSync(join(HERE, 'results'), { recursive: true });
const file = join(HERE, 'results', 'latest.json');
writeFileSync(
  file,
  `${JSON.stringify({ date: new Date().toISOString(), machine, loadGenerator: LOADGEN, pinned: PIN, seconds: SECONDS, results, ratio }, null, 2)}\n`,
);
process.stdout.write(`results: ${file}\nratio ${ratio.toFixed(2)}\n`);
