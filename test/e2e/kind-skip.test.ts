import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runProcess } from './kubectl.js';
import { repositoryRoot } from './root.js';

const COMMAND = 'npm run test:e2e';
const works = (tool: string, args: string[]): boolean =>
  spawnSync(tool, args, { stdio: 'ignore', timeout: 20_000 }).status === 0;
// With a Docker engine and kind the README command runs the whole kind suite: the e2e workflow job's work.
const kindCanRun = works('docker', ['info']) && works('kind', ['version']);
if (kindCanRun) console.log(`'${COMMAND}' would run the kind suite here: left to the e2e workflow job`);

describe.skipIf(kindCanRun)(`${COMMAND} where Docker or kind is missing`, () => {
  it('prints one SKIP line naming what is missing, exits 0 and claims no pass', async () => {
    const [program = 'npm', ...args] = COMMAND.split(' ');
    // Asynchronous: a synchronous child would block the vitest worker for the whole build.
    const run = await runProcess(program, args, { cwd: repositoryRoot(), timeoutMs: 300_000 });
    expect(run.code, run.stderr).toBe(0);
    const verdicts = run.stdout.split('\n').filter((line) => /^(SKIP|ok|FAIL)\b|passed/.test(line));
    expect(verdicts).toEqual([
      expect.stringMatching(
        /^SKIP e2e: (no Docker engine is reachable|kind is not installed|kubectl is not installed)/,
      ),
    ]);
  }, 300_000);
});
