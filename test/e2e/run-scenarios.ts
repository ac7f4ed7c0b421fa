import { join } from 'node:path';
import { runProcess, type ProcessRunner } from './kubectl.js';
import { repositoryRoot } from './root.js';
import { runnable, type Capability, type Scenario, type ScenarioContext } from './scenarios/index.js';

export interface Outcome {
  scenario: Scenario;
  /** 'ok' and what was seen, 'fail' and why, or 'skip' and the capability the provider lacks. */
  result: 'ok' | 'fail' | 'skip';
  detail: string;
}

/** The built CLI with the cluster's KUBECONFIG: namespace labels and /version come from the same API server. */
export function cliWith(kubeconfig: string, runner: ProcessRunner = runProcess): ScenarioContext['cli'] {
  const main = join(repositoryRoot(), 'dist/cli/main.js');
  return async (args, input) => {
    const env = { ...process.env, KUBECONFIG: kubeconfig };
    const result = await runner(process.execPath, [main, ...args], { input: input ?? '', env, timeoutMs: 60_000 });
    if (result.code !== 0)
      throw new Error(`sidecar-injector ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
    return result.stdout;
  };
}

export async function runScenario(ctx: ScenarioContext, scenario: Scenario): Promise<Outcome> {
  try {
    return { scenario, result: 'ok', detail: await scenario.run(ctx) };
  } catch (error) {
    return { scenario, result: 'fail', detail: (error as Error).message };
  }
}

/** Every scenario the provider can run, in order, one line each as it finishes. */
export async function runAll(ctx: ScenarioContext, available: readonly Capability[]): Promise<Outcome[]> {
  const { run, skipped } = runnable(available);
  const outcomes: Outcome[] = [];
  for (const scenario of run) {
    const outcome = await runScenario(ctx, scenario);
    ctx.say(`${outcome.result === 'ok' ? 'ok  ' : 'FAIL'} ${scenario.name}\n     ${outcome.detail}`);
    outcomes.push(outcome);
  }
  for (const [scenario, missing] of skipped) {
    ctx.say(`skip ${scenario.name} (needs ${missing}, which this provider does not offer)`);
    outcomes.push({ scenario, result: 'skip', detail: `needs ${missing}` });
  }
  return outcomes;
}
