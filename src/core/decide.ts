import {
  MIRROR_ANNOTATION,
  NAMESPACE_DISABLED,
  NAMESPACE_ENABLED,
  NAMESPACE_LABEL,
  STATUS_ANNOTATION,
  TEMPLATES_ANNOTATION,
  type Toggle,
} from './annotations.js';
import { findConflicts } from './conflicts.js';
import { addsNothing, podFacts, renderAdditions, selectTemplates, type InjectionSettings } from './inject.js';
import { resolveParams } from './param-values.js';
import { denied, injected, skipped, withWarnings, type Outcome } from './outcome.js';
import { buildPatch } from './patch.js';
import { podSecurityOutcome } from './pod-security-gate.js';
import { collidingContainer, foreignMark } from './foreign.js';
import { annotationsOf, containersOf, readPod, type PodView } from './pod.js';
import { podToggle } from './pod-toggle.js';
import { nativeMode, runToCompletion } from './native-mode.js';
import { readInitOrder, restoredInitOrder } from './init-order.js';
import type { InjectReason, SkipReason } from './reasons.js';
import type { TemplateSet } from './templates.js';
import { quoted, quotedList } from './text.js';

/** Namespaces Kubernetes itself runs in; injecting there can break the control plane. */
export const SYSTEM_NAMESPACES: readonly string[] = ['kube-system', 'kube-public', 'kube-node-lease'];

/** What is known of the pod's namespace: its labels, or that they could not be read. */
export type NamespaceLabels = { known: true; labels: Readonly<Record<string, string>> } | { known: false; why: string };

/** What the API server asked for; absent offline, where the CLI reads pods from files. */
export interface RequestTarget {
  operation: string;
  kind?: { group: string; version: string; kind: string } | null | undefined;
  resource: { group: string; version: string; resource: string };
  subResource?: string | null | undefined;
}

export interface DecisionInput {
  request?: RequestTarget;
  /** The pod exactly as received; the patch is built against it. */
  object: unknown;
  namespace: string;
  namespaceLabels: NamespaceLabels;
  templates: TemplateSet;
  settings: InjectionSettings;
  /** The name for `{{ pod.name }}` when the pod has neither name nor generateName (pod templates). */
  nameHint?: string;
}

/**
 * Every decision, in one ladder read top to bottom; the first rung that answers wins. After
 * Istio: what cannot be mutated, then what the pod cannot take (system namespace, mirror pod,
 * hostNetwork, nothing to inject into, already injected), the pod's opt-out, the namespace
 * policy and the pod's opt-in, another mesh's or agent's sidecar already there, then what the
 * pod asks for (templates, what the namespace's Pod Security level allows of them, overrides),
 * then what would collide with what we add.
 */
export function decide(input: DecisionInput): Outcome {
  if (input.request !== undefined && !isPodCreate(input.request)) return skipped('not_pod_create');
  if (!saysPod(input.request?.kind, input.object)) return skipped('kind_mismatch');
  const reading = readPod(input.object);
  if (!reading.ok) return denied('invalid_pod', `request.object is not a Pod: ${reading.message}`);
  const pod = reading.pod;
  const annotations = annotationsOf(pod);
  const toggle = podToggle(pod, input.settings.istioInjectAlias !== false);
  const warnings = toggle.warning ? [toggle.warning] : [];
  const skip = (reason: SkipReason, ...why: string[]): Outcome => withWarnings(skipped(reason), [...warnings, ...why]);
  const unfit = cannotTake(pod, annotations, input);
  if (unfit === 'already_injected') return restoredInitOrder(input.object, annotations) ?? skip(unfit);
  if (unfit) return skip(unfit);
  if (toggle.value === 'false') return skip('pod_opted_out');
  const policy = namespacePolicy(toggle.value, input.namespaceLabels, input.settings, warnings);
  if (policy.kind === 'skip') return skip(policy.reason);
  const foreign = foreignMark(pod, annotations);
  if (foreign) return skip('foreign_sidecar', foreign);
  return withWarnings(whatToInject(pod, annotations, input, policy.reason), warnings);
}

/** The rungs once the policy says inject: what the pod asks for, what it renders to, conflicts. */
function whatToInject(
  pod: PodView,
  annotations: Record<string, string>,
  input: DecisionInput,
  reason: InjectReason,
): Outcome {
  const selected = selectTemplates(annotations, input.templates, input.settings.defaultTemplates);
  if (!selected.ok) return denied('unknown_template', selected.message);
  if (selected.templates.length === 0)
    return withWarnings(skipped('no_templates'), [
      `${TEMPLATES_ANNOTATION} ${quoted(annotations[TEMPLATES_ANNOTATION] ?? '')} names no template; nothing injected`,
    ]);
  const linuxOnly = pod.spec.os?.name === 'windows' ? selected.templates.filter((t) => !t.os.includes('windows')) : [];
  if (linuxOnly.length > 0)
    return withWarnings(skipped('windows_pod'), [
      `spec.os.name is windows; template ${quotedList(linuxOnly.map((t) => t.name))} supports only linux`,
    ]);
  const labels = input.namespaceLabels.known ? input.namespaceLabels.labels : undefined;
  const security = podSecurityOutcome(selected, input.namespace, labels);
  if (security) return security;
  const params = resolveParams(selected.templates, annotations, labels);
  if (!params.ok) return denied(params.reason, params.message);
  const order = readInitOrder(annotations);
  if (!order.ok) return denied('invalid_override', order.message);
  const warnings: string[] = [];
  const native = nativeMode(annotations, input.settings, warnings);
  const facts = podFacts(pod, input.namespace, input.nameHint);
  const options = { facts, params: params.values, native, initOrder: order.order };
  const additions = renderAdditions(selected.templates, options);
  const templates = selected.templates.map((t) => t.name);
  if (addsNothing(additions))
    return withWarnings(skipped('no_templates'), [...warnings, `template ${quotedList(templates)} adds nothing`]);
  const colliding = collidingContainer(pod, additions);
  if (colliding) return withWarnings(skipped('foreign_sidecar'), [...warnings, colliding]);
  const conflicts = findConflicts(pod, additions);
  if (conflicts.length > 0) return withWarnings(skipped('name_conflict'), [...warnings, ...conflicts]);
  if (!native && additions.containers.length > 0) warnings.push(...runToCompletion(pod));
  return withWarnings(injected(reason, buildPatch(input.object, additions), { templates, native }), warnings);
}

/** What the pod cannot take, whatever it asks for. */
function cannotTake(pod: PodView, annotations: Record<string, string>, input: DecisionInput): SkipReason | undefined {
  if (isIgnoredNamespace(input.namespace, input.settings.injectorNamespace)) return 'namespace_ignored';
  if (annotations[MIRROR_ANNOTATION] !== undefined) return 'mirror_pod';
  if (pod.spec.hostNetwork === true) return 'host_network';
  if (containersOf(pod).length === 0) return 'no_containers';
  if (annotations[STATUS_ANNOTATION] !== undefined) return 'already_injected';
  return undefined;
}

/** Pods are mutated on CREATE of core/v1 pods only: not on pods/status, pods/binding, etc. */
export function isPodCreate(request: RequestTarget): boolean {
  const { group, version, resource } = request.resource;
  return (
    request.operation === 'CREATE' && group === '' && version === 'v1' && resource === 'pods' && !request.subResource
  );
}

/**
 * A review for the pods resource whose request.kind or object.kind names something else was
 * forged or misrouted: answered allowed and unchanged, never patched as if it were a Pod.
 */
function saysPod(kind: RequestTarget['kind'], object: unknown): boolean {
  if (kind && (kind.group !== '' || kind.version !== 'v1' || kind.kind !== 'Pod')) return false;
  const objectKind = (object as { kind?: unknown } | null)?.kind;
  return objectKind === undefined || objectKind === 'Pod';
}

export function isIgnoredNamespace(namespace: string, injectorNamespace: string): boolean {
  return namespace === injectorNamespace || SYSTEM_NAMESPACES.includes(namespace);
}

type Policy = { kind: 'inject'; reason: InjectReason } | { kind: 'skip'; reason: SkipReason };

/** The namespace label, then the pod's opt-in; adds a warning when the labels are unknown. */
function namespacePolicy(
  toggle: Toggle,
  namespace: NamespaceLabels,
  settings: InjectionSettings,
  warnings: string[],
): Policy {
  if (!namespace.known) {
    // The request only reached us because a webhook's namespaceSelector matched: either the
    // namespace is enabled or the pod opted in. Both mean inject.
    warnings.push(`namespace labels unavailable (${namespace.why}); injecting because the webhook selector matched`);
    return { kind: 'inject', reason: toggle === 'true' ? 'pod_opted_in' : 'namespace_unknown_selector_matched' };
  }
  const key = settings.namespaceLabel ?? NAMESPACE_LABEL;
  const label = Object.hasOwn(namespace.labels, key) ? namespace.labels[key] : undefined;
  if (label === NAMESPACE_DISABLED) return { kind: 'skip', reason: 'namespace_disabled' };
  if (label === NAMESPACE_ENABLED) return { kind: 'inject', reason: 'namespace_enabled' };
  if (toggle === 'true') return { kind: 'inject', reason: 'pod_opted_in' };
  return { kind: 'skip', reason: 'namespace_not_enabled' };
}
