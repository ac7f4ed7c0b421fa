import { readFileSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { freshClone, runCommand } from '../helpers/fresh-clone.js';

/**
 * The README's `npm run soak`, run through npm on a fresh copy, scaled down to seconds: the same
 * script, server start, traffic kinds and verdict as the 5-minute run, with fewer connections and
 * sockets and a shallow deep-JSON body (a 9 MiB one costs seconds per request until the depth
 * check refuses it, and the full soak measures that). This file's worker is its own process, so
 * the settings go through its environment.
 */
Object.assign(process.env, {
  SOAK_MINUTES: '0.05',
  SOAK_CONNECTIONS: '4',
  SOAK_IDLE_SOCKETS: '100',
  SOAK_SETTLE_SECONDS: '1',
  SOAK_DEEP_LEVELS: '1000',
});

/** The node flags of the image's start, read here independently of the soak's own reading. */
function entrypointFlags(): string[] {
  const dockerfile = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');
  const argv = JSON.parse(/^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(dockerfile)?.[1] ?? '[]') as string[];
  return argv.filter((arg) => arg.startsWith('--'));
}

describe('npm run soak, scaled down', () => {
  const dir = freshClone();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints rows of requests, errors, p99 and RSS, then passes with 0 failed requests', async () => {
    const result = await runCommand('npm run soak', dir, 240_000);
    expect(result.stdout).toMatch(/^t\(s\) {2}requests {2}.*rss\(MB\) {2}idle-open/m);
    expect(result.stdout).toContain(`node flags (the Dockerfile's ENTRYPOINT): ${entrypointFlags().join(' ')}\n`);
    expect(result.stdout).toMatch(/^after the load: RSS \d+ MB/m);
    expect(result.stdout).toMatch(/^PASS: [1-9]\d* well-formed requests, 0 failed, p99 [\d.]+ ms; peak RSS \d+ MB/m);
    expect(result.status, result.stdout + result.stderr).toBe(0);
  }, 300_000);

  it('fails, naming the figure, when RSS is above the limit after the load', async () => {
    const result = await runCommand('SOAK_RSS_LIMIT_MB=1 node test/soak/run.mjs', dir, 120_000);
    expect(result.stdout).toMatch(/^FAIL: .*\n {2}RSS \d+ MB 1 s after the load, limit 1 MB$/m);
    expect(result.status).toBe(1);
  }, 150_000);
});
