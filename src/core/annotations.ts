import { quoted } from './text.js';

/**
 * The one table of the labels and annotations the injector reads or writes, and the values it
 * accepts. Override annotations (sidecar.inject/proxy-cpu, ...) are declared by each template's
 * parameter table instead. The webhook's CEL matchConditions are generated from this table
 * (match-conditions.ts), so the API server filters exactly as the code decides.
 */
/** The default namespace label key; NAMESPACE_LABEL sets another (to live beside Istio's). */
export const NAMESPACE_LABEL = 'istio-injection';
export const NAMESPACE_ENABLED = 'enabled';
export const NAMESPACE_DISABLED = 'disabled';
export const INJECT_ANNOTATION = 'sidecar.inject';
export const TEMPLATES_ANNOTATION = 'sidecar.inject/templates';
export const NATIVE_ANNOTATION = 'sidecar.inject/native';
export const STATUS_ANNOTATION = 'sidecar.inject/status';
/** Where our init containers go among the pod's: first or last (default: as the mode places them). */
export const INIT_ORDER_ANNOTATION = 'sidecar.inject/init-order';
export const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';
/** The namespace label PodSecurity admission enforces; read so a template that would be refused is not added. */
export const POD_SECURITY_ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';
/** Istio's per-pod switch (label or annotation), honoured as an alias of sidecar.inject unless ISTIO_INJECT_ALIAS=false. */
export const ISTIO_INJECT = 'sidecar.istio.io/inject';

export type Toggle = 'true' | 'false' | 'absent';

export interface ToggleReading {
  value: Toggle;
  /** Set when the annotation holds something other than true/false: reported as a warning. */
  warning?: string;
}

/**
 * Unicode White_Space: what CEL's trim() (Go's unicode.IsSpace) removes in the API server. JS's
 * own trim() differs (it strips U+FEFF, keeps U+0085), so the set is spelled out.
 */
const EDGE_SPACE =
  /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;

/**
 * A boolean annotation the way users write it: surrounding whitespace is ignored (a YAML block
 * scalar `|` leaves a trailing newline) and case too; anything else is absent. Spelled as CEL's
 * `value.trim().lowerAscii()` so the webhook's matchConditions agree exactly.
 */
export function normaliseToggle(raw: string): string {
  return raw.replace(EDGE_SPACE, '').replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

export function readToggle(
  map: Readonly<Record<string, string>>,
  key: string,
  kind: 'annotation' | 'label' = 'annotation',
): ToggleReading {
  const raw = Object.hasOwn(map, key) ? map[key] : undefined;
  if (raw === undefined) return { value: 'absent' };
  const normalised = normaliseToggle(raw);
  if (normalised === 'true' || normalised === 'false') return { value: normalised };
  return {
    value: 'absent',
    warning: `${kind} ${key}: ${quoted(raw)} is neither "true" nor "false"; ignored`,
  };
}
