import type { Json } from '../helpers/pods.js';

/** Label selector semantics (matchLabels + matchExpressions), as the API server evaluates them. */
export function selectorMatches(selector: Json, labels: Record<string, string>): boolean {
  const matchLabels = (selector['matchLabels'] ?? {}) as Record<string, string>;
  if (!Object.entries(matchLabels).every(([k, v]) => labels[k] === v)) return false;
  const expressions = (selector['matchExpressions'] ?? []) as { key: string; operator: string; values?: string[] }[];
  return expressions.every(({ key, operator, values = [] }) => {
    const value = labels[key];
    switch (operator) {
      case 'In':
        return value !== undefined && values.includes(value);
      case 'NotIn':
        return value === undefined || !values.includes(value);
      case 'Exists':
        return value !== undefined;
      case 'DoesNotExist':
        return value === undefined;
      default:
        throw new Error(`unknown operator ${operator}`);
    }
  });
}
