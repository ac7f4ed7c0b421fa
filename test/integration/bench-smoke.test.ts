import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freshClone, runCommand } from '../helpers/fresh-clone.js';

// The README's benchmark commands, run through npm in their smoke mode (BENCH_QUICK=1: short
// rounds, 6 KB only). This proves the commands work end to end, never how fast anything is.
const BENCH = 'npm run bench';
const BENCH_CORE = 'npm run bench:core';
const hasGo =
  spawnSync('sh', ['-c', 'command -v go || test -x /usr/local/go/bin/go'], { stdio: 'ignore' }).status === 0;

interface Row {
  case: string;
  server: string;
  rps: number;
  cpuUsPerRequest: number;
  invalidRounds: number;
}
interface Result {
  rows: Row[];
  ratios: { versus: string; rps: number; perCpu: number }[];
  memory: { what: string; projectMb: number }[];
  cpuSplit: { totalUs: number; parts: { part: string; share: number }[] };
  machine: { node: string; go?: string; loadBefore: string };
}

describe('README benchmark commands, through npm in smoke mode', () => {
  const dir = freshClone();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`${BENCH} runs floor, baseline, Go peer and project on the same reviews, checks they inject the same pod, and reports ratios, memory and the CPU split`, async () => {
    const results = join(dir, 'quick.json');
    const committed = (): string[] =>
      ['README.md', 'test/bench/results/latest.json'].map((f) => readFileSync(join(dir, f), 'utf8'));
    const before = committed();
    // The first run on a machine builds the Go peer (controller-runtime) once: minutes, not seconds.
    const ran = await runCommand(`BENCH_QUICK=1 BENCH_RESULTS=${results} ${BENCH}`, dir, 1_500_000);
    expect(ran.status, `${ran.stdout}\n${ran.stderr}`).toBe(0);
    const result = JSON.parse(readFileSync(results, 'utf8')) as Result;
    const servers = result.rows.map((r) => r.server);
    expect(servers).toEqual(['floor', 'baseline', ...(hasGo ? ['go'] : []), 'project']);
    for (const row of result.rows) {
      expect(row.invalidRounds, `${row.server} had errors`).toBe(0);
      expect(row.rps).toBeGreaterThan(0);
      expect(row.cpuUsPerRequest).toBeGreaterThan(0);
    }
    expect(result.ratios.map((r) => r.versus)).toEqual(['baseline', ...(hasGo ? ['go'] : [])]);
    expect(ran.stdout).toMatch(/project \/ baseline\s+req\/s \d+\.\d\d, per CPU-second \d+\.\d\d/);
    expect(ran.stdout).toMatch(/steady RSS, 6KB pods/);
    expect(ran.stdout).toMatch(/API server admission latency/);
    expect(ran.stdout).toMatch(/conditions: .*Node v\d+.*load average/);
    if (!hasGo) expect(ran.stdout).toMatch(/^Go peer skipped: /m);
    const shares = result.cpuSplit.parts.reduce((sum, p) => sum + p.share, 0);
    expect(shares).toBeCloseTo(1, 6);
    expect(result.cpuSplit.parts.map((p) => p.part)).toContain('decide/render/patch (core)');
    // Smoke mode never touches the committed results or the README.
    expect(committed()).toEqual(before);
  }, 1_600_000);

  it(`${BENCH_CORE} times the pure path and the whole request handling for each pod size`, async () => {
    const ran = await runCommand(`BENCH_QUICK=1 ${BENCH_CORE}`, dir, 300_000);
    expect(ran.status, `${ran.stdout}\n${ran.stderr}`).toBe(0);
    for (const size of ['6KB', '100KB', '1MiB'])
      expect(ran.stdout).toMatch(new RegExp(`^${size}\\s+\\d+\\s+[\\d.]+`, 'm'));
    expect(ran.stdout).toMatch(/size x\d+ -> request time x\d+/);
  }, 320_000);
});
