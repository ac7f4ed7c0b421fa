/**
 * Which mutating webhooks the API server would call for a pod CREATE, decided the way it does:
 * rules (operation, group, version, resource, scope), namespaceSelector over the namespace's
 * labels, objectSelector over the pod's labels. matchConditions (CEL) are evaluated by the caller.
 */
export interface LabelSelector {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: { key: string; operator: string; values?: string[] | null }[] | null;
}

export interface WebhookRule {
  operations?: string[] | null;
  apiGroups?: string[] | null;
  apiVersions?: string[] | null;
  resources?: string[] | null;
  scope?: string | null;
}

export interface MutatingWebhook {
  name: string;
  rules?: WebhookRule[] | null;
  namespaceSelector?: LabelSelector | null;
  objectSelector?: LabelSelector | null;
  matchConditions?: { name: string; expression: string }[] | null;
  failurePolicy?: string | null;
  reinvocationPolicy?: string | null;
}

/** The label-selector operators the API server accepts, each evaluated below. */
export const SELECTOR_OPERATORS: readonly string[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/** An absent selector matches everything; an empty one too (as metav1.LabelSelectorAsSelector). */
export function selectorMatches(selector: LabelSelector | null | undefined, labels: Record<string, string>): boolean {
  if (!selector) return true;
  const equal = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  return equal && (selector.matchExpressions ?? []).every((e) => expressionMatches(e, labels));
}

function expressionMatches(
  expression: { key: string; operator: string; values?: string[] | null },
  labels: Record<string, string>,
): boolean {
  const value = labels[expression.key];
  const values = expression.values ?? [];
  switch (expression.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    default:
      return false; // the API server rejects unknown operators; nothing matches them
  }
}

const listed = (list: string[] | null | undefined, value: string): boolean =>
  (list ?? []).some((item) => item === '*' || item === value);

/** A rule that covers CREATE of core/v1 pods in a namespace (the only request the injector takes). */
export function rulesMatchPodCreate(rules: WebhookRule[] | null | undefined): boolean {
  return (rules ?? []).some(
    (rule) =>
      listed(rule.operations, 'CREATE') &&
      listed(rule.apiGroups, '') &&
      listed(rule.apiVersions, 'v1') &&
      (listed(rule.resources, 'pods') || (rule.resources ?? []).includes('*/*')) &&
      (rule.scope === undefined || rule.scope === null || rule.scope === '*' || rule.scope === 'Namespaced'),
  );
}

export interface SelectorVerdict {
  rules: boolean;
  namespaceSelector: boolean;
  objectSelector: boolean;
}

/** The three checks the API server makes before matchConditions, each reported on its own. */
export function webhookSelects(
  webhook: MutatingWebhook,
  namespaceLabels: Record<string, string>,
  podLabels: Record<string, string>,
): SelectorVerdict {
  return {
    rules: rulesMatchPodCreate(webhook.rules),
    namespaceSelector: selectorMatches(webhook.namespaceSelector, namespaceLabels),
    objectSelector: selectorMatches(webhook.objectSelector, podLabels),
  };
}
