import { POD_SECURITY_ENFORCE_LABEL, TEMPLATES_ANNOTATION } from './annotations.js';
import { denied, skipped, withWarnings, type Outcome } from './outcome.js';
import { LATEST_POLICY_MINOR, LEVELS, allows, levelAt, type Level } from './pod-security.js';
import type { Template } from './templates.js';

export const POD_SECURITY_VERSION_LABEL = `${POD_SECURITY_ENFORCE_LABEL}-version`;
const VERSION = /^v1\.(0|[1-9][0-9]*)$/;

/**
 * The level PodSecurity admission enforces in a namespace with these labels: none set is
 * `privileged`, and a value it cannot parse is `restricted`, as PodSecurity itself reads it
 * (k8s.io/pod-security-admission api.ParseLevel). Cluster-wide defaults from an
 * AdmissionConfiguration are not visible here.
 */
export function enforcedLevel(labels: Readonly<Record<string, string>>): Level {
  const value = labels[POD_SECURITY_ENFORCE_LABEL];
  if (value === undefined) return 'privileged';
  return (LEVELS as readonly string[]).includes(value) ? (value as Level) : 'restricted';
}

/**
 * The policy version (the minor of v1.x) PodSecurity checks with, as api.ParseVersion reads the
 * enforce-version label: `latest`, none, or a value it cannot parse is the latest (PodSecurity
 * evaluates an unparsable version as latest); a version newer than we know is our latest.
 */
export function enforcedVersion(labels: Readonly<Record<string, string>>): number {
  const match = VERSION.exec(labels[POD_SECURITY_VERSION_LABEL] ?? '');
  return match ? Math.min(Number(match[1]), LATEST_POLICY_MINOR) : LATEST_POLICY_MINOR;
}

/** How the namespace's setting reads in a message, naming the labels it came from. */
function describeEnforcement(namespace: string, level: Level, labels: Readonly<Record<string, string>>): string {
  const version = labels[POD_SECURITY_VERSION_LABEL];
  const pinned = version === undefined ? '' : ` at ${version} (label ${POD_SECURITY_VERSION_LABEL})`;
  return `namespace ${namespace} enforces Pod Security ${level} (label ${POD_SECURITY_ENFORCE_LABEL})${pinned}`;
}

/**
 * PodSecurity runs after the mutating webhooks: a template the namespace does not allow would get
 * the whole pod refused with a 403 naming our container. Templates chosen by default are
 * skipped instead (the pod runs as its author wrote it, with a warning); templates the pod named
 * itself are denied, because skipping would silently drop what its author explicitly asked for.
 * A template is judged by the checks of the policy version the namespace pins: one that fails
 * only a check newer than that version is allowed, as PodSecurity allows it.
 * Unknown labels (undefined) decide nothing: the webhook selector already said inject.
 */
export function podSecurityOutcome(
  selection: { templates: readonly Template[]; explicit: boolean },
  namespace: string,
  labels: Readonly<Record<string, string>> | undefined,
): Outcome | undefined {
  if (labels === undefined) return undefined;
  const level = enforcedLevel(labels);
  const minor = enforcedVersion(labels);
  const refused = selection.templates
    .map((template) => ({ template, fit: levelAt(template.podSecurityChecks, minor) }))
    .filter(({ fit }) => !allows(level, fit.level));
  if (refused.length === 0) return undefined;
  const needs = refused
    .map(({ template, fit }) => `template ${template.name} needs ${fit.level} (${fit.violations.join('; ')})`)
    .join('; ');
  const enforces = describeEnforcement(namespace, level, labels);
  const names = refused.map(({ template }) => template.name).join(', ');
  if (selection.explicit)
    return denied(
      'pod_security',
      `${needs}, but ${enforces}; remove ${names} from ${TEMPLATES_ANNOTATION} or relax the namespace's level`,
    );
  return withWarnings(skipped('pod_security'), [`no sidecars injected: ${needs}, but ${enforces}`]);
}
