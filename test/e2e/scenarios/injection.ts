import { parse, stringify } from 'yaml';
import type { Json } from '../kubectl.js';
import { callsToWebhooks } from './apiserver-metrics.js';
import {
  annotationsOf,
  assert,
  describePod,
  inNamespace,
  isInjected,
  names,
  namespace,
  poll,
  pod,
  proxyOf,
  type Scenario,
  type ScenarioContext,
} from './context.js';

export const WEBHOOKS = ['namespace.sidecar-injector.io', 'opt-in.sidecar-injector.io'] as const;
export const ENABLED = { 'istio-injection': 'enabled' };

export function workload(kind: 'Deployment' | 'ReplicaSet', name: string, replicas: number): Json {
  const template = pod(name);
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: template['spec'] },
    },
  };
}

export async function createPod(ctx: ScenarioContext, ns: string, object: Json): Promise<Json> {
  return ctx.kubectl.submit(['create'], inNamespace(object, ns));
}

export const deployment: Scenario = {
  name: "a Deployment's pods, created by the real controllers, are stored injected and pass validation",
  async run(ctx) {
    const ns = await namespace(ctx, 'e2e-deployment', ENABLED);
    await ctx.kubectl.submit(['apply'], inNamespace(workload('Deployment', 'web', 2), ns));
    const pods = await poll(ctx, 'two pods of Deployment web', 90_000, async () => {
      const items = await ctx.kubectl.list('pods', ns, 'app=web');
      return items.length >= 2 ? items : undefined;
    });
    for (const stored of pods) {
      assert(isInjected(stored), `not injected: ${describePod(stored)}`);
      assert(names(stored, 'initContainers').includes('sidecar-init'), `no sidecar-init: ${describePod(stored)}`);
    }
    return `${pods.length} pods stored: ${describePod(pods[0] as Json)}`;
  },
};

export const neverSent: Scenario = {
  name: "system namespaces and the injector's own namespace are never sent to the webhook, even when labelled",
  async run(ctx) {
    const targets = ['kube-system', 'kube-public', 'kube-node-lease', ctx.injectorNamespace];
    const before = await callsToWebhooks(ctx.kubectl, WEBHOOKS);
    for (const ns of targets) {
      const labels = ((await ctx.kubectl.json(['get', 'namespace', ns]))['metadata'] as Json)['labels'] as
        Json | undefined;
      const original = labels?.['istio-injection'];
      await ctx.kubectl.ok(['label', 'namespace', ns, 'istio-injection=enabled', '--overwrite']);
      try {
        const stored = await createPod(ctx, ns, pod('e2e-never-sent', { 'sidecar.inject': 'true' }));
        assert(!isInjected(stored), `${ns}: injected: ${describePod(stored)}`);
      } finally {
        await ctx.kubectl.run(['-n', ns, 'delete', 'pod', 'e2e-never-sent', '--wait=false']);
        const restore = original === undefined ? 'istio-injection-' : `istio-injection=${String(original)}`;
        await ctx.kubectl.ok(['label', 'namespace', ns, restore, '--overwrite']);
      }
    }
    const after = await callsToWebhooks(ctx.kubectl, WEBHOOKS);
    assert(after === before, `the API server called our webhooks ${after - before} times`);
    return `${targets.join(', ')}: 0 calls to the webhooks (API server metrics)`;
  },
};

/** `kubectl get -o yaml` of a stored pod, made creatable again under a new name. */
function recreatable(yamlText: string, name: string): string {
  const object = parse(yamlText) as Json;
  const metadata = object['metadata'] as Json;
  for (const key of ['uid', 'resourceVersion', 'creationTimestamp', 'managedFields']) delete metadata[key];
  metadata['name'] = name;
  delete object['status'];
  delete (object['spec'] as Json)['nodeName'];
  return stringify(object);
}

export const recreated: Scenario = {
  name: 'a pod re-created from `kubectl get -o yaml` of an injected pod gets no second sidecar',
  async run(ctx) {
    const ns = await namespace(ctx, 'e2e-recreate', ENABLED);
    await createPod(ctx, ns, pod('original'));
    const yamlText = await ctx.kubectl.ok(['-n', ns, 'get', 'pod', 'original', '-o', 'yaml']);
    const again = await ctx.kubectl.json(['-n', ns, 'create', '-f', '-'], {
      input: recreatable(yamlText, 'original-again'),
    });
    const all = [...names(again, 'initContainers'), ...names(again, 'containers')];
    const count = (n: string): number => all.filter((c) => c === n).length;
    assert(count('sidecar-proxy') === 1 && count('sidecar-init') === 1, `stored: ${describePod(again)}`);
    return `stored once: ${describePod(again)}`;
  },
};

export const dryRun: Scenario = {
  name: '`kubectl apply --dry-run=server` and `kubectl create --dry-run=server` come back injected and store nothing',
  async run(ctx) {
    const ns = await namespace(ctx, 'e2e-dry-run', ENABLED);
    const seen: string[] = [];
    for (const verb of ['apply', 'create']) {
      const name = `dry-${verb}`;
      const answer = await ctx.kubectl.submit([verb, '--dry-run=server'], inNamespace(pod(name), ns));
      assert(isInjected(answer), `${verb}: ${describePod(answer)}`);
      const stored = await ctx.kubectl.run(['-n', ns, 'get', 'pod', name]);
      assert(stored.code !== 0 && /NotFound|not found/.test(stored.stderr), `${verb}: the dry run stored ${name}`);
      seen.push(`${verb}: ${describePod(answer)}`);
    }
    return seen.join('; ');
  },
};

/** major.minor from `kubectl version`: the API server's own /version. */
export async function serverMinor(ctx: ScenarioContext): Promise<{ gitVersion: string; minor: number }> {
  const version = await ctx.kubectl.json<{ serverVersion: { gitVersion: string; minor: string } }>(['version']);
  return { gitVersion: version.serverVersion.gitVersion, minor: parseInt(version.serverVersion.minor, 10) };
}

export const native: Scenario = {
  name: 'on the real /version (1.29+) NATIVE_SIDECARS=auto stores the proxy as a native sidecar, in a Job too',
  async run(ctx) {
    const { gitVersion, minor } = await serverMinor(ctx);
    assert(minor >= 29, `the API server is ${gitVersion}: native sidecars need 1.29+`);
    const ns = await namespace(ctx, 'e2e-native', ENABLED);
    const stored = await createPod(ctx, ns, pod('native'));
    assert(proxyOf(stored)?.restartPolicy === 'Always', `pod: ${describePod(stored)}`);
    assert(!names(stored, 'containers').includes('sidecar-proxy'), `pod: ${describePod(stored)}`);
    const template = pod('job')['spec'] as Json;
    await ctx.kubectl.submit(['create'], {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'job', namespace: ns },
      spec: { template: { spec: { ...template, restartPolicy: 'Never' } } },
    });
    const jobPod = await poll(ctx, "the Job's pod", 60_000, async () => {
      return (await ctx.kubectl.list('pods', ns, 'batch.kubernetes.io/job-name=job'))[0];
    });
    assert(proxyOf(jobPod)?.restartPolicy === 'Always', `Job pod: ${describePod(jobPod)}`);
    const status = annotationsOf(jobPod)['sidecar.inject/status'] ?? '';
    return `${gitVersion}: pod ${describePod(stored)}; Job pod ${describePod(jobPod)}; status ${status.length} bytes`;
  },
};
