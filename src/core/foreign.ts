import type { Additions } from './patch.js';
import { containersOf, initContainersOf, type PodView } from './pod.js';
import { nameOf, type Tree } from './render.js';

interface ForeignMark {
  /** Who leaves it, as the warning names it. */
  owner: string;
  /** For annotations only: the value that means "injected" (any value when absent). */
  value?: string;
}

/**
 * The marks other meshes and agents leave on the pods they inject: the one table. A pod that
 * carries one already has a proxy or agent; ours beside it breaks both (the same ports, two
 * iptables setups, two identities), so it is skipped with reason foreign_sidecar. Vault's status
 * annotation counts only as "injected": users write "update" to ask Vault for a new injection.
 */
export const FOREIGN_SIDECARS: Readonly<{
  annotations: Readonly<Record<string, ForeignMark>>;
  containers: Readonly<Record<string, ForeignMark>>;
}> = {
  annotations: {
    'sidecar.istio.io/status': { owner: 'Istio' },
    'linkerd.io/proxy-version': { owner: 'Linkerd' },
    'vault.hashicorp.com/agent-inject-status': { owner: 'Vault Agent', value: 'injected' },
  },
  containers: {
    'istio-proxy': { owner: 'Istio' },
    'istio-init': { owner: 'Istio' },
    'istio-validation': { owner: 'Istio' },
    'linkerd-proxy': { owner: 'Linkerd' },
    'linkerd-init': { owner: 'Linkerd' },
    'linkerd-network-validator': { owner: 'Linkerd' },
    'vault-agent': { owner: 'Vault Agent' },
    'vault-agent-init': { owner: 'Vault Agent' },
    daprd: { owner: 'Dapr' },
  },
};

/** What another injector left on the pod, as a warning naming it; undefined when nothing. */
export function foreignMark(pod: PodView, annotations: Readonly<Record<string, string>>): string | undefined {
  for (const [key, mark] of Object.entries(FOREIGN_SIDECARS.annotations)) {
    const value = annotations[key];
    if (value !== undefined && (mark.value === undefined || value.trim() === mark.value)) {
      return `foreign sidecar: already injected by ${mark.owner} (annotation ${key})`;
    }
  }
  for (const container of [...initContainersOf(pod), ...containersOf(pod)]) {
    const mark = Object.hasOwn(FOREIGN_SIDECARS.containers, container.name)
      ? FOREIGN_SIDECARS.containers[container.name]
      : undefined;
    if (mark) return `foreign sidecar: ${mark.owner}'s container ${container.name} is already in the pod`;
  }
  return undefined;
}

/**
 * A container of the pod with the name of one of ours, or declaring a port one of ours declares:
 * a sidecar we do not know, or a copy of ours added by hand. Either way ours would not start.
 */
export function collidingContainer(pod: PodView, additions: Additions): string | undefined {
  const ours = [...additions.initContainersFirst, ...additions.initContainersLast, ...additions.containers];
  const names = new Set(ours.map(nameOf));
  const ports = new Map(ours.flatMap((c) => portsOf(c).map((port) => [port, nameOf(c)] as const)));
  for (const container of [...initContainersOf(pod), ...containersOf(pod)]) {
    if (names.has(container.name)) return `foreign sidecar: the pod already has a container named ${container.name}`;
    const port = (container.ports ?? []).find((p) => ports.has(p.containerPort))?.containerPort;
    if (port !== undefined) {
      return `foreign sidecar: container ${container.name} declares port ${port}, which our ${ports.get(port)} uses`;
    }
  }
  return undefined;
}

function portsOf(container: Tree): number[] {
  const ports = (container as { ports?: unknown } | null)?.ports;
  if (!Array.isArray(ports)) return [];
  return ports
    .map((p: unknown) => (p as { containerPort?: unknown } | null)?.containerPort)
    .filter((port): port is number => Number.isInteger(port));
}
