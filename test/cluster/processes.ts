import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

interface Running {
  name: string;
  child: ChildProcess;
  log: string;
  exited: Promise<void>;
}

/**
 * The control plane's processes: each in its own process group (a Ctrl-C in the terminal reaches
 * only `npm run cluster`, which then stops them in order), output in <logDir>/<name>.log.
 */
export class ProcessGroup {
  private readonly running: Running[] = [];
  private readonly killAll = (): void => this.running.forEach((r) => r.child.kill('SIGKILL'));

  constructor(private readonly logDir: string) {
    process.on('exit', this.killAll); // last resort: never leave a process behind
  }

  start(name: string, file: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
    const log = join(this.logDir, `${name}.log`);
    const fd = openSync(log, 'a');
    const child = spawn(file, args, { stdio: ['ignore', fd, fd], env, detached: true });
    closeSync(fd);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.once('error', () => undefined);
    this.running.push({ name, child, log, exited });
    return child;
  }

  /** The last lines a process wrote: what a start-up failure shows. */
  tail(name: string, lines = 15): string {
    const entry = this.running.find((r) => r.name === name);
    if (!entry) return '';
    return readFileSync(entry.log, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  }

  isRunning(name: string): boolean {
    const entry = this.running.find((r) => r.name === name);
    return entry !== undefined && entry.child.exitCode === null && entry.child.signalCode === null;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  async stop(name: string, graceMs = 10_000): Promise<void> {
    const index = this.running.findIndex((r) => r.name === name);
    if (index < 0) return;
    const [entry] = this.running.splice(index, 1) as [Running];
    if (entry.child.exitCode !== null || entry.child.signalCode !== null) return;
    entry.child.kill('SIGTERM');
    const timer = setTimeout(() => entry.child.kill('SIGKILL'), graceMs);
    await entry.exited;
    clearTimeout(timer);
  }

  /** Everything, newest first (the webhook before the API server, the API server before etcd). */
  async stopAll(): Promise<void> {
    for (const entry of [...this.running].reverse()) await this.stop(entry.name);
    process.off('exit', this.killAll);
  }
}

/**
 * A port free on 127.0.0.1 now, below the kernel's ephemeral range (32768-60999 by default).
 * An ephemeral port the OS handed out could be taken before the server binds it, as the source
 * port of any outbound connection (the API server to etcd, say): seen as METRICS_PORT EADDRINUSE
 * when the webhook restarted with the ports it was given at first.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await bindable(port)) return port;
  }
  throw new Error('no free port between 20000 and 32000 on 127.0.0.1 after 100 tries');
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export async function waitFor<T>(what: string, timeoutMs: number, attempt: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const value = await attempt();
      if (value !== undefined) return value;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what}: not within ${timeoutMs / 1000} s${last ? ` (${last})` : ''}`);
}
