// The load generator: wrk (one thread) where installed, else autocannon; pinned to CPU 1 where the
// servers are pinned to CPU 0. One run POSTs the same body over `connections` keep-alive
// connections for `seconds` and reports throughput, latency and every kind of error.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PINNED } from './servers.mjs';

const HERE = new URL('./', import.meta.url).pathname;
export const LOADGEN =
  spawnSync('sh', ['-c', 'command -v wrk'], { stdio: 'ignore' }).status === 0
    ? { name: 'wrk', version: spawnSync('wrk', ['-v'], { encoding: 'utf8' }).stdout.split('\n')[0].split(' [')[0] }
    : { name: 'autocannon', version: 'autocannon (wrk not installed: latency in whole ms, more client CPU)' };

function run(argv, env, timeoutMs) {
  return new Promise((resolve) => {
    const full = PINNED ? ['taskset', '-c', '1', ...argv] : argv;
    const child = spawn(full[0], full.slice(1), { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

function toMs(text) {
  const match = /([\d.]+)(us|ms|s)$/.exec(text ?? '');
  return match ? Number(match[1]) * { us: 0.001, ms: 1, s: 1000 }[match[2]] : NaN;
}

function parseWrk({ status, stdout, stderr }) {
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0);
  const requests = Number(/(\d+) requests in/.exec(stdout)?.[1] ?? 0);
  const errors = non2xx + (socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0);
  return {
    requests,
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? 0),
    p50: toMs(/\s50%\s+(\S+)/.exec(stdout)?.[1]),
    p99: toMs(/\s99%\s+(\S+)/.exec(stdout)?.[1]),
    errors: errors + (status === 0 && requests > 0 ? 0 : 1),
    problem:
      status !== 0
        ? `wrk exited ${status}: ${stderr.slice(0, 200)}`
        : errors > 0
          ? [socket?.[0], non2xx ? `${non2xx} non-2xx` : ''].filter(Boolean).join(', ')
          : undefined,
  };
}

/** One load run against https://127.0.0.1:port/mutate. */
export async function load(port, connections, seconds, bodyFile) {
  const url = `https://127.0.0.1:${port}/mutate`;
  const timeoutMs = (seconds + 30) * 1000;
  if (LOADGEN.name === 'wrk') {
    const argv = ['wrk', '-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '--latency'];
    return parseWrk(await run([...argv, '-s', join(HERE, 'post.lua'), url], { BODY_FILE: bodyFile }, timeoutMs));
  }
  const script = join(HERE, 'autocannon-run.mjs');
  const out = await run([process.execPath, script, url, String(connections), String(seconds), bodyFile], {}, timeoutMs);
  try {
    return JSON.parse(out.stdout.trim().split('\n').pop());
  } catch {
    return { requests: 0, rps: 0, p50: NaN, p99: NaN, errors: 1, problem: `autocannon: ${out.stderr.slice(0, 200)}` };
  }
}
