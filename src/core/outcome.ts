import type { Operation } from 'fast-json-patch';
import { statusCodeOf, type DenyReason, type ErrorReason, type InjectReason, type SkipReason } from './reasons.js';

/**
 * What the injector answers, from the core to the log line, the metric label, the audit
 * annotation and `explain`: one type, built only by the constructors below (after
 * controller-runtime's Allowed/Patched/Denied/Errored). Key order is the order golden files show.
 */
export type Outcome =
  | { kind: 'inject'; reason: InjectReason; templates: string[]; native: boolean; warnings: string[]; ops: Operation[] }
  | { kind: 'skip'; reason: SkipReason; warnings: string[] }
  | { kind: 'deny'; reason: DenyReason; message: string; warnings: string[] }
  | { kind: 'error'; reason: ErrorReason; code: number; message: string; warnings: string[] };

/** Allowed, unchanged. */
export function skipped(reason: SkipReason): Outcome {
  return { kind: 'skip', reason, warnings: [] };
}

/** Allowed with the patch that adds the sidecars. */
export function injected(
  reason: InjectReason,
  ops: Operation[],
  detail: { templates: string[]; native: boolean },
): Outcome {
  return { kind: 'inject', reason, templates: detail.templates, native: detail.native, warnings: [], ops };
}

/** Refused for a reason the pod's author can fix; the message says how. */
export function denied(reason: DenyReason, message: string): Outcome {
  return { kind: 'deny', reason, message, warnings: [] };
}

/** The request itself could not be handled (bad body, too large, a bug): the table gives the status code. */
export function errored(reason: ErrorReason, message: string): Outcome {
  return { kind: 'error', reason, code: statusCodeOf(reason), message, warnings: [] };
}

/** The same outcome with these warnings first (duplicates dropped). */
export function withWarnings(outcome: Outcome, warnings: readonly string[]): Outcome {
  if (warnings.length === 0) return outcome;
  return { ...outcome, warnings: [...new Set([...warnings, ...outcome.warnings])] };
}

/** HTTP-independent status of an outcome: what an error or a deny answers with, 200 otherwise. */
export function statusCode(outcome: Outcome): number {
  if (outcome.kind === 'error') return outcome.code;
  return outcome.kind === 'deny' ? statusCodeOf(outcome.reason) : 200;
}
