import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/pods.js';

/** Every `npm …` command in the README's shell blocks, split at &&, pipes and redirections. */
function readmeNpmCommands(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/^```sh\n([\s\S]*?)^```/gm)].map((m) => m[1] ?? '');
  const commands = blocks
    .flatMap((block) => block.split('\n'))
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .flatMap((line) => line.split(/\s*(?:&&|\||<|>)\s*/))
    .filter((part) => part.startsWith('npm '));
  return [...new Set(commands)];
}

function testSources(dir: string): { file: string; text: string }[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'fixtures' ? [] : testSources(path);
    return /\.(ts|mjs)$/.test(name) ? [{ file: relative(ROOT, path), text: readFileSync(path, 'utf8') }] : [];
  });
}

/**
 * `npm install-test` is the test run itself: CI (.ci/run) runs it verbatim, which also runs the
 * `npm install` of the first command. A test cannot run the suite that runs it.
 */
const RUN_BY_CI = new Set(['npm install', 'npm install-test']);

/**
 * Commands whose test is being written by another stream this session. An entry is a debt, never
 * a pass: this test fails as soon as a listed command gains its test (remove the entry then).
 */
const NOT_YET_RUN: Record<string, string> = {};

describe('README commands', () => {
  const self = relative(ROOT, new URL(import.meta.url).pathname);
  const sources = testSources(join(ROOT, 'test')).filter((s) => s.file !== self);

  it.each(readmeNpmCommands())('%s is run by a test through npm, exactly as written', (command) => {
    if (RUN_BY_CI.has(command)) {
      expect(readFileSync(join(ROOT, '.ci/run'), 'utf8')).toMatch(/^npm install-test$/m);
      return;
    }
    const runners = sources.filter((s) => s.text.includes(`'${command}'`)).map((s) => s.file);
    if (command in NOT_YET_RUN) {
      expect(runners, `'${command}' is now run by a test: remove it from NOT_YET_RUN`).toEqual([]);
      return;
    }
    expect(runners, `no test runs '${command}' (quote it exactly in the test that runs it)`).not.toEqual([]);
  });
});
