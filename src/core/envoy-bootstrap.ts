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
const Listener = Named.extend({ address: z.looseObject({ socket_address: SocketAddress }) });

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
  const ports = listeners.map((l) => `${l.address.socket_address.address}:${l.address.socket_address.port_value}`);
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
