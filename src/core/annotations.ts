/**
 * The one table of the labels and annotations the injector reads or writes. Override annotations
 * (sidecar.inject/proxy-cpu, ...) are declared by each template's parameter table instead.
 */
export const NAMESPACE_LABEL = 'istio-injection';
export const INJECT_ANNOTATION = 'sidecar.inject';
export const TEMPLATES_ANNOTATION = 'sidecar.inject/templates';
export const NATIVE_ANNOTATION = 'sidecar.inject/native';
export const STATUS_ANNOTATION = 'sidecar.inject/status';
export const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

export type Toggle = 'true' | 'false' | 'absent';

export interface ToggleReading {
  value: Toggle;
  /** Set when the annotation holds something other than true/false: reported as a warning. */
  warning?: string;
}

/** Reads a boolean annotation the way users write it: case-insensitive, anything else is absent. */
export function readToggle(annotations: Record<string, string>, key: string): ToggleReading {
  const raw = annotations[key];
  if (raw === undefined) return { value: 'absent' };
  const normalised = raw.trim().toLowerCase();
  if (normalised === 'true' || normalised === 'false') return { value: normalised };
  return {
    value: 'absent',
    warning: `annotation ${key}: ${JSON.stringify(raw.slice(0, 40))} is neither "true" nor "false"; ignored`,
  };
}
