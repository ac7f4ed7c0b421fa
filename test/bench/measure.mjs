// One benchmark case: fresh server processes (so each case's peak RSS is its own), a check that
// every server's answer gives the project's pod, a warm-up, then interleaved rounds (the server
// order rotates each round). Each round records throughput, latency, server CPU per request and
// resident memory samples; a round with any error is kept in the record but left out of medians.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clearInterval, setInterval } from 'node:timers';
import { podDifference } from './injection.mjs';
import { load } from './load.mjs';
import { call, cpuSeconds, memoryMb, startServer, stopServer } from './servers.mjs';

export const median = (values) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

async function checkSamePod(servers, body, ca) {
  const answers = {};
  for (const s of servers) answers[s.name] = await call(s.port, ca, '/mutate', body);
  for (const s of servers) {
    if (s.name === 'project' || s.name === 'floor') continue;
    const difference = podDifference(body, answers.project, answers[s.name]);
    if (difference)
      throw new Error(`${s.name} and project give different pods; the comparison is void:\n  ${difference}`);
  }
}

async function oneRound(server, connections, seconds, bodyFile) {
  const rss = [];
  const sampler = setInterval(() => rss.push(memoryMb(server).rss), 250);
  const cpuBefore = cpuSeconds(server);
  const run = await load(server.port, connections, seconds, bodyFile);
  const cpu = cpuSeconds(server) - cpuBefore;
  clearInterval(sampler);
  const valid = run.errors === 0 && run.requests > 0;
  return { ...run, valid, cpuUsPerRequest: run.requests > 0 ? (cpu * 1e6) / run.requests : NaN, rss };
}

function summarize(testCase, server, connections, rounds) {
  const valid = rounds.filter((r) => r.valid);
  return {
    case: testCase.name,
    bytes: testCase.body.length,
    connections,
    server: server.name,
    rounds: rounds.length,
    invalidRounds: rounds.length - valid.length,
    rps: median(valid.map((r) => r.rps)),
    p50: median(valid.map((r) => r.p50)),
    p99: median(valid.map((r) => r.p99)),
    cpuUsPerRequest: median(valid.map((r) => r.cpuUsPerRequest)),
    errors: rounds.reduce((a, r) => a + r.errors, 0),
    problems: rounds.map((r) => r.problem).filter(Boolean),
    steadyRssMb: median(valid.flatMap((r) => r.rss)),
    peakRssMb: NaN,
    perRound: rounds.map(({ rps, cpuUsPerRequest, errors, valid: ok }) => ({
      rps,
      cpuUsPerRequest,
      errors,
      valid: ok,
    })),
  };
}

/** Runs one case; returns its rows (one per server and connection count). */
export async function measureCase(testCase, specs, options) {
  const { ca, cwd, env, work, seconds, warmup, log } = options;
  const bodyFile = join(work, `${testCase.name.replace(/\W+/g, '-')}.json`);
  writeFileSync(bodyFile, testCase.body);
  const servers = [];
  try {
    for (const name of testCase.servers) servers.push(await startServer(name, specs[name], { ca, cwd, env }));
    await checkSamePod(servers, testCase.body, ca);
    for (const s of servers) await load(s.port, testCase.connections[0], warmup, bodyFile);
    const rows = [];
    for (const connections of testCase.connections) {
      const rounds = Object.fromEntries(servers.map((s) => [s.name, []]));
      const count = testCase.rounds[connections];
      for (let round = 0; round < count; round += 1) {
        for (let i = 0; i < servers.length; i += 1) {
          const server = servers[(i + round) % servers.length];
          const result = await oneRound(server, connections, seconds, bodyFile);
          rounds[server.name].push(result);
          if (!result.valid)
            log(
              `  ${testCase.name} @${connections} ${server.name} round ${round + 1}: ${result.errors} errors, round left out`,
            );
        }
      }
      rows.push(...servers.map((s) => summarize(testCase, s, connections, rounds[s.name])));
    }
    for (const row of rows) row.peakRssMb = memoryMb(servers.find((s) => s.name === row.server)).peak;
    return rows;
  } finally {
    servers.forEach(stopServer);
  }
}
