import { NATIVE_ANNOTATION, readToggle } from './annotations.js';
import type { InjectionSettings } from './inject.js';
import type { PodView } from './pod.js';

/** Native or classic sidecars for one pod, and what classic mode costs a pod that must finish. */

/** The pod's sidecar.inject/native when set and the cluster can run it, else the cluster-wide setting. */
export function nativeMode(
  annotations: Record<string, string>,
  settings: InjectionSettings,
  warnings: string[],
): boolean {
  const toggle = readToggle(annotations, NATIVE_ANNOTATION);
  if (toggle.warning) warnings.push(toggle.warning);
  if (toggle.value === 'true' && settings.nativeSupported === false) {
    warnings.push(
      `${NATIVE_ANNOTATION}: "true" refused: this cluster predates native sidecars (Kubernetes 1.29); classic sidecars injected`,
    );
    return false;
  }
  return toggle.value === 'absent' ? settings.nativeSidecars : toggle.value === 'true';
}

/**
 * A classic sidecar is an app container that never exits, so a pod meant to run to completion
 * (a Job's or CronJob's, restartPolicy Never or OnFailure) never completes: say so, and how.
 */
export function runToCompletion(pod: PodView): string[] {
  const policy = pod.spec.restartPolicy;
  if (policy !== 'Never' && policy !== 'OnFailure') return [];
  return [
    `classic sidecars keep a restartPolicy ${policy} pod (a Job's) from completing; set ${NATIVE_ANNOTATION}: "true"`,
  ];
}
