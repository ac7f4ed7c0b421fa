import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './pods.js';

/**
 * A copy of the repository's files as a fresh clone has them: no certs/, no dist/. Dependencies
 * are already installed (the copy links this checkout's node_modules), so `npm install` would have
 * nothing left to do and README commands run through npm exactly as a new user types them.
 */
export function freshClone(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fresh-clone-'));
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  }).stdout.split('\0');
  for (const file of listed.filter((f) => f !== '' && !f.startsWith('certs/') && existsSync(join(ROOT, f)))) {
    cpSync(join(ROOT, file), join(dir, file), { recursive: true, dereference: false });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

/** npm → sh → node: the whole process group goes, or a server would outlive its test. */
export function stopGroup(child: ChildProcess): void {
  if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

export interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a README command line with bash in `cwd`. Asynchronous on purpose: a spawnSync of a
 * minute-long npm command blocks the test worker, and vitest then reports its own RPC timeout.
 */
export function runCommand(command: string, cwd: string, timeoutMs: number): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', command], { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const ran: Ran = { status: null, stdout: '', stderr: '' };
    child.stdout.on('data', (chunk: Buffer) => (ran.stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (ran.stderr += chunk.toString()));
    const timer = setTimeout(() => stopGroup(child), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ ...ran, status: code });
    });
  });
}
