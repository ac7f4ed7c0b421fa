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
const LABELS: Record<string, Record<string, string>> = {
  demo: { 'istio-injection': 'enabled' },
  'opted-out': { 'istio-injection': 'disabled' },
};

type Meta = { name: string; namespace?: string };
const meta = (object: Json): Meta => object['metadata'] as Meta;

export interface Corpus {
  documents: Json[];
  /** Namespace to create -> its labels. */
  namespaces: Map<string, Record<string, string>>;
}

/**
 * Every pod-bearing document of the corpus inputs (List items too). Each file gets namespaces of
 * its own (`c<n>-demo`, labelled like `demo`), so files reusing a name or a selector cannot collide.
 */
export function corpusDocuments(dir: string): Corpus {
  const files = readdirSync(dir).filter((f) => /\.(yaml|json)$/.test(f) && !f.includes('.expected.'));
  const documents: Json[] = [];
  const namespaces = new Map<string, Record<string, string>>();
  for (const [n, file] of files.sort().entries()) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      const object = doc.toJS() as Json | null;
      const items = object?.['kind'] === 'List' ? (object['items'] as Json[]) : object ? [object] : [];
      for (const item of items.filter((i) => POD_BEARING.includes(String(i['kind'])))) {
        const original = meta(item).namespace ?? 'demo';
        meta(item).namespace = `c${n}-${original}`;
        namespaces.set(`c${n}-${original}`, LABELS[original] ?? {});
        documents.push(item);
      }
    }
  }
  return { documents, namespaces };
}

/** The pod template a document stands for. */
export function templateOf(object: Json): Json {
  const spec = object['spec'] as Json;
  if (object['kind'] === 'Pod') return object;
  if (object['kind'] === 'CronJob') return ((spec['jobTemplate'] as Json)['spec'] as Json)['template'] as Json;
  return spec['template'] as Json;
}

/**
 * `{{ pod.name }}` is the pod's name, or its generateName while the API server has not yet named
 * it. Offline, `inject` knows only the workload's prefix (`web-`); the cluster's pod is
 * `web-7d9c8f6b5-` (a Deployment's ReplicaSet hash) or `db-0` (a StatefulSet's ordinal). The
 * prediction's value for that placeholder is replaced by the stored pod's own before comparing.
 */
function withPodName(template: Json, document: Json, stored: Json): Json {
  if (document['kind'] === 'Pod') return template;
  const { name, generateName } = stored['metadata'] as { name: string; generateName?: string };
  // A StatefulSet names its pods before admission; the others leave naming to the API server.
  const seen = JSON.stringify(document['kind'] === 'StatefulSet' ? name : (generateName ?? name));
  const prefix = JSON.stringify(`${meta(document).name}-`);
  return JSON.parse(JSON.stringify(template).split(prefix).join(seen)) as Json;
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
    // A Deployment owns its pods through a ReplicaSet named <deployment>-<template hash>.
    return kind === 'Deployment'
      ? owner.startsWith(`${name}-`) && /^[a-z0-9]+$/.test(owner.slice(name.length + 1))
      : owner === name;
  });
  return owned;
}

export const corpus: Scenario = {
  name: "every pod-bearing document of the CLI's golden corpus is stored exactly as `sidecar-injector inject` predicts",
  async run(ctx) {
    const { documents, namespaces } = corpusDocuments(join(repositoryRoot(), 'test/cli/corpus'));
    for (const [ns, labels] of namespaces) await namespace(ctx, ns, labels);
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
        const mismatch = firstMismatch(withPodName(templateOf(predicted[i] as Json), document, stored), stored);
        assert(mismatch === undefined, `${label} pod ${meta(stored).name}: ${mismatch}`);
      }
      lines.push(`${label}: ${pods.length} pod(s) as predicted`);
    }
    return lines.join('\n    ');
  },
};
