import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/pods.js';

interface Report {
  README_START: string;
  README_END: string;
  readmeBlock(result: unknown): string;
  withReadmeBlock(readme: string, result: unknown): string;
}
interface Split {
  sharesFromProfile(
    profile: unknown,
    from: number,
    to: number,
  ): { samples: number; shares: { part: string; share: number }[] };
}
interface Injection {
  podDifference(review: string, expected: string, actual: string): string | undefined;
}

// The benchmark's own modules are plain .mjs scripts; loaded by path, typed here by what the test uses.
const bench = (file: string): Promise<unknown> => import(join(ROOT, 'test/bench', file));
const report = (await bench('report.mjs')) as Report;
const split = (await bench('split.mjs')) as Split;
const injection = (await bench('injection.mjs')) as Injection;

describe('benchmark report', () => {
  it("the README's benchmark block is exactly what test/bench/results/latest.json generates", () => {
    const latest = JSON.parse(readFileSync(join(ROOT, 'test/bench/results/latest.json'), 'utf8')) as unknown;
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const start = readme.indexOf(report.README_START);
    const end = readme.indexOf(report.README_END) + report.README_END.length;
    expect(start, 'README.md has no generated benchmark block').toBeGreaterThanOrEqual(0);
    expect(readme.slice(start, end)).toBe(report.readmeBlock(latest));
  });

  it('regenerating the block replaces only what lies between the markers', () => {
    const latest = JSON.parse(readFileSync(join(ROOT, 'test/bench/results/latest.json'), 'utf8')) as unknown;
    const readme = `before\n${report.README_START}\nstale\n${report.README_END}\nafter\n`;
    const updated = report.withReadmeBlock(readme, latest);
    expect(updated.startsWith('before\n')).toBe(true);
    expect(updated.endsWith('\nafter\n')).toBe(true);
    expect(updated).not.toContain('stale');
    expect(() => report.withReadmeBlock('no markers', latest)).toThrow(/no <!-- bench:latest/);
  });
});

describe('CPU split from a --cpu-prof profile', () => {
  const frame = (functionName: string, url = '') => ({ functionName, url, lineNumber: 0, columnNumber: 0 });
  const profile = {
    startTime: 1000,
    nodes: [
      { id: 1, callFrame: frame('(root)'), children: [2, 5, 6, 7] },
      { id: 2, callFrame: frame('handle', 'file:///app/dist/server.js'), children: [3, 4] },
      { id: 3, callFrame: frame('write', 'file:///app/node_modules/pino/lib/proto.js'), children: [] },
      { id: 4, callFrame: frame('inject', 'file:///app/dist/core/inject.js'), children: [8] },
      { id: 5, callFrame: frame('(idle)'), children: [] },
      { id: 6, callFrame: frame('(garbage collector)'), children: [] },
      { id: 7, callFrame: frame('(program)'), children: [] },
      { id: 8, callFrame: frame('stringify'), children: [] },
    ],
    // One sample each 10 µs from 1010 on: two outside the window [1015, 1085].
    samples: [3, 3, 8, 4, 5, 5, 6, 7, 2],
    timeDeltas: [10, 10, 10, 10, 10, 10, 10, 10, 10],
  };

  it('attributes each sample to the innermost frame that names a part, ignoring idle time and samples outside the window', () => {
    const { samples, shares } = split.sharesFromProfile(profile, 1015, 1085);
    expect(samples).toBe(5);
    expect(Object.fromEntries(shares.map((s) => [s.part, s.share]))).toEqual({
      'log line (pino)': 0.2,
      'decide/render/patch (core)': 0.4,
      'garbage collection': 0.2,
      'native: TLS records, syscalls, event loop': 0.2,
    });
  });
});

describe('like-for-like check between benchmark servers', () => {
  const review = JSON.stringify({
    request: { uid: 'u', object: { metadata: { annotations: {} }, spec: { containers: [{ name: 'app' }] } } },
  });
  const answer = (ops: unknown[]) =>
    JSON.stringify({ response: { allowed: true, patch: Buffer.from(JSON.stringify(ops)).toString('base64') } });
  const proxy = { op: 'add', path: '/spec/containers/-', value: { name: 'proxy', image: 'envoy:1' } };

  it('finds no difference between answers that give the same pod, whatever the ops', () => {
    const asWhole = { op: 'add', path: '/spec/containers', value: [{ name: 'app' }, proxy.value] };
    expect(injection.podDifference(review, answer([proxy]), answer([asWhole]))).toBeUndefined();
  });

  it('names the part of the pod where two answers differ', () => {
    const other = { ...proxy, value: { name: 'proxy', image: 'envoy:2' } };
    expect(injection.podDifference(review, answer([proxy]), answer([other]))).toMatch(/^containers: expected/);
  });
});
