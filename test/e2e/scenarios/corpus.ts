import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Json } from '../kubectl.js';
import { assert, namespace, poll, type Scenario, type ScenarioContext } from './context.js';
import { repositoryRoot } from '../root.js';
import { firstMismatch } from './subset.js';

const POD_BEARING = [
  'Pod',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'ReplicationController',
  'Job',
  'CronJob',
];
/** The corpus's namespaces, labelled as test/fixtures/namespace-labels.yaml says. */
const CORPUS_NAMESPACES: ReadonlyArray<[string, Record<string, string>]> = [
  ['demo', { 'istio-injection': 'enabled' }],
  ['opted-out', { 'istio-injection': 'disabled' }],
  ['plain-ns', {}],
];

type Meta = { name: string; namespace?: string };
const meta = (object: Json): Meta => object['metadata'] as Meta;

/** Every pod-bearing document of the corpus inputs (List items too), namespaced, names made unique. */
export function corpusDocuments(dir: string): Json[] {
  const files = readdirSync(dir).filter((f) => /\.(yaml|json)$/.test(f) && !f.includes('.expected.'));
  const seen = new Set<string>();
  const out: Json[] = [];
  for (const file of files.sort()) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      const object = doc.toJS() as Json | null;
      const items = object?.['kind'] === 'List' ? (object['items'] as Json[]) : object ? [object] : [];
      for (const item of items.filter((i) => POD_BEARING.includes(String(i['kind'])))) {
        const m = meta(item);
        m.namespace ??= 'demo';
        while (seen.has(`${item['kind']}/${m.namespace}/${m.name}`)) m.name = `${m.name}-again`;
        seen.add(`${item['kind']}/${m.namespace}/${m.name}`);
        out.push(item);
      }
    }
  }
  return out;
}

/** The pod template a document stands for. */
export function templateOf(object: Json): Json {
  const spec = object['spec'] as Json;
  if (object['kind'] === 'Pod') return object;
  if (object['kind'] === 'CronJob') return ((spec['jobTemplate'] as Json)['spec'] as Json)['template'] as Json;
  return spec['template'] as Json;
}

/** The stored pods a document produced, found through their owners. */
async function podsOf(ctx: ScenarioContext, object: Json): Promise<Json[]> {
  const { name, namespace: ns = 'demo' } = meta(object);
  const kind = String(object['kind']);
  if (kind === 'Pod') return [await ctx.kubectl.get('pod', ns, name)];
  if (kind === 'Job' || kind === 'CronJob') {
    const job = kind === 'CronJob' ? `${name}-now` : name;
    return ctx.kubectl.list('pods', ns, `batch.kubernetes.io/job-name=${job}`);
  }
  const owned = (await ctx.kubectl.list('pods', ns)).filter((p) => {
    const owner = ((p['metadata'] as Json)['ownerReferences'] as Meta[] | undefined)?.[0]?.name ?? '';
    return kind === 'Deployment' ? owner.startsWith(`${name}-`) && /-[a-z0-9]+$/.test(owner) : owner === name;
  });
  return kind === 'Deployment' ? owned.filter((p) => meta(p).name.startsWith(`${name}-`)) : owned;
}

export const corpus: Scenario = {
  name: "every pod-bearing document of the CLI's golden corpus is stored exactly as `sidecar-injector inject` predicts",
  async run(ctx) {
    for (const [ns, labels] of CORPUS_NAMESPACES) await namespace(ctx, ns, labels);
    const documents = corpusDocuments(join(repositoryRoot(), 'test/cli/corpus'));
    const list = (items: Json[]): string => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
    const predicted = (JSON.parse(await ctx.cli(['inject', '-f', '-', '--native', 'auto'], list(documents))) as Json)[
      'items'
    ] as Json[];
    await ctx.kubectl.ok(['create', '-f', '-'], { input: list(documents) });
    for (const cron of documents.filter((d) => d['kind'] === 'CronJob')) {
      const { name, namespace: ns = 'demo' } = meta(cron);
      await ctx.kubectl.ok(['-n', ns, 'create', 'job', `${name}-now`, `--from=cronjob/${name}`]);
    }
    const lines: string[] = [];
    for (const [i, document] of documents.entries()) {
      const label = `${document['kind']}/${meta(document).namespace}/${meta(document).name}`;
      const pods = await poll(ctx, `pods of ${label}`, 90_000, async () => {
        const found = await podsOf(ctx, document);
        return found.length > 0 ? found : undefined;
      });
      for (const stored of pods) {
        const mismatch = firstMismatch(templateOf(predicted[i] as Json), stored);
        assert(mismatch === undefined, `${label} pod ${meta(stored).name}: ${mismatch}`);
      }
      lines.push(`${label}: ${pods.length} pod(s) as predicted`);
    }
    return lines.join('\n    ');
  },
};
