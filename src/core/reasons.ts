/**
 * Every decision the injector takes has a stable snake_case reason. The codes feed logs, metric
 * labels (so the set must stay closed and small), audit annotations and the CLI's `explain`.
 */
export const INJECT_REASONS = {
  namespace_enabled: 'the namespace is labelled istio-injection=enabled',
  pod_opted_in: 'the pod is annotated sidecar.inject: "true"',
  namespace_unknown_selector_matched:
    'the namespace labels could not be read; the webhook namespaceSelector matched, so the namespace is treated as enabled',
} as const;

export const SKIP_REASONS = {
  not_pod_create: 'only CREATE of core/v1 pods (no subresource) is mutated',
  already_injected: 'the pod already carries the sidecar.inject/status annotation',
  namespace_ignored: 'system namespaces and the injector namespace are never injected',
  mirror_pod: 'mirror (static) pods cannot be changed by the API server',
  host_network: 'hostNetwork pods share the node network; redirecting it would break the node',
  no_containers: 'the pod has no containers',
  pod_opted_out: 'the pod is annotated sidecar.inject: "false"',
  namespace_disabled: 'the namespace is labelled istio-injection=disabled',
  namespace_not_enabled: 'the namespace is not labelled istio-injection=enabled and the pod does not opt in',
  name_conflict: 'the pod already uses a name or mount path that a sidecar needs',
  no_templates: 'the selected template set adds nothing',
} as const;

export const DENY_REASONS = {
  unknown_template: 'sidecar.inject/templates names a template that does not exist',
  invalid_override: 'an override annotation has a value outside its accepted form',
  invalid_pod: 'request.object is not a Pod',
} as const;

export type InjectReason = keyof typeof INJECT_REASONS;
export type SkipReason = keyof typeof SKIP_REASONS;
export type DenyReason = keyof typeof DENY_REASONS;
export type Reason = InjectReason | SkipReason | DenyReason;

export function describeReason(reason: Reason): string {
  return (
    (INJECT_REASONS as Record<string, string>)[reason] ??
    (SKIP_REASONS as Record<string, string>)[reason] ??
    (DENY_REASONS as Record<string, string>)[reason] ??
    reason
  );
}
