import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { Json } from '../kubectl.js';
import { repositoryRoot } from '../root.js';
import { annotationsOf, assert, inNamespace, isInjected, namespace, names, poll, pod } from './context.js';
import type { Scenario, ScenarioContext } from './context.js';
import { ENABLED } from './injection.js';

/** Operating the injector on a live cluster (issue 14): status, --restart, live explain, the pipeline. */
function deployment(name: string, annotations: Record<string, string> = {}): Json {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas: 1,
      // Recreate: the old pod goes before the new one comes, so nothing waits on readiness.
      strategy: { type: 'Recreate' },
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name }, annotations }, spec: pod(name)['spec'] },
    },
  };
}

/** The pods of `app=<name>` that are not being deleted, once `ready` holds for all of them. */
async function podsWhen(ctx: ScenarioContext, ns: string, name: string, ready: (pods: Json[]) => boolean) {
  return poll(ctx, `pods of ${name} in ${ns}`, 120_000, async () => {
    const items = (await ctx.kubectl.list('pods', ns, `app=${name}`)).filter(
      (p) => !(p['metadata'] as Json | undefined)?.['deletionTimestamp'],
    );
    return items.length > 0 && ready(items) ? items : undefined;
  });
}

/** The table row of one owner in `status` output, e.g. "ns  Deployment/web  outdated  1  proxy: ...". */
function rowOf(table: string, owner: string): string {
  return table.split('\n').find((line) => line.split(/\s+/)[1] === owner) ?? `(no row for ${owner} in:\n${table})`;
}

export const statusMissing: Scenario = {
  name: 'status finds a Deployment created while the webhook was down as missing; --restart gets its pods injected',
  needs: ['webhook'],
  async run(ctx) {
    const ns = await namespace(ctx, 'e2e-status-missing');
    await ctx.webhook!.stop();
    try {
      // The opt-in webhook fails open: the pod is created, without sidecars.
      await ctx.kubectl.submit(['apply'], inNamespace(deployment('late', { 'sidecar.inject': 'true' }), ns));
      await podsWhen(ctx, ns, 'late', (pods) => pods.every((p) => !isInjected(p)));
    } finally {
      await ctx.webhook!.start();
    }
    const before = rowOf(await ctx.cli(['status', '-n', ns]), 'Deployment/late');
    assert(/\smissing\s+1\s+pod_opted_in$/.test(before), `status before the restart: ${before}`);
    await ctx.cli(['status', '-n', ns, '--restart']);
    await podsWhen(ctx, ns, 'late', (pods) => pods.every(isInjected));
    const after = await poll(ctx, 'status current', 60_000, async () => {
      const row = rowOf(await ctx.cli(['status', '-n', ns]), 'Deployment/late');
      return /\scurrent\s/.test(row) ? row : undefined;
    });
    return `before: ${before.trim()}; after --restart: ${after.trim()}`;
  },
};

/** Today's templates with the proxy's image bumped: what a template change looks like to `status`. */
function changedTemplates(): string {
  const dir = mkdtempSync(join(tmpdir(), 'templates-changed-'));
  const source = join(repositoryRoot(), 'templates');
  for (const file of readdirSync(source).filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml')) {
    const template = parse(readFileSync(join(source, file), 'utf8')) as Json;
    if (template['name'] === 'proxy') {
      for (const sidecar of template['sidecars'] as Json[]) sidecar['image'] = `${String(sidecar['image'])}-next`;
    }
    writeFileSync(join(dir, file), stringify(template));
  }
  return dir;
}

export const statusOutdated: Scenario = {
  name: 'status names the template that changed for pods injected before the change; --restart --dry-run changes nothing, --restart rolls them',
  async run(ctx) {
    const ns = await namespace(ctx, 'e2e-status-outdated', ENABLED);
    await ctx.kubectl.submit(['apply'], inNamespace(deployment('web'), ns));
    const [first] = await podsWhen(ctx, ns, 'web', (pods) => pods.every(isInjected));
    const current = rowOf(await ctx.cli(['status', '-n', ns]), 'Deployment/web');
    assert(/\scurrent\s+1\s+proxy$/.test(current), `status with today's templates: ${current}`);
    const templates = changedTemplates();
    const outdated = rowOf(await ctx.cli(['status', '-n', ns, '--templates', templates]), 'Deployment/web');
    assert(/\soutdated\s+1\s+proxy: image .*-next/.test(outdated), `status after the change: ${outdated}`);
    await ctx.cli(['status', '-n', ns, '--templates', templates, '--restart', '--dry-run']);
    const restartedAt = async () =>
      annotationsOf(((await ctx.kubectl.get('deployment', ns, 'web'))['spec'] as Json)['template'] as Json)[
        'kubectl.kubernetes.io/restartedAt'
      ];
    assert((await restartedAt()) === undefined, '--dry-run restarted the Deployment');
    await ctx.cli(['status', '-n', ns, '--templates', templates, '--restart']);
    assert((await restartedAt()) !== undefined, '--restart did not set restartedAt');
    const firstName = String((first?.['metadata'] as Json)['name']);
    await podsWhen(ctx, ns, 'web', (pods) =>
      pods.every((p) => isInjected(p) && (p['metadata'] as Json)['name'] !== firstName),
    );
    return `${outdated.trim()}; restarted`;
  },
};

export const explainLive: Scenario = {
  name: 'explain deploy/x -n y reads the live objects, says our webhook is called and names another matching webhook',
  async run(ctx) {
    const ns = await namespace(ctx, 'e2e-explain', ENABLED);
    await ctx.kubectl.submit(['apply'], inNamespace(deployment('shown'), ns));
    const other = {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: { name: 'e2e-other-injector' },
      webhooks: [
        {
          name: 'inject.other.example.com',
          admissionReviewVersions: ['v1'],
          sideEffects: 'None',
          failurePolicy: 'Ignore',
          timeoutSeconds: 1,
          clientConfig: { url: 'https://127.0.0.1:9/inject' },
          rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } },
        },
      ],
    };
    await ctx.kubectl.submit(['apply'], other);
    try {
      const text = await ctx.cli(['explain', 'deploy/shown', '-n', ns]);
      assert(text.startsWith(`Deployment/shown in namespace ${ns}: INJECTED`), text);
      assert(text.includes('namespace.sidecar-injector.io: called'), text);
      assert(text.includes('e2e-other-injector/inject.other.example.com (failurePolicy Ignore'), text);
      assert(/serving certificate expires: \d{4}-/.test(text), text);
      return text
        .split('\n')
        .filter((l) => l.includes('other') || l.includes('certificate'))
        .join('; ');
    } finally {
      await ctx.kubectl.run(['delete', 'mutatingwebhookconfiguration', 'e2e-other-injector']);
    }
  },
};

export const pipeline: Scenario = {
  name: 'kubectl get deploy -o yaml | sidecar-injector inject - | kubectl apply -f - injects the template once',
  async run(ctx) {
    const ns = await namespace(ctx, 'e2e-pipeline', ENABLED);
    await ctx.kubectl.submit(['apply'], inNamespace(deployment('piped'), ns));
    // `get -o yaml` carries the resourceVersion, so the apply fails with Conflict when the
    // Deployment controller updated the status in between; a user runs the pipeline again.
    await poll(ctx, 'the pipeline applied without a Conflict', 60_000, async () => {
      const live = await ctx.kubectl.ok(['-n', ns, 'get', 'deployment', 'piped', '-o', 'yaml']);
      const injected = await ctx.cli(['inject', '-'], live);
      const applied = await ctx.kubectl.run(['-n', ns, 'apply', '-f', '-'], { input: injected });
      if (applied.code === 0) return true;
      if (/Conflict/.test(applied.stderr)) return undefined;
      throw new Error(`kubectl apply exited ${applied.code}: ${applied.stderr.trim()}`);
    });
    const stored = await ctx.kubectl.get('deployment', ns, 'piped');
    const template = (stored['spec'] as Json)['template'] as Json;
    assert(annotationsOf(template)['sidecar.inject/status'] !== undefined, 'the stored template has no status');
    const pods = await podsWhen(ctx, ns, 'piped', (items) =>
      items.every(
        (p) =>
          annotationsOf(p)['sidecar.inject/status'] !== undefined &&
          names(p, 'initContainers').includes('sidecar-init'),
      ),
    );
    for (const p of pods) {
      const all = [...names(p, 'initContainers'), ...names(p, 'containers')];
      assert(all.filter((n) => n === 'sidecar-proxy').length === 1, `not exactly one proxy: ${all.join(',')}`);
    }
    return `template injected by the pipeline; ${pods.length} pod(s) with one proxy each`;
  },
};
