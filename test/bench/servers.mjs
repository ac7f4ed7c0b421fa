// The servers under test, each started pinned to CPU 0 (taskset) where the machine has two or
// more cores, on a free port, and measured from /proc: CPU time (all threads), resident and peak
// resident memory.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import { join } from 'node:path';

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
export const PINNED = has('taskset') && cpus().length >= 2;
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The node flags of the container's start (the Dockerfile's ENTRYPOINT), so the bench runs the same. */
export function containerNodeFlags(root) {
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
  const entrypoint = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(dockerfile);
  if (!entrypoint) throw new Error('Dockerfile: no ENTRYPOINT ["node", ...] to copy the node flags from');
  const argv = JSON.parse(entrypoint[1]);
  const script = argv.findIndex((a) => a.endsWith('.js'));
  if (!/(^|\/)node$/.test(argv[0]) || script < 0)
    throw new Error(`Dockerfile ENTRYPOINT is not node <flags> <script>: ${argv}`);
  return { flags: argv.slice(1, script), script: argv[script] };
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** GET or POST over the benchmark's certificate; resolves with the body of any answer. */
export function call(port, ca, path, body) {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: body === undefined ? 'GET' : 'POST',
        ca,
        servername: 'localhost',
        headers: { 'content-type': 'application/json' },
        agent: false,
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

/** Starts `spec` ({ command, args, env }) and waits until it answers HTTPS. */
export async function startServer(name, spec, { ca, cwd, env }) {
  const port = await freePort();
  const argv = PINNED ? ['taskset', '-c', '0', spec.command, ...spec.args] : [spec.command, ...spec.args];
  const child = spawn(argv[0], argv.slice(1), {
    cwd,
    env: { ...process.env, ...env, ...spec.env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  for (let i = 0; i < 300; i += 1) {
    const state = await Promise.race([
      call(port, ca, '/healthz').then(
        () => 'up',
        () => 'down',
      ),
      exited,
    ]);
    if (state === 'up') return { name, port, child, stderr: () => stderr };
    if (state !== 'down') throw new Error(`${name} exited with ${state} before serving:\n${stderr}`);
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`${name} never answered on port ${port}:\n${stderr}`);
}

export function stopServer(server) {
  if (server?.child.exitCode === null) server.child.kill('SIGKILL');
}

/** CPU seconds the process has used so far, user + system, all threads. */
export function cpuSeconds(server) {
  const stat = readFileSync(`/proc/${server.child.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** Resident (VmRSS) and peak resident (VmHWM) memory in MB. */
export function memoryMb(server) {
  const status = readFileSync(`/proc/${server.child.pid}/status`, 'utf8');
  const kb = (field) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}
