/**
 * The one closed table of reasons. Every outcome carries one code from here; the log line, the
 * metric label, the audit annotation, `explain` and the README's table all read it, so the set
 * stays small and stable (metric labels must be a closed set). `code` is the status an error
 * answers with.
 */
export const REASONS = {
  namespace_enabled: {
    outcome: 'inject',
    sentence: 'the namespace is labelled istio-injection=enabled (or the NAMESPACE_LABEL key)',
  },
  pod_opted_in: {
    outcome: 'inject',
    sentence:
      'the pod is annotated sidecar.inject: "true" (or Istio\'s sidecar.istio.io/inject label or annotation says so)',
  },
  init_order_restored: {
    outcome: 'inject',
    sentence:
      'already injected; on reinvocation our init containers are moved back where sidecar.inject/init-order asks, after another webhook added its own',
  },
  namespace_unknown_selector_matched: {
    outcome: 'inject',
    sentence:
      'the namespace labels could not be read; the webhook namespaceSelector matched, so the namespace is treated as enabled',
  },
  not_pod_create: { outcome: 'skip', sentence: 'only CREATE of core/v1 pods (no subresource) is mutated' },
  kind_mismatch: {
    outcome: 'skip',
    sentence: 'request.kind or object.kind is not a core/v1 Pod although the resource is pods',
  },
  namespace_ignored: { outcome: 'skip', sentence: 'system namespaces and the injector namespace are never injected' },
  mirror_pod: { outcome: 'skip', sentence: 'mirror (static) pods cannot be changed by the API server' },
  host_network: {
    outcome: 'skip',
    sentence: 'hostNetwork pods share the node network; redirecting it would break the node',
  },
  no_containers: { outcome: 'skip', sentence: 'the pod has no containers' },
  already_injected: { outcome: 'skip', sentence: 'the pod already carries the sidecar.inject/status annotation' },
  pod_opted_out: {
    outcome: 'skip',
    sentence:
      'the pod is annotated sidecar.inject: "false" (or Istio\'s sidecar.istio.io/inject label or annotation says so)',
  },
  namespace_disabled: {
    outcome: 'skip',
    sentence: 'the namespace is labelled istio-injection=disabled (or the NAMESPACE_LABEL key)',
  },
  namespace_not_enabled: {
    outcome: 'skip',
    sentence: 'the namespace is not labelled istio-injection=enabled and the pod does not opt in',
  },
  foreign_sidecar: {
    outcome: 'skip',
    sentence:
      'another mesh or agent (Istio, Linkerd, Vault, Dapr) already injected the pod, or a container has the name or a port of ours',
  },
  name_conflict: {
    outcome: 'skip',
    sentence: 'the pod already uses a volume name, mount path or env name that a sidecar needs',
  },
  no_templates: {
    outcome: 'skip',
    sentence: 'sidecar.inject/templates names no template (e.g. ","), or the selected templates add nothing',
  },
  windows_pod: {
    outcome: 'skip',
    sentence: 'the pod runs on Windows (spec.os.name) and a selected template does not list windows in its os',
  },
  pod_security: {
    outcome: ['skip', 'deny'],
    code: 403,
    sentence:
      "a selected template needs more than the namespace's Pod Security enforce level allows: skipped when chosen by default, denied when the pod names it",
  },
  invalid_pod: { outcome: 'deny', code: 400, sentence: 'request.object is not a Pod' },
  unknown_template: {
    outcome: 'deny',
    code: 400,
    sentence: 'sidecar.inject/templates names a template that does not exist',
  },
  invalid_override: {
    outcome: 'deny',
    code: 400,
    sentence: 'an override annotation has a value outside its accepted form',
  },
  missing_setting: {
    outcome: 'deny',
    code: 400,
    sentence: 'a selected template needs a setting (a namespace label or a pod annotation) that is not set',
  },
  bad_request: { outcome: 'error', code: 400, sentence: 'the body is not a well-formed AdmissionReview' },
  body_too_large: { outcome: 'error', code: 413, sentence: 'the body is larger than the 10 MiB limit' },
  unsupported_media_type: { outcome: 'error', code: 415, sentence: 'the Content-Type is not application/json' },
  server_busy: {
    outcome: 'error',
    code: 503,
    sentence:
      'the reviews being parsed at once filled PARSE_BUDGET_MIB for 4 s; the pod is refused with this message and its controller retries',
  },
  internal_error: { outcome: 'error', code: 500, sentence: 'a bug in the injector; the message says where' },
} as const satisfies Record<string, { outcome: Decision | readonly Decision[]; sentence: string; code?: number }>;

/** The one spelling of a decision: core, log line, metric label, audit annotation and `explain`. */
export type Decision = 'inject' | 'skip' | 'deny' | 'error';

type Table = typeof REASONS;
export type Reason = keyof Table;
/** A row answers with one decision, or with either of two (pod_security: skip or deny). */
type DecisionsOf<R extends Reason> = Table[R]['outcome'] extends readonly (infer D)[] ? D : Table[R]['outcome'];
type ReasonOf<D extends Decision> = { [R in Reason]: D extends DecisionsOf<R> ? R : never }[Reason];
export type InjectReason = ReasonOf<'inject'>;
export type SkipReason = ReasonOf<'skip'>;
export type DenyReason = ReasonOf<'deny'>;
export type ErrorReason = ReasonOf<'error'>;

export function describeReason(reason: Reason): string {
  return REASONS[reason].sentence;
}

/** The status code a deny or an error answers with. */
export function statusCodeOf(reason: DenyReason | ErrorReason): number {
  return REASONS[reason].code;
}
