// Where the project's CPU per request goes, measured in place: one extra run of the real server
// (the same start, plus node --cpu-prof) under the 6 KB load, whose main-thread samples inside
// the load window are attributed to a part by the innermost frame that names one. The shares are
// then applied to the CPU per request measured in the interleaved rounds (from /proc, all
// threads). The floor's CPU per request is printed beside it: what TLS and HTTP cost alone.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { load } from './load.mjs';
import { startServer } from './servers.mjs';

/** Innermost-first: the first rule a frame matches names the part its sample belongs to. */
const RULES = [
  ['log line (pino)', (f) => /\/(pino|sonic-boom|thread-stream)\//.test(f.url) || /\/log\.js$/.test(f.url)],
  ['metrics (prom-client)', (f) => /\/prom-client\//.test(f.url) || /\/metrics\.js$/.test(f.url)],
  [
    'parse (JSON.parse, review check)',
    (f) => /\/zod\//.test(f.url) || (/\/dist\//.test(f.url) && /decode|parse/i.test(f.functionName)),
  ],
  ['encode (JSON, base64)', (f) => /\/dist\//.test(f.url) && /encode|serialize|respond|answer/i.test(f.functionName)],
  ['decide/render/patch (core)', (f) => /\/dist\/core\//.test(f.url)],
  ['shell (request routing, outcome)', (f) => /\/dist\//.test(f.url)],
  ['HTTP (node:http)', (f) => /^node:_http|^node:http/.test(f.url)],
  [
    'TLS, sockets, streams (JS side)',
    (f) => /^node:(_tls|tls|net|stream|internal\/(tls|stream|net|js_stream|streams))/.test(f.url),
  ],
  ['garbage collection', (f) => f.functionName === '(garbage collector)'],
  ['native: TLS records, syscalls, event loop', (f) => f.functionName === '(program)'],
];

function partOf(node, byId) {
  for (let n = node; n; n = byId.get(n.parent)) {
    const rule = RULES.find(([, matches]) => matches(n.callFrame));
    if (rule) return rule[0];
  }
  return 'other (node internals)';
}

/** Share of main-thread CPU per part, from the samples taken between `from` and `to` (µs, monotonic). */
export function sharesFromProfile(profile, from, to) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  for (const n of profile.nodes) for (const child of n.children ?? []) byId.get(child).parent = n.id;
  const totals = new Map();
  let time = profile.startTime;
  profile.samples.forEach((id, i) => {
    time += profile.timeDeltas[i] ?? 0;
    const node = byId.get(id);
    if (time < from || time > to || node.callFrame.functionName === '(idle)') return;
    const part = partOf(node, byId);
    totals.set(part, (totals.get(part) ?? 0) + 1);
  });
  const sum = [...totals.values()].reduce((a, b) => a + b, 0);
  return {
    samples: sum,
    shares: [...totals].map(([part, n]) => ({ part, share: n / sum })).sort((a, b) => b.share - a.share),
  };
}

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/** Profiles the project under the 6 KB load and splits its measured CPU per request. */
export async function cpuSplit({ rows, specs, options, quick }) {
  const measured = rows.find((r) => r.case === '6KB' && r.server === 'project' && r.connections === 10);
  const floor = rows.find((r) => r.case === '6KB' && r.server === 'floor' && r.connections === 10);
  if (!measured || !Number.isFinite(measured.cpuUsPerRequest)) return undefined;
  const dir = mkdtempSync(join(options.work, 'cpu-prof-'));
  const spec = {
    ...specs.project,
    env: { ...specs.project.env, SHUTDOWN_DELAY: '0' },
    args: ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=200', ...specs.project.args],
  };
  const server = await startServer('project (profiled)', spec, options);
  const body = join(options.work, '6KB.json');
  try {
    await load(server.port, 10, options.warmup, body);
    const from = monotonicUs();
    const run = await load(server.port, 10, quick ? 1 : options.seconds, body);
    const to = monotonicUs();
    if (run.errors > 0) throw new Error(`the profiled run had ${run.errors} errors`);
    const exited = new Promise((resolve) => server.child.once('exit', resolve));
    server.child.kill('SIGINT');
    await exited;
    const [file] = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error(`node --cpu-prof wrote no profile in ${dir}`);
    const { samples, shares } = sharesFromProfile(JSON.parse(readFileSync(join(dir, file), 'utf8')), from, to);
    const totalUs = measured.cpuUsPerRequest;
    return {
      method: `node --cpu-prof, ${samples} main-thread samples in one extra run, as shares of the CPU per request the rounds measured`,
      totalUs,
      floorUs: floor?.cpuUsPerRequest,
      parts: shares.map(({ part, share }) => ({ part, share, us: share * totalUs })),
    };
  } finally {
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}
