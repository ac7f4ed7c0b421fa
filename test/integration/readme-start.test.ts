import { spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Operation } from 'fast-json-patch';
import { afterAll, describe, expect, it } from 'vitest';
import { freshClone, runCommand, stopGroup } from '../helpers/fresh-clone.js';
import { applyStrictly, type Json } from '../helpers/pods.js';

/** Resolves with the printed `curl …` command, or rejects with everything printed. */
function waitForTryIt(child: ChildProcess, output: { text: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output.text += chunk.toString();
      const match = /^ {2}(curl .*)$/m.exec(output.text);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    child.stderr?.on('data', (chunk: Buffer) => (output.text += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`npm start exited ${code}:\n${output.text}`)));
  });
}

describe('README first screen, run through npm on a fresh clone', () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  afterAll(() => {
    children.forEach(stopGroup);
    dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  });

  it('npm start serves https://localhost:8443 with new dev certificates and prints a curl command whose answer injects the proxy', async () => {
    const dir = freshClone();
    dirs.push(dir);
    expect(existsSync(join(dir, 'certs'))).toBe(false);
    const env = { ...process.env, SHUTDOWN_DELAY: '0', NATIVE_SIDECARS: 'false' };
    const child = spawn('bash', ['-c', 'npm start'], {
      cwd: dir,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    const command = await waitForTryIt(child, { text: '' });
    expect(command).toContain('https://localhost:8443/mutate');
    expect(existsSync(join(dir, 'certs/tls.key'))).toBe(true);

    // The printed command itself, pasted into a shell in the clone.
    const result = await runCommand(command, dir, 30_000);
    expect(result.stderr).toBe('');
    const answer = JSON.parse(result.stdout) as Json;
    expect(answer['allowed']).toBe(true);
    const review = JSON.parse(readFileSync(join(dir, 'test/fixtures/reviews/pod-create-enabled.json'), 'utf8')) as Json;
    const patched = applyStrictly((review['request'] as Json)['object'], answer['patch'] as Operation[]);
    const names = ((patched['spec'] as Json)['containers'] as Json[]).map((c) => c['name']);
    expect(names).toContain('sidecar-proxy');
  }, 120_000);

  it('npm run certs writes a CA and a serving certificate for the in-cluster service name into certs/', async () => {
    const dir = freshClone();
    dirs.push(dir);
    const result = await runCommand('npm run certs', dir, 110_000);
    expect(result.status, result.stderr).toBe(0);
    const leaf = new X509Certificate(readFileSync(join(dir, 'certs/tls.crt')));
    const ca = new X509Certificate(readFileSync(join(dir, 'certs/ca.crt')));
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.subjectAltName).toContain('DNS:sidecar-injector.sidecar-injector.svc');
    expect(existsSync(join(dir, 'certs/tls.key'))).toBe(true);
  }, 120_000);
});
