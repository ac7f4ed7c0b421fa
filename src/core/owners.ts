/**
 * Who owns a pod, as `kubectl rollout` sees it: a ReplicaSet's Deployment, a Job's CronJob, else
 * the direct controller, else the pod itself. Pure: the caller passes the owners it listed.
 */
export interface OwnerRef {
  kind: string;
  name: string;
}

interface Owned {
  metadata?: { name?: string; ownerReferences?: { kind?: string; name?: string; controller?: boolean }[] };
}

/** Kinds whose pods `--restart` can recreate by touching the pod template (kubectl rollout restart). */
export const RESTARTABLE_KINDS: readonly string[] = ['Deployment', 'StatefulSet', 'DaemonSet'];

export function controllerOf(object: Owned): OwnerRef | undefined {
  const ref = object.metadata?.ownerReferences?.find((r) => r.controller === true);
  return ref?.kind && ref.name ? { kind: ref.kind, name: ref.name } : undefined;
}

/** `parentOf` finds the pod's controller among the listed ReplicaSets and Jobs, to climb one level more. */
export function topOwner(pod: Owned, parentOf: (ref: OwnerRef) => Owned | undefined): OwnerRef {
  const direct = controllerOf(pod);
  if (!direct) return { kind: 'Pod', name: pod.metadata?.name ?? '' };
  const parent = parentOf(direct);
  return (parent && controllerOf(parent)) ?? direct;
}
