import { INJECT_ANNOTATION, ISTIO_INJECT, readToggle, type ToggleReading } from './annotations.js';
import { annotationsOf, type PodView } from './pod.js';

/**
 * Whether the pod opts in or out. Precedence, the first that says "true" or "false" wins: our
 * `sidecar.inject` annotation (ours beats Istio's: a pod can be steered apart from Istio); then,
 * when the alias is on, Istio's `sidecar.istio.io/inject` label, then its annotation (Istio lets
 * the label win over the annotation too). A warning about an unreadable value is kept whichever
 * source decides. match-conditions.ts spells the same precedence in CEL.
 */
export function podToggle(pod: PodView, istioAlias: boolean): ToggleReading {
  const annotations = annotationsOf(pod);
  const own = readToggle(annotations, INJECT_ANNOTATION);
  if (own.value !== 'absent' || !istioAlias) return own;
  const warnings = own.warning ? [own.warning] : [];
  const sources = [
    readToggle(pod.metadata?.labels ?? {}, ISTIO_INJECT, 'label'),
    readToggle(annotations, ISTIO_INJECT, 'annotation'),
  ];
  for (const istio of sources) {
    if (istio.warning) warnings.push(istio.warning);
    if (istio.value !== 'absent') return { value: istio.value, ...(warnings[0] ? { warning: warnings[0] } : {}) };
  }
  return { value: 'absent', ...(warnings[0] ? { warning: warnings[0] } : {}) };
}
