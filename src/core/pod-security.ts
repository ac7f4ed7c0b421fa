import {
  asObject,
  baselineViolations,
  restrictedViolations,
  volumeViolations,
  type Violation,
} from './pod-security-checks.js';

/**
 * Pod Security Standards (kubernetes.io/docs/concepts/security/pod-security-standards), the
 * checks a template's additions can fail, at every policy version PodSecurity admission can be
 * pinned to (pod-security.kubernetes.io/enforce-version). A template fits the strictest level
 * whose checks, at that version, all its additions pass.
 */
export const LEVELS = ['privileged', 'baseline', 'restricted'] as const;
export type Level = (typeof LEVELS)[number];
export type { Violation } from './pod-security-checks.js';

/**
 * The newest policy version this module knows: k8s.io/pod-security-admission v0.34, as the
 * Kubernetes 1.34 the project tests against enforces it. `latest`, and any newer version, reads
 * as this one.
 */
export const LATEST_POLICY_MINOR = 34;

export interface LevelFit {
  level: Level;
  /** Why the additions do not fit the next stricter level (empty at restricted). */
  violations: string[];
}

/** Every way the containers and volumes fail a level, at any policy version. */
export function podSecurityViolations(containers: readonly unknown[], volumes: readonly unknown[]): Violation[] {
  return [
    ...containers.flatMap((c) => [...baselineViolations(asObject(c)), ...restrictedViolations(asObject(c))]),
    ...volumes.flatMap((v) => volumeViolations(asObject(v))),
  ];
}

/** The strictest level left by the violations that policy version v1.`minor` checks. */
export function levelAt(violations: readonly Violation[], minor = LATEST_POLICY_MINOR): LevelFit {
  const active = violations.filter((v) => v.since <= minor && (v.until === undefined || minor <= v.until));
  const texts = (level: Violation['level']): string[] => active.filter((v) => v.level === level).map((v) => v.text);
  const baseline = texts('baseline');
  if (baseline.length > 0) return { level: 'privileged', violations: baseline };
  const restricted = texts('restricted');
  return restricted.length > 0
    ? { level: 'baseline', violations: restricted }
    : { level: 'restricted', violations: [] };
}

/** The strictest level the containers and volumes fit at the latest policy, and what keeps them from the next one. */
export function fitLevel(containers: readonly unknown[], volumes: readonly unknown[]): LevelFit {
  return levelAt(podSecurityViolations(containers, volumes));
}

/** Whether a template that fits `fits` may run in a namespace enforcing `enforced`. */
export function allows(enforced: Level, fits: Level): boolean {
  return LEVELS.indexOf(fits) >= LEVELS.indexOf(enforced);
}
