import type { KubernetesObject } from '@kubernetes/client-node';
import { webhookSelects, type MutatingWebhook, type SelectorVerdict } from '../core/webhook-match.js';

/** One mutating webhook of the cluster, judged against one pod as the API server would judge it. */
export interface WebhookVerdict {
  configuration: string;
  webhook: string;
  ours: boolean;
  called: boolean;
  selectors: SelectorVerdict;
  /** Each matchCondition's value, or the error that kept it from being evaluated. */
  conditions: { name: string; value: boolean | string }[];
  failurePolicy: string;
  reinvocationPolicy: string;
}

/** A MutatingWebhookConfiguration as the cluster lists it. */
export interface Configuration extends KubernetesObject {
  webhooks?: MutatingWebhook[];
}

export interface PodFacts {
  namespaceLabels: Record<string, string>;
  pod: { metadata?: { labels?: Record<string, string> } };
}

/**
 * Every webhook of every MutatingWebhookConfiguration, with what decides whether this pod is
 * sent to it. matchConditions run only when the selectors match, as in the API server; an error
 * in one counts as "called" when failurePolicy is Fail (the API server rejects or calls).
 */
export async function judgeWebhooks(
  configurations: readonly Configuration[],
  facts: PodFacts,
  ourConfiguration: string,
): Promise<WebhookVerdict[]> {
  const { evaluate } = await import('@marcbachmann/cel-js');
  const podLabels = facts.pod.metadata?.labels ?? {};
  return configurations.flatMap((configuration) =>
    (configuration.webhooks ?? []).map((webhook) => {
      const selectors = webhookSelects(webhook, facts.namespaceLabels, podLabels);
      const selected = selectors.rules && selectors.namespaceSelector && selectors.objectSelector;
      const conditions = selected ? (webhook.matchConditions ?? []).map((c) => condition(evaluate, c, facts.pod)) : [];
      const failurePolicy = webhook.failurePolicy ?? 'Fail';
      const conditionsPass = conditions.every(
        (c) => c.value === true || (typeof c.value === 'string' && failurePolicy === 'Fail'),
      );
      return {
        configuration: configuration.metadata?.name ?? '',
        webhook: webhook.name,
        ours: configuration.metadata?.name === ourConfiguration,
        called: selected && conditionsPass,
        selectors,
        conditions,
        failurePolicy,
        reinvocationPolicy: webhook.reinvocationPolicy ?? 'Never',
      };
    }),
  );
}

type Evaluate = (expression: string, context: Record<string, unknown>) => unknown;

function condition(
  evaluate: Evaluate,
  c: { name: string; expression: string },
  pod: unknown,
): WebhookVerdict['conditions'][number] {
  try {
    const value = evaluate(c.expression, { object: pod, oldObject: null });
    return { name: c.name, value: value === true };
  } catch (error) {
    return { name: c.name, value: `not evaluated: ${(error as Error).message.split('\n')[0]}` };
  }
}
