import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess } from '../e2e/kubectl.js';
import { repositoryRoot } from '../e2e/root.js';
import { runScenario } from '../e2e/run-scenarios.js';
import { runnable, type ScenarioContext } from '../e2e/scenarios/index.js';
import { startAppendWebhook } from './append-webhook.js';
import { ensureBinaries, unavailableBecause } from './binaries.js';
import { startLocalCluster, type LocalCluster } from './local-cluster.js';

const why = unavailableBecause();
if (why) console.log(`SKIP control-plane tier (test/cluster): ${why}`);

/** Set to write the burst's admission latency to test/bench/results/admission-latency.json (committed). */
const RECORD = process.env['RECORD_ADMISSION_LATENCY'] === '1';

// One control plane for the whole tier: the scenarios run in order against it, each asserting on
// what the API server stored. The same scenarios run on kind (npm run test:e2e).
describe.skipIf(why !== undefined)('against a real kube-apiserver (etcd, controllers, scheduler, kwok)', () => {
  let cluster: LocalCluster | undefined;
  let append: Awaited<ReturnType<typeof startAppendWebhook>> | undefined;
  let ctx: ScenarioContext;

  beforeAll(async () => {
    const binaries = await ensureBinaries((line) => console.log(line));
    const started = Date.now();
    cluster = await startLocalCluster(binaries);
    append = await startAppendWebhook(join(cluster.dir, 'append'));
    ctx = {
      ...cluster.context((line) => console.log(line)),
      appendWebhook: append,
      ...(RECORD ? { resultsDir: join(repositoryRoot(), 'test/bench/results') } : {}),
    };
    console.log(
      `control-plane tier: Kubernetes ${cluster.controlPlane.version} (kube-apiserver ${cluster.controlPlane.server}) ` +
        `up with the webhook in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  }, 60 * 60_000); // a cold build of the binaries (no ~/.cache/sidecar-injector) takes many minutes

  afterAll(async () => {
    await append?.close();
    await cluster?.stop();
  }, 120_000);

  // Everything but a kubelet: no container runs on kwok's nodes, so those scenarios are kind's.
  const { run, skipped } = runnable(['webhook', 'rotation', 'appendWebhook', 'settings']);
  for (const [scenario, missing] of skipped) it.skip(`${scenario.name} (needs ${missing}: kind only)`, () => {});
  for (const scenario of run) {
    it(
      scenario.name,
      async () => {
        const outcome = await runScenario(ctx, scenario);
        console.log(`${outcome.result === 'ok' ? 'ok  ' : 'FAIL'} ${scenario.name}\n     ${outcome.detail}`);
        expect(outcome.result, outcome.detail).toBe('ok');
      },
      600_000,
    );
  }
});

/** Processes whose command line or environment names `dir`: what a clean stop must leave none of. */
function processesMentioning(dir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
      if (cmdline.includes(dir) || environ.includes(dir))
        found.push(`${pid} ${cmdline.replace(/\0/g, ' ').slice(0, 120)}`);
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

function waitForOutput(
  child: ChildProcess,
  output: () => string,
  pattern: RegExp,
  timeoutMs: number,
): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no ${pattern} within ${timeoutMs / 1000} s:\n${output()}`)),
      timeoutMs,
    );
    const check = (): void => {
      const match = pattern.exec(output());
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    };
    child.stdout?.on('data', check);
    child.on('exit', (code) => reject(new Error(`exited ${code} before ${pattern}:\n${output()}`)));
  });
}

describe.skipIf(why !== undefined)('npm run cluster, exactly as the README says', () => {
  it(
    'starts the control plane with the webhook, prints a kubectl command that shows an injected pod, and stops cleanly on Ctrl-C',
    async () => {
      // detached: a process group of its own, so the SIGINT below reaches npm and what it runs, as a terminal's Ctrl-C does.
      const [program = 'npm', ...args] = 'npm run cluster'.split(' ');
      const child = spawn(program, args, {
        cwd: repositoryRoot(),
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      try {
        const [, exportLine, command] = await waitForOutput(
          child,
          () => output,
          /^ {2}(export KUBECONFIG=.*)\n {2}(kubectl .*)$/m,
          15 * 60_000,
        );
        const dir = /removes (\/\S+)\.$/m.exec(output)?.[1] ?? '';
        expect(dir).toMatch(/sidecar-injector-cluster-/);
        const tried = await runProcess('bash', ['-c', `${exportLine}\n${command}`], { timeoutMs: 60_000 });
        expect(tried.stderr).toBe('');
        expect(tried.stdout).toContain('sidecar-proxy');
        console.log(`npm run cluster: \`${command}\` printed ${tried.stdout.trim()}`);
        process.kill(-child.pid!, 'SIGINT');
        await exited;
        expect(output).toContain('stopped; temporary folder removed');
        expect(existsSync(dir)).toBe(false);
        expect(processesMentioning(dir)).toEqual([]);
      } finally {
        if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
      }
    },
    20 * 60_000,
  );
});
