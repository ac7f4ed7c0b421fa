import { POD_SECURITY_ENFORCE_LABEL, TEMPLATES_ANNOTATION } from './annotations.js';
import { denied, skipped, withWarnings, type Outcome } from './outcome.js';
import { LEVELS, allows, type Level } from './pod-security.js';
import type { Template } from './templates.js';

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
 * PodSecurity runs after the mutating webhooks: a template the namespace does not allow would get
 * the whole pod refused with a 403 naming our container. Templates chosen by default are
 * skipped instead (the pod runs as its author wrote it, with a warning); templates the pod named
 * itself are denied, because skipping would silently drop what its author explicitly asked for.
 * Unknown labels (undefined) decide nothing: the webhook selector already said inject.
 */
export function podSecurityOutcome(
  selection: { templates: readonly Template[]; explicit: boolean },
  namespace: string,
  labels: Readonly<Record<string, string>> | undefined,
): Outcome | undefined {
  if (labels === undefined) return undefined;
  const level = enforcedLevel(labels);
  const refused = selection.templates.filter((t) => !allows(level, t.podSecurity));
  if (refused.length === 0) return undefined;
  const needs = refused
    .map((t) => `template ${t.name} needs ${t.podSecurity} (${t.podSecurityWhy.join('; ')})`)
    .join('; ');
  const enforces = `namespace ${namespace} enforces Pod Security ${level} (label ${POD_SECURITY_ENFORCE_LABEL})`;
  if (selection.explicit)
    return denied(
      'pod_security',
      `${needs}, but ${enforces}; remove ${refused.map((t) => t.name).join(', ')} from ${TEMPLATES_ANNOTATION} or relax the namespace's level`,
    );
  return withWarnings(skipped('pod_security'), [`no sidecars injected: ${needs}, but ${enforces}`]);
}
