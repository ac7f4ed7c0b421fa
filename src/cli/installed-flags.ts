import { matchConditions } from '../core/match-conditions.js';
import type { Cluster } from './cluster.js';
import type { Configuration } from './webhooks-live.js';

/** The context flags an installed webhook was rendered with, as far as its configuration shows them. */
export interface InstalledFlags {
  'namespace-label'?: string;
  'istio-alias'?: 'true' | 'false';
}

/**
 * Read back from our MutatingWebhookConfiguration: the namespace label key is the selector's
 * `In [enabled]` expression (NAMESPACE_LABEL's transformer writes it), and the alias is on or
 * off when every matchCondition of that generation is present (the API server filters pods by
 * them, so they say what the cluster does even where the Deployment's env was changed alone).
 */
export function flagsFromConfiguration(configuration: Configuration | undefined): InstalledFlags {
  const webhooks = configuration?.webhooks ?? [];
  const enabled = webhooks
    .flatMap((w) => w.namespaceSelector?.matchExpressions ?? [])
    .find((e) => e.operator === 'In' && e.values?.length === 1 && e.values[0] === 'enabled');
  const expressions = new Set(webhooks.flatMap((w) => (w.matchConditions ?? []).map((c) => c.expression)));
  const generated = (istioAlias: boolean): boolean =>
    Object.values(matchConditions({ istioAlias }))
      .flat()
      .every((c) => expressions.has(c.expression));
  const alias = generated(true) ? 'true' : generated(false) ? 'false' : undefined;
  return { ...(enabled ? { 'namespace-label': enabled.key } : {}), ...(alias ? { 'istio-alias': alias } : {}) };
}

/**
 * The flags given, completed by the installed configuration's: `status` and live `explain` then
 * judge pods by the key and alias the cluster uses, without being told. Not installed, or not
 * readable (RBAC): the flags as given, so the defaults apply.
 */
export function completedFlags(
  configuration: Configuration | undefined,
  values: Record<string, string | undefined>,
): Record<string, string | undefined> {
  const installed = flagsFromConfiguration(configuration);
  return {
    ...values,
    'namespace-label': values['namespace-label'] ?? installed['namespace-label'],
    'istio-alias': values['istio-alias'] ?? installed['istio-alias'],
  };
}

/** completedFlags() with our configuration read from the cluster, for commands that need nothing else of it. */
export async function withInstalledFlags(
  cluster: Cluster,
  configurationName: string,
  values: Record<string, string | undefined>,
): Promise<Record<string, string | undefined>> {
  const configuration = await cluster
    .read<Configuration>('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration', configurationName)
    .catch(() => undefined);
  return completedFlags(configuration, values);
}
