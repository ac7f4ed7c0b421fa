import { INJECT_ANNOTATION, MIRROR_ANNOTATION, NAMESPACE_LABEL, STATUS_ANNOTATION, readToggle } from './annotations.js';
import { annotationsOf, containersOf, type PodView } from './pod.js';
import type { InjectReason, SkipReason } from './reasons.js';

/** Namespaces Kubernetes itself runs in; injecting there can break the control plane. */
export const SYSTEM_NAMESPACES: readonly string[] = ['kube-system', 'kube-public', 'kube-node-lease'];

/** What is known of the pod's namespace: its labels, or that they could not be read. */
export type NamespaceLabels = { known: true; labels: Readonly<Record<string, string>> } | { known: false; why: string };

export interface DecisionContext {
  namespace: string;
  namespaceLabels: NamespaceLabels;
  injectorNamespace: string;
}

export type Decision =
  | { inject: true; reason: InjectReason; warnings: string[] }
  | { inject: false; reason: SkipReason; warnings: string[] };

/**
 * Whether the pod gets its sidecars. Fixed precedence, after Istio's: what the pod cannot take
 * (system namespace, mirror pod, hostNetwork, nothing to inject into, already injected), then
 * the pod's explicit opt-out, then the namespace policy, then the pod's opt-in.
 */
export function decide(pod: PodView, context: DecisionContext): Decision {
  const annotations = annotationsOf(pod);
  const toggle = readToggle(annotations, INJECT_ANNOTATION);
  const warnings = toggle.warning ? [toggle.warning] : [];
  const skip = (reason: SkipReason): Decision => ({ inject: false, reason, warnings });
  const inject = (reason: InjectReason): Decision => ({ inject: true, reason, warnings });

  if (isIgnoredNamespace(context.namespace, context.injectorNamespace)) return skip('namespace_ignored');
  if (annotations[MIRROR_ANNOTATION] !== undefined) return skip('mirror_pod');
  if (pod.spec.hostNetwork === true) return skip('host_network');
  if (containersOf(pod).length === 0) return skip('no_containers');
  if (annotations[STATUS_ANNOTATION] !== undefined) return skip('already_injected');
  if (toggle.value === 'false') return skip('pod_opted_out');

  if (!context.namespaceLabels.known) {
    // The request only reached us because a webhook's namespaceSelector matched: either the
    // namespace is enabled or the pod opted in. Both mean inject.
    warnings.push(
      `namespace labels unavailable (${context.namespaceLabels.why}); injecting because the webhook selector matched`,
    );
    return inject(toggle.value === 'true' ? 'pod_opted_in' : 'namespace_unknown_selector_matched');
  }
  const policy = context.namespaceLabels.labels[NAMESPACE_LABEL];
  if (policy === 'disabled') return skip('namespace_disabled');
  if (policy === 'enabled') return inject('namespace_enabled');
  if (toggle.value === 'true') return inject('pod_opted_in');
  return skip('namespace_not_enabled');
}

export function isIgnoredNamespace(namespace: string, injectorNamespace: string): boolean {
  return namespace === injectorNamespace || SYSTEM_NAMESPACES.includes(namespace);
}
