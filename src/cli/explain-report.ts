import { describeReason } from '../core/reasons.js';
import type { Outcome } from '../core/outcome.js';
import type { WebhookVerdict } from './webhooks-live.js';

/** What `explain` found about one live object: the report below is its only reader's view. */
export interface LiveExplanation {
  object: string;
  namespace: string;
  decision: Outcome;
  sentToUs: boolean;
  webhooks: WebhookVerdict[];
  podSecurity: Record<string, string>;
  servingCertificateExpires: string;
}

/** The live explanation as a person reads it: what happens, why, and what else is in the way. */
export function liveReport(e: LiveExplanation): string {
  const d = e.decision;
  const lines = [`${e.object} in namespace ${e.namespace}: ${verdict(e)}`];
  lines.push(`  injector's decision: ${d.kind} (${d.reason}): ${describeReason(d.reason)}`);
  if (d.kind === 'inject') lines.push(`  templates: ${d.templates.join(', ')}${d.native ? ' (native sidecars)' : ''}`);
  if (d.kind === 'deny' || d.kind === 'error') lines.push(`  message: ${d.message}`);
  for (const warning of d.warnings) lines.push(`  warning: ${warning}`);
  const ours = e.webhooks.filter((w) => w.ours);
  lines.push(
    ours.length > 0 ? 'our webhooks:' : 'our webhooks: none installed (no MutatingWebhookConfiguration of ours)',
  );
  for (const w of ours) lines.push(`  ${w.webhook}: ${w.called ? 'called' : 'not called'} (${why(w)})`);
  const others = e.webhooks.filter((w) => !w.ours && w.called);
  lines.push(
    others.length > 0
      ? 'other mutating webhooks that match this pod:'
      : 'other mutating webhooks that match this pod: none',
  );
  for (const w of others) {
    lines.push(
      `  ${w.configuration}/${w.webhook} (failurePolicy ${w.failurePolicy}, reinvocationPolicy ${w.reinvocationPolicy})`,
    );
  }
  const security = Object.entries(e.podSecurity).map(([k, v]) => `${k}=${v}`);
  lines.push(
    `pod security: ${security.length > 0 ? security.join(', ') : 'no pod-security.kubernetes.io labels (privileged)'}`,
  );
  lines.push(`serving certificate expires: ${e.servingCertificateExpires}`);
  return `${lines.join('\n')}\n`;
}

/** What the API server and the injector together will do to the next pod. */
function verdict(e: LiveExplanation): string {
  if (!e.sentToUs) return `NOT SENT to the injector, so not injected`;
  if (e.decision.kind === 'inject') return 'INJECTED';
  if (e.decision.kind === 'deny') return 'DENIED (pod creation fails)';
  return 'sent, but not injected';
}

function why(w: WebhookVerdict): string {
  const failed = Object.entries(w.selectors)
    .filter(([, ok]) => !ok)
    .map(([name]) => `${name} does not match`);
  if (failed.length > 0) return failed.join(', ');
  const conditions = w.conditions.map((c) => `${c.name}=${String(c.value)}`);
  return conditions.length > 0 ? `selectors match; matchConditions ${conditions.join(', ')}` : 'selectors match';
}
