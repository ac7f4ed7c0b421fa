import { labelFlip, outage, reinvocation, rotation } from './availability.js';
import { burst } from './burst.js';
import type { Capability, Scenario } from './context.js';
import { corpus } from './corpus.js';
import { customLabel, foreignSidecars, initOrder, istioOptOut } from './coexistence.js';
import { explainLive, pipeline, statusMissing, statusOutdated } from './operate.js';
import { deployment, dryRun, native, neverSent, recreated } from './injection.js';
import { podSecurity } from './pod-security.js';
import { runManifestsAdmitted, templatesRun } from './runs.js';
import { secrets } from './secrets.js';
import { truthTable } from './truth-table.js';

export type { Capability, Scenario, ScenarioContext, WebhookControl } from './context.js';
export { deleteScenarioNamespaces, realClock } from './context.js';

/**
 * The scenarios, in the order they run: each creates its own namespaces and asserts on what the
 * API server stored. The burst runs last so its latency figures are not disturbed by the others.
 */
export const SCENARIOS: readonly Scenario[] = [
  deployment,
  truthTable,
  neverSent,
  recreated,
  reinvocation,
  dryRun,
  corpus,
  labelFlip,
  outage,
  rotation,
  native,
  podSecurity,
  secrets,
  statusMissing,
  statusOutdated,
  explainLive,
  pipeline,
  foreignSidecars,
  istioOptOut,
  customLabel,
  initOrder,
  runManifestsAdmitted,
  templatesRun,
  burst,
];

/** The scenarios a provider can run, and the ones it cannot with the capability they need. */
export function runnable(available: readonly Capability[]): {
  run: Scenario[];
  skipped: Array<[Scenario, Capability]>;
} {
  const run: Scenario[] = [];
  const skipped: Array<[Scenario, Capability]> = [];
  for (const scenario of SCENARIOS) {
    const missing = (scenario.needs ?? []).find((need) => !available.includes(need));
    if (missing) skipped.push([scenario, missing]);
    else if (!scenario.unless || !available.includes(scenario.unless)) run.push(scenario);
  }
  return { run, skipped };
}
