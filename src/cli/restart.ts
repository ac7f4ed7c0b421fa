import { RESTARTABLE_KINDS } from '../core/owners.js';
import { apiErrorMessage, type Cluster } from './cluster.js';
import type { OwnerRow } from './status-rows.js';

/** The annotation `kubectl rollout restart` sets on the pod template; its change rolls the pods. */
export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

export interface RestartResult {
  lines: string[];
  failed: boolean;
}

/**
 * Restarts the owners of outdated and missing pods the way `kubectl rollout restart` does. With
 * `dryRun` the API server validates each patch (permissions included) and stores nothing.
 */
export async function restartOwners(
  cluster: Cluster,
  rows: readonly OwnerRow[],
  options: { dryRun: boolean; now: string },
): Promise<RestartResult> {
  const result: RestartResult = { lines: [], failed: false };
  for (const { namespace, owner, state } of rows) {
    if (state !== 'outdated' && state !== 'missing') continue;
    const target = `${owner.kind}/${owner.name} in ${namespace}`;
    if (!RESTARTABLE_KINDS.includes(owner.kind)) {
      result.lines.push(`cannot restart ${target}: not a Deployment, StatefulSet or DaemonSet; recreate its pods`);
      continue;
    }
    const patch = { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: options.now } } } } };
    try {
      await cluster.mergePatch(
        { apiVersion: 'apps/v1', kind: owner.kind, metadata: { name: owner.name, namespace }, ...patch },
        options.dryRun,
      );
      result.lines.push(`${options.dryRun ? 'would restart' : 'restarted'} ${target} (${state})`);
    } catch (error) {
      result.failed = true;
      result.lines.push(`failed to restart ${target}: ${apiErrorMessage(error)}`);
    }
  }
  return result;
}
