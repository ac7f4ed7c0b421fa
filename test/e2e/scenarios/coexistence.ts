import type { Json } from '../kubectl.js';
import { APPENDED, INSERT_FRONT, appendConfiguration } from './availability.js';
import { annotationsOf, assert, describePod, inNamespace, namespace, names, pod, poll } from './context.js';
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

export const istioOptOut: Scenario = {
  name: 'sidecar.istio.io/inject: "false" (annotation or label) keeps a pod in an enabled namespace from being injected; ours "true" beats it',
  async run(ctx) {
    const ns = await namespace(ctx, 'e2e-istio-opt-out', ENABLED);
    const byAnnotation = pod('istio-annotation', { 'sidecar.istio.io/inject': 'false' });
    const byLabel = pod('istio-label');
    (byLabel['metadata'] as Json)['labels'] = { 'sidecar.istio.io/inject': 'false' };
    const ours = pod('ours-wins', { 'sidecar.inject': 'true', 'sidecar.istio.io/inject': 'false' });
    const stored = await Promise.all([byAnnotation, byLabel, ours].map((p) => createWithWarnings(ctx, ns, p)));
    const [annotation, label, winner] = stored.map((s) => s.stored) as [Json, Json, Json];
    assert(untouched(annotation), `annotation opt-out injected: ${describePod(annotation)}`);
    assert(untouched(label), `label opt-out injected: ${describePod(label)}`);
    assert(!untouched(winner), `sidecar.inject "true" did not beat Istio's "false": ${describePod(winner)}`);
    const explained = await ctx.cli(['explain', 'pod/istio-label', '-n', ns]);
    assert(explained.includes('pod_opted_out'), `explain disagrees: ${explained}`);
    return `annotation: ${describePod(annotation)}; label: ${describePod(label)}; ours "true": ${describePod(winner)}`;
  },
};

const KEY = 'e2e.sidecar-injector.io/injection';

/** Both webhooks' namespaceSelector key, as manifests/transformers sets it from NAMESPACE_LABEL. */
async function selectorKey(ctx: ScenarioContext, from: string, to: string): Promise<void> {
  const ops = [0, 1].flatMap((i) => [
    { op: 'test', path: `/webhooks/${i}/namespaceSelector/matchExpressions/0/key`, value: from },
    { op: 'replace', path: `/webhooks/${i}/namespaceSelector/matchExpressions/0/key`, value: to },
  ]);
  await ctx.kubectl.ok([
    'patch',
    'mutatingwebhookconfiguration',
    'sidecar-injector',
    '--type=json',
    '-p',
    JSON.stringify(ops),
  ]);
}

export const customLabel: Scenario = {
  name: 'NAMESPACE_LABEL set to a key of our own: a namespace labelled with it is injected, one labelled istio-injection=enabled is not',
  needs: ['settings'],
  async run(ctx) {
    const ours = await namespace(ctx, 'e2e-custom-label', { [KEY]: 'enabled' });
    const istios = await namespace(ctx, 'e2e-custom-label-istio', ENABLED);
    await ctx.webhook!.restartWith!({ NAMESPACE_LABEL: KEY });
    await selectorKey(ctx, 'istio-injection', KEY);
    try {
      const injected = await poll(ctx, `a pod in ${ours} injected`, 60_000, async () => {
        const answer = await ctx.kubectl.submit(['create', '--dry-run=server'], inNamespace(pod('probe'), ours));
        return untouched(answer) ? undefined : answer;
      });
      const { stored } = await createWithWarnings(ctx, istios, pod('not-ours'));
      assert(untouched(stored), `istio-injection=enabled still selects: ${describePod(stored)}`);
      // No --namespace-label: live explain reads the key from the installed namespaceSelector.
      const explained = await ctx.cli(['explain', 'pod/not-ours', '-n', istios]);
      assert(explained.includes('namespace_not_enabled'), `explain disagrees: ${explained}`);
      return `${KEY}=enabled: ${describePod(injected)}; istio-injection=enabled: ${describePod(stored)}`;
    } finally {
      await selectorKey(ctx, KEY, 'istio-injection');
      await ctx.webhook!.restartWith!({});
    }
  },
};

/** A pod with an init container of its own, asking for our init order; `front` asks the other webhook for the front. */
function orderedPod(name: string, order: 'first' | 'last', front: boolean): Json {
  const object = pod(name, { 'sidecar.inject/init-order': order, ...(front ? { [INSERT_FRONT]: 'true' } : {}) });
  (object['spec'] as Json)['initContainers'] = [{ name: 'user-init', image: 'registry.k8s.io/pause:3.10' }];
  return object;
}

export const initOrder: Scenario = {
  name: 'sidecar.inject/init-order holds after a second real webhook adds its init container behind (last) or in front of (first) ours: our reinvocation moves ours back',
  needs: ['appendWebhook'],
  async run(ctx) {
    const { url, caBundle } = ctx.appendWebhook!;
    const ns = await namespace(ctx, 'e2e-init-order', { ...ENABLED, 'e2e-append': 'true' });
    await ctx.kubectl.submit(['apply'], appendConfiguration(url, caBundle));
    try {
      const seen: string[] = [];
      for (const [order, front] of [
        ['first', true],
        ['last', false],
      ] as const) {
        let n = 0;
        const stored = await poll(ctx, 'the second webhook taking effect', 30_000, async () => {
          const object = inNamespace(orderedPod(`${order}-${(n += 1)}`, order, front), ns);
          const answer = await ctx.kubectl.submit(['create'], object);
          return names(answer, 'initContainers').includes(APPENDED) ? answer : undefined;
        });
        const init = names(stored, 'initContainers');
        const ours = init.filter((name) => name.startsWith('sidecar-'));
        const others = init.filter((name) => !name.startsWith('sidecar-'));
        const expected = order === 'first' ? [...ours, ...others] : [...others, ...ours];
        assert(ours.length > 0 && others.length === 2, `unexpected init containers ${JSON.stringify(init)}`);
        assert(JSON.stringify(init) === JSON.stringify(expected), `${order}: stored ${JSON.stringify(init)}`);
        seen.push(
          `${order}${front ? ' (other webhook inserts in front)' : ' (other webhook appends)'}: ${JSON.stringify(init)}`,
        );
      }
      return seen.join('; ');
    } finally {
      await ctx.kubectl.run(['delete', 'mutatingwebhookconfiguration', 'zz-sidecar-injector-e2e-append']);
    }
  },
};
