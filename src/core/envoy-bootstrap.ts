import { z } from 'zod';

/**
 * What the injector checks of an Envoy bootstrap when templates load, without Envoy: the shape
 * of the parts it reads and the cross-references Envoy resolves at start (the clusters a listener
 * routes to, unique listener names and ports, unique cluster names). Field names, types and
 * every rule of Envoy's own API are checked against Envoy's generated definitions by the test
 * suite (test/envoy-validate), which cannot run in the webhook's image.
 */
const SocketAddress = z.looseObject({
  address: z.string().min(1),
  port_value: z.number().int().min(0).max(65535),
});
const Named = z.looseObject({ name: z.string().min(1) });
const Address = z.looseObject({ socket_address: SocketAddress });
/** A dual-stack listener binds [::] as an additional address beside its IPv4 one (what Istio does). */
const Listener = Named.extend({
  address: Address,
  additional_addresses: z.array(z.looseObject({ address: Address })).default([]),
});

const Bootstrap = z.looseObject({
  admin: z.looseObject({ address: z.looseObject({ socket_address: SocketAddress }) }).optional(),
  static_resources: z.looseObject({
    listeners: z.array(Listener).default([]),
    clusters: z.array(Named).default([]),
  }),
});

const TYPE_URL = /^type\.googleapis\.com\/envoy\.[a-z0-9_.]+\.v3\.[A-Za-z0-9]+$/;

export function envoyBootstrapProblems(document: unknown): string[] {
  const parsed = Bootstrap.safeParse(document);
  if (!parsed.success)
    return parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  const { listeners, clusters } = parsed.data.static_resources;
  const clusterNames = new Set(clusters.map((c) => c.name));
  const ports = listeners.flatMap((l) => [l.address, ...l.additional_addresses.map((a) => a.address)].map(hostPort));
  return [
    ...duplicates(
      'listener name',
      listeners.map((l) => l.name),
    ),
    ...duplicates('listener address', ports),
    ...duplicates(
      'cluster name',
      clusters.map((c) => c.name),
    ),
    ...listeners.flatMap((listener, index) =>
      referenceProblems(listener, `static_resources.listeners.${index}`, clusterNames),
    ),
  ];
}

/** `0.0.0.0:15006`, `[::]:15006`: one text per bound socket, so a clash between listeners shows. */
function hostPort({ socket_address: { address, port_value } }: z.infer<typeof Address>): string {
  return address.includes(':') ? `[${address}]:${port_value}` : `${address}:${port_value}`;
}

function duplicates(what: string, names: string[]): string[] {
  return [...new Set(names.filter((name, index) => names.indexOf(name) !== index))].map(
    (name) => `${what} ${name} is defined twice`,
  );
}

/** Every `cluster` a listener names (tcp_proxy, routes) must be defined; every @type well formed. */
function referenceProblems(tree: unknown, path: string, clusters: ReadonlySet<string>): string[] {
  if (Array.isArray(tree)) return tree.flatMap((item, i) => referenceProblems(item, `${path}.${i}`, clusters));
  if (tree === null || typeof tree !== 'object') return [];
  const problems: string[] = [];
  for (const [key, value] of Object.entries(tree)) {
    if (key === 'cluster' && typeof value === 'string' && !clusters.has(value))
      problems.push(`${path}.cluster: no cluster named ${value}`);
    if (key === '@type' && (typeof value !== 'string' || !TYPE_URL.test(value)))
      problems.push(`${path}.@type: not an Envoy v3 type URL`);
    problems.push(...referenceProblems(value, `${path}.${key}`, clusters));
  }
  return problems;
}
