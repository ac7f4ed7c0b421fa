// Starting the webhook for the soak exactly as the container does, and the idle-socket floods.
// The node flags are read from the Dockerfile's ENTRYPOINT (as npm run bench reads them), so the
// soak can never measure a process started differently from the image's.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout } from 'node:timers';
import { HOSTILE_SOURCE } from './traffic.mjs';
import { containerNodeFlags } from '../bench/servers.mjs';

const SERVERNAME = 'sidecar-injector.sidecar-injector.svc';
const SOCKETS_PER_FLOOD = 4000; // each flood process stays well inside its descriptor limit
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function freePort() {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

export async function startServer(root, work) {
  const cli = join(root, 'dist/cli/main.js');
  const certs = spawnSync(process.execPath, [cli, 'certs', '--out', join(work, 'certs')], { encoding: 'utf8' });
  if (certs.status !== 0) throw new Error(`sidecar-injector certs failed: ${certs.stderr}`);
  writeFileSync(join(work, 'labels.yaml'), 'demo: {istio-injection: enabled}\n');
  const [port, metricsPort] = [await freePort(), await freePort()];
  const container = containerNodeFlags(root);
  const child = spawn(process.execPath, [...container.flags, join(root, container.script), 'serve'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      TLS_CERT_FILE: join(work, 'certs/tls.crt'),
      TLS_KEY_FILE: join(work, 'certs/tls.key'),
      NAMESPACE_LABELS_FILE: join(work, 'labels.yaml'),
      NATIVE_SIDECARS: 'false',
      LOG_LEVEL: 'info',
      NODE_ENV: 'production',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const target = { port, ca: readFileSync(join(work, 'certs/ca.crt'), 'utf8'), servername: SERVERNAME };
  await waitHealthy(target, child);
  return { child, target, flags: container.flags };
}

async function waitHealthy(target, child) {
  for (let i = 0; i < 300 && child.exitCode === null; i += 1) {
    const ok = await new Promise((resolve) => {
      const req = request({
        host: '127.0.0.1',
        port: target.port,
        path: '/healthz',
        ca: target.ca,
        servername: target.servername,
      });
      req
        .on('response', (res) => resolve(res.statusCode === 200))
        .on('error', () => resolve(false))
        .end();
    });
    if (ok) return;
    await sleep(100);
  }
  throw new Error('the webhook never answered /healthz');
}

/** One flood.mjs child: `count` sockets, reopened after `reopenMs`, closed `holdMs` after their handshake. */
function startFlood(root, target, args) {
  const child = spawn(process.execPath, [join(root, 'test/soak/flood.mjs'), target.port, ...args], {
    env: { ...process.env, SOAK_CA: target.ca, SOAK_SERVERNAME: target.servername, SOAK_SOURCE: HOSTILE_SOURCE },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const flood = { child, open: 0, closed: 0, failed: 0 };
  child.stdout.setEncoding('utf8').on('data', (text) => {
    const last = text.trim().split('\n').at(-1) ?? '';
    for (const [, key, value] of last.matchAll(/(\w+)=(\d+)/g)) flood[key] = Number(value);
  });
  return flood;
}

export function startFloods(root, target, idle) {
  const floods = [];
  for (let left = idle; left > 0; left -= SOCKETS_PER_FLOOD)
    floods.push(startFlood(root, target, [Math.min(left, SOCKETS_PER_FLOOD), 5000]));
  return floods;
}

/** `loops` clients that connect, finish the TLS handshake, close at once and reconnect (none: null). */
export function startReconnects(root, target, loops) {
  return loops > 0 ? startFlood(root, target, [loops, 0, 0]) : null;
}
