import { spawn } from 'node:child_process';

/** What a process gets besides its argv. Never merged into argv: that is how `[object Object]` reached kubectl. */
export interface RunOptions {
  input?: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one program to completion. Tests replace it with a recording stand-in. */
export type ProcessRunner = (file: string, argv: readonly string[], options: RunOptions) => Promise<RunResult>;

export const runProcess: ProcessRunner = (file, argv, options) =>
  new Promise((resolve, reject) => {
    const child = spawn(file, argv, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: options.env ?? process.env,
      cwd: options.cwd,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${file}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr: signal ? `${stderr}killed by ${signal}` : stderr });
    });
    child.stdin.on('error', () => undefined); // a program that exits without reading stdin
    child.stdin.end(options.input ?? '');
  });

export class KubectlError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly result: RunResult,
  ) {
    super(`kubectl ${args.join(' ')} exited ${result.code}: ${result.stderr.trim() || result.stdout.trim()}`);
  }
}

export type Json = Record<string, unknown>;

/** kubectl against one kubeconfig. Every argument must be a string; options travel separately. */
export class Kubectl {
  constructor(
    readonly binary: string,
    readonly kubeconfig: string,
    private readonly runner: ProcessRunner = runProcess,
  ) {}

  async run(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const bad = args.find((arg) => typeof arg !== 'string');
    if (bad !== undefined) throw new TypeError(`kubectl argument ${String(bad)} is not a string`);
    return this.runner(this.binary, ['--kubeconfig', this.kubeconfig, ...args], options);
  }

  /** stdout of a call that must succeed; the error carries kubectl's own message. */
  async ok(args: readonly string[], options: RunOptions = {}): Promise<string> {
    const result = await this.run(args, options);
    if (result.code !== 0) throw new KubectlError(args, result);
    return result.stdout;
  }

  async json<T = Json>(args: readonly string[], options: RunOptions = {}): Promise<T> {
    const out = await this.ok([...args, '-o', 'json'], options);
    return JSON.parse(out) as T;
  }

  /** `kubectl <verb> -f -` with the object on stdin; returns what the API server answered. */
  async submit(verb: readonly string[], object: Json): Promise<Json> {
    return this.json([...verb, '-f', '-'], { input: JSON.stringify(object) });
  }

  async get(kind: string, namespace: string, name: string): Promise<Json> {
    return this.json(['-n', namespace, 'get', kind, name]);
  }

  async list(kind: string, namespace: string, selector?: string): Promise<Json[]> {
    const args = ['-n', namespace, 'get', kind, ...(selector ? ['-l', selector] : [])];
    return (await this.json<{ items?: Json[] }>(args)).items ?? [];
  }
}
