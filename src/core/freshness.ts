import { readStatus, type InjectionStatus } from './status.js';
import type { TemplateSet } from './templates.js';

/**
 * How a running pod stands against today's templates and rules, for `sidecar-injector status`:
 * current (every template it got is unchanged), outdated (which ones changed), missing (today's
 * rules would inject it but it has no sidecars, e.g. created while the webhook was down), or
 * skipped (and why).
 */
export type Freshness =
  | { state: 'current'; templates: string[] }
  | { state: 'outdated'; templates: string[]; changes: string[] }
  | { state: 'missing'; reason: string }
  | { state: 'skipped'; reason: string };

/** The decision today's rules take for the pod, in the core's vocabulary (kind and reason). */
export interface Verdict {
  kind: string;
  reason: string;
}

export function freshness(
  annotations: Readonly<Record<string, string>>,
  templates: TemplateSet,
  decideToday: () => Verdict,
): Freshness {
  const reading = readStatus(annotations);
  if (reading.kind === 'invalid') return { state: 'outdated', templates: [], changes: [reading.message] };
  if (reading.kind === 'present') return compare(reading.status, templates);
  const verdict = decideToday();
  return verdict.kind === 'inject'
    ? { state: 'missing', reason: verdict.reason }
    : { state: 'skipped', reason: verdict.reason };
}

function compare(status: InjectionStatus, templates: TemplateSet): Freshness {
  const names = Object.keys(status.templates);
  const changes = names.flatMap((name) => {
    const recorded = status.templates[name];
    const today = templates.get(name);
    if (!today) return [`${name}: template no longer exists`];
    if (recorded?.hash === undefined) return [`${name}: injected before templates were hashed`];
    if (recorded.hash === today.hash) return [];
    const was = (recorded.images ?? []).join(',');
    const now = today.images.join(',');
    return [was !== '' && was !== now ? `${name}: image ${was} -> ${now}` : `${name}: template changed`];
  });
  return changes.length > 0 ? { state: 'outdated', templates: names, changes } : { state: 'current', templates: names };
}
