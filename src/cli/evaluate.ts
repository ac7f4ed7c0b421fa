import { decide } from '../core/decide.js';
import type { Outcome } from '../core/outcome.js';
import type { Context } from './context.js';

/** What the webhook would answer for this pod today: the one call every CLI command makes. */
export async function evaluate(context: Context, pod: unknown, namespace: string, nameHint = ''): Promise<Outcome> {
  return decide({
    object: pod,
    namespace,
    namespaceLabels: await context.labelsOf(namespace),
    templates: context.templates,
    settings: context.settings,
    nameHint,
  });
}
