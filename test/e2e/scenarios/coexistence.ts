import type { Json } from '../kubectl.js';
import { annotationsOf, assert, describePod, inNamespace, namespace, names, pod } from './context.js';
import type { Scenario, ScenarioContext } from './context.js';
import { ENABLED } from './injection.js';

/** Living beside other injectors (issue 14 items 1, 2, 6), against the real API server. */

/** A pod as another mesh's injector leaves it: its proxy container and its own annotation. */
function injectedBy(name: string, container: string, annotations: Record<string, string>): Json {
  const object = pod(name, annotations);
  const spec = object['spec'] as { containers: Json[] };
  spec.containers.push({ ...spec.containers[0], name: container, ports: [] });
  return object;
}

/** `kubectl create`, keeping the warnings the API server relayed from the webhooks (stderr). */
async function createWithWarnings(ctx: ScenarioContext, ns: string, object: Json) {
  const result = await ctx.kubectl.run(['create', '-f', '-', '-o', 'json'], {
    input: JSON.stringify(inNamespace(object, ns)),
  });
  assert(result.code === 0, `kubectl create exited ${result.code}: ${result.stderr}`);
  return { stored: JSON.parse(result.stdout) as Json, warnings: result.stderr };
}

function untouched(stored: Json): boolean {
  const all = [...names(stored, 'initContainers'), ...names(stored, 'containers')];
  return !all.some((n) => n.startsWith('sidecar-')) && annotationsOf(stored)['sidecar.inject/status'] === undefined;
}

export const foreignSidecars: Scenario = {
  name: 'an Istio-injected and a Linkerd-injected pod in an enabled namespace are stored untouched, with the foreign_sidecar warning naming the mesh',
  async run(ctx) {
    const ns = await namespace(ctx, 'e2e-foreign', ENABLED);
    const istio = injectedBy('istio-app', 'istio-proxy', {
      'sidecar.istio.io/status': '{"containers":["istio-proxy"]}',
    });
    const linkerd = injectedBy('linkerd-app', 'linkerd-proxy', { 'linkerd.io/proxy-version': 'stable-2.14.10' });
    const seen: string[] = [];
    for (const [object, owner] of [
      [istio, 'Istio'],
      [linkerd, 'Linkerd'],
    ] as const) {
      const { stored, warnings } = await createWithWarnings(ctx, ns, object);
      assert(untouched(stored), `${owner} pod was changed: ${describePod(stored)}`);
      assert(
        warnings.includes('foreign sidecar:') && warnings.includes(owner),
        `no warning naming ${owner}: ${warnings}`,
      );
      seen.push(warnings.trim());
    }
    return seen.join(' | ');
  },
};
