import type { Outcome } from './core/outcome.js';
import type { AdmissionRequest } from './core/review.js';
import { MAX_MESSAGE, safeText } from './core/text.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';
import type { ReloadEvent } from './watch.js';

/** What the HTTP layer answered: the outcome, and the request when it could be decoded. */
export interface Answer {
  outcome: Outcome;
  request?: AdmissionRequest;
  uid?: string;
}

/** The one log line and the request metrics, per answered /mutate request. */
export function observeRequests(log: Logger, metrics: Metrics): (answer: Answer, seconds: number) => void {
  return ({ outcome, request, uid }, seconds) => {
    const result = outcome.kind;
    metrics.requests.inc({ result, dry_run: request?.dryRun === true ? 'true' : 'false' });
    metrics.duration.observe({ result }, seconds);
    if (outcome.kind === 'skip') metrics.skips.inc({ reason: outcome.reason });
    const fields = { ...logFields(outcome, request, uid), ms: Math.round(seconds * 1e5) / 100 };
    if (outcome.kind === 'error' && outcome.code >= 500) log.error(fields, 'admission failed');
    else if (outcome.kind === 'error') log.warn(fields, 'bad admission request');
    else log.info(fields, 'admission');
  };
}

/**
 * Kept short: this is the one line per pod creation at the default level. Never the pod itself,
 * and every string a caller chose bounded and escaped (one request once wrote a 2 MiB line).
 */
function logFields(outcome: Outcome, request: AdmissionRequest | undefined, uid: string | undefined): object {
  const meta = (request?.object as { metadata?: { name?: unknown; generateName?: unknown } } | null)?.metadata;
  const name = request?.name || text(meta?.name) || text(meta?.generateName);
  return {
    uid: text(request?.uid ?? uid),
    ...(request ? { namespace: text(request.namespace), name: text(name) } : {}),
    ...(request?.dryRun ? { dryRun: true } : {}),
    decision: outcome.kind,
    reason: outcome.reason,
    ...(outcome.kind === 'inject' ? { templates: outcome.templates, native: outcome.native } : {}),
    ...(outcome.kind === 'error' || outcome.kind === 'deny' ? { error: safeText(outcome.message, MAX_MESSAGE) } : {}),
  };
}

/** The request is unvalidated: only a bounded, escaped string from it may reach a log line. */
function text(value: unknown): string | undefined {
  return typeof value === 'string' ? safeText(value) : undefined;
}

const RELOAD_FAILED = {
  certificate: 'certificate reload failed; keeping the current certificate',
  templates: 'template reload failed; keeping the last good set',
} as const;

/** A log line and a counter per reload attempt. */
export function observeReloads(log: Logger, metrics: Metrics): (event: ReloadEvent) => void {
  return (event) => {
    metrics.reloads.inc({ kind: event.kind, result: event.ok ? 'success' : 'failure' });
    if (event.ok) log.info(event.fields, event.kind === 'certificate' ? 'certificate reloaded' : 'templates reloaded');
    else log.error({ err: event.error.message }, RELOAD_FAILED[event.kind]);
  };
}
