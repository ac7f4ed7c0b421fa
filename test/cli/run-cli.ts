import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../helpers/pods.js';

/** The CLI as users run it: the built binary, arguments and stdin in, exit code and streams out. */
export const CLI = join(ROOT, 'dist/cli/main.js');
export const CORPUS = join(ROOT, 'test/cli/corpus');
export const LABELS = join(ROOT, 'test/fixtures/namespace-labels.yaml');
export const COMMON = ['--namespace', 'demo', '--namespace-labels', LABELS, '--native', 'false'];

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Asynchronous on purpose: a synchronous spawn blocks the test worker, and on a loaded machine
 * vitest's own messages to it then time out.
 */
export function cli(args: string[], input?: string, env: NodeJS.ProcessEnv = process.env): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.on('error', () => undefined).end(input ?? '');
  });
}

/** Every command the CLI has: each must answer --help and appear in the top-level usage. */
export const COMMANDS = ['serve', 'certs', 'inject', 'uninject', 'explain', 'status'] as const;
