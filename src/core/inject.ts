import { TEMPLATES_ANNOTATION } from './annotations.js';
import { noAdditions, type Additions } from './patch.js';
import { containersOf, podDisplayName, type PodView } from './pod.js';
import { nameOf, type PodFacts, type Tree } from './render.js';
import type { ParamValue } from './params.js';
import type { InitOrder } from './init-order.js';
import type { TemplateStatus } from './status.js';
import type { Template, TemplateSet } from './templates.js';
import { quotedList } from './text.js';

/** What the pod asks for and what that renders to; decide.ts turns the results into outcomes. */

export interface InjectionSettings {
  injectorNamespace: string;
  defaultTemplates: readonly string[];
  /** Native sidecars unless the pod says otherwise (NATIVE_SIDECARS resolved by the shell). */
  nativeSidecars: boolean;
  /**
   * False when the cluster is known to predate native sidecars (Kubernetes < 1.29), which drop
   * restartPolicy: Always and leave a proxy that blocks pod start: a pod's native: "true" is then
   * refused. Absent when unknown (no cluster, or NATIVE_SIDECARS set explicitly).
   */
  nativeSupported?: boolean;
  /** The namespace label key (NAMESPACE_LABEL); istio-injection when unset. */
  namespaceLabel?: string;
  /** Honour Istio's sidecar.istio.io/inject as an alias of sidecar.inject (ISTIO_INJECT_ALIAS); on unless false. */
  istioInjectAlias?: boolean;
}

/** `explicit`: the pod named its templates (sidecar.inject/templates) rather than taking the default. */
type Selection = { ok: true; templates: Template[]; explicit: boolean } | { ok: false; message: string };

/** Whether rendering added nothing at all: no container, volume, mount or env. */
export function addsNothing(additions: Additions): boolean {
  return [
    additions.containers,
    additions.initContainersFirst,
    additions.initContainersLast,
    additions.volumes,
    additions.appVolumeMounts,
    additions.appEnv,
  ].every((list) => list.length === 0);
}

/** The pod's template list or the default, in the set's canonical order so the result is stable. */
export function selectTemplates(
  annotations: Record<string, string>,
  templates: TemplateSet,
  defaults: readonly string[],
): Selection {
  const raw = annotations[TEMPLATES_ANNOTATION];
  const explicit = raw !== undefined && raw.trim() !== '';
  const names = !explicit
    ? defaults
    : raw
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean);
  const unknown = names.filter((name) => !templates.has(name));
  if (unknown.length > 0) {
    const available = [...templates.keys()].sort().join(', ');
    return {
      ok: false,
      message: `${TEMPLATES_ANNOTATION}: unknown template ${quotedList(unknown)}; available: ${available}`,
    };
  }
  const chosen = [...new Set(names)].map((name) => templates.get(name) as Template);
  chosen.sort((a, b) => a.order - b.order || a.name.localeCompare(b.name));
  return { ok: true, templates: chosen, explicit };
}

export function podFacts(pod: PodView, namespace: string, nameHint = ''): PodFacts {
  const ports = containersOf(pod).flatMap((c) => (c.ports ?? []).map((p) => p.containerPort));
  return {
    name: safeName(podDisplayName(pod) || nameHint),
    namespace: safeName(namespace),
    serviceAccount: safeName(pod.spec.serviceAccountName || 'default'),
    ports: [...new Set(ports)].filter(Number.isInteger).join(','),
  };
}

/** Names are not validated before mutating admission; keep only what a DNS name may contain. */
function safeName(value: string): string {
  return value.replace(/[^a-z0-9.-]/g, '').slice(0, 253);
}

interface RenderOptions {
  facts: PodFacts;
  params: Map<string, Record<string, ParamValue>>;
  native: boolean;
  /** sidecar.inject/init-order; unset: native before the user's init containers, classic after. */
  initOrder?: InitOrder | undefined;
}

export function renderAdditions(templates: readonly Template[], options: RenderOptions): Additions {
  const additions = noAdditions();
  const status: Record<string, TemplateStatus> = {};
  for (const template of templates) {
    const parts = template.render({ pod: options.facts, params: options.params.get(template.name) ?? {} });
    const sidecars = options.native ? parts.sidecars.map(asNativeSidecar) : parts.sidecars;
    const inits = options.native ? [...parts.initContainers, ...sidecars] : parts.initContainers;
    const first = options.initOrder === undefined ? options.native : options.initOrder === 'first';
    (first ? additions.initContainersFirst : additions.initContainersLast).push(...inits);
    if (!options.native) additions.containers.push(...sidecars);
    additions.volumes.push(...parts.volumes);
    additions.appVolumeMounts.push(...parts.appContainers.volumeMounts);
    additions.appEnv.push(...parts.appContainers.env);
    status[template.name] = {
      initContainers: parts.initContainers.map(nameOf),
      sidecars: parts.sidecars.map(nameOf),
      volumes: parts.volumes.map(nameOf),
      appVolumeMounts: parts.appContainers.volumeMounts.map(nameOf),
      appEnv: parts.appContainers.env.map(nameOf),
      hash: template.hash,
      images: [...template.images],
    };
  }
  additions.status = JSON.stringify({ version: 1, native: options.native, templates: status });
  return additions;
}

function asNativeSidecar(container: Tree): Tree {
  return { ...(container as Record<string, Tree>), restartPolicy: 'Always' };
}
