import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { Pod } from 'kubernetes-models/v1/Pod';
import { ReplicationController } from 'kubernetes-models/v1/ReplicationController';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { ReplicaSet } from 'kubernetes-models/apps/v1/ReplicaSet';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { createAdmissionHandler } from '../../src/admission/handler.js';
import { decodeReview } from '../../src/core/review.js';
import { fileNamespaceSource } from '../../src/kube/namespaces-file.js';
import { ROOT, SETTINGS, loadTemplateSet, makePod, makeReview, type Json } from '../helpers/pods.js';
import { validateObject } from '../helpers/manifests.js';
import { COMMON, CORPUS, LABELS, cli } from './run-cli.js';

/**
 * The CLI is tested as users run it: the built binary, files in, stdout out. Golden files sit
 * beside each input (<name>.expected.<ext>); `UPDATE_GOLDEN=1` rewrites them.
 */

const MODELS: Record<string, new (value: never) => { validate(): void }> = {
  Pod,
  Deployment,
  StatefulSet,
  DaemonSet,
  ReplicaSet,
  ReplicationController,
  Job,
  CronJob,
};

function validateOutput(text: string): void {
  for (const doc of parseAllDocuments(text) as unknown as { toJS(): Json | null }[]) {
    const object = doc.toJS();
    if (object === null) continue; // the empty document after a trailing ---
    const items = object['kind'] === 'List' ? (object['items'] as Json[]) : [object];
    for (const item of items) {
      const Model = MODELS[String(item['kind'])];
      if (Model) new Model(item as never).validate();
      else if (item['kind'] !== 'List') validateObject(item);
    }
  }
}

const inputs = readdirSync(CORPUS).filter((f) => !f.includes('.expected.'));

/** What `inject` says on stderr, as kubectl shows the API server's warnings; nothing for the rest. */
const WARNINGS: Record<string, string> = {
  'cronjob.yaml': `Warning: ${join(CORPUS, 'cronjob.yaml')}: document 0: CronJob/report: classic sidecars keep a restartPolicy OnFailure pod (a Job's) from completing; set sidecar.inject/native: "true"\n`,
};

describe('sidecar-injector inject: golden corpus', () => {
  for (const file of inputs) {
    it(`${file}: matches its golden output, validates, and a second pass changes nothing`, async () => {
      const expectedFile = join(CORPUS, file.replace(/\.(ya?ml|json)$/, '.expected.$1'));
      const first = await cli(['inject', '-f', join(CORPUS, file), ...COMMON]);
      expect(first.stderr).toBe(WARNINGS[file] ?? '');
      expect(first.status).toBe(0);
      if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(expectedFile, first.stdout);
      expect(existsSync(expectedFile), `run UPDATE_GOLDEN=1 for ${file}`).toBe(true);
      expect(first.stdout).toBe(readFileSync(expectedFile, 'utf8'));
      validateOutput(first.stdout);
      const second = await cli(['inject', '-f', '-', ...COMMON], first.stdout);
      expect(second.status).toBe(0);
      expect(second.stdout).toBe(first.stdout);
    });
  }

  it('has no golden file without its input', async () => {
    for (const expected of readdirSync(CORPUS).filter((f) => f.includes('.expected.'))) {
      expect(inputs).toContain(expected.replace('.expected.', '.'));
    }
  });
});

describe('sidecar-injector explain', () => {
  it('prints one line per pod or pod template: kind/name, decision, reason, templates', async () => {
    const result = await cli(['explain', '-f', join(CORPUS, 'multi-document.yaml'), ...COMMON]);
    expect(result.stdout).toBe('Pod/tool skip pod_opted_out -\nPod/worker inject namespace_enabled proxy\n');
  });

  it('prints the same as JSON with -o json', async () => {
    const result = await cli(['explain', '-f', join(CORPUS, 'list.yaml'), ...COMMON, '-o', 'json']);
    expect(JSON.parse(result.stdout)).toEqual([
      {
        kind: 'Deployment',
        name: 'front',
        namespace: 'demo',
        decision: 'inject',
        reason: 'namespace_enabled',
        why: 'the namespace is labelled istio-injection=enabled (or the NAMESPACE_LABEL key)',
        templates: ['proxy'],
        warnings: [],
      },
      {
        kind: 'Pod',
        name: 'disabled-ns',
        namespace: 'opted-out',
        decision: 'skip',
        reason: 'namespace_disabled',
        why: 'the namespace is labelled istio-injection=disabled (or the NAMESPACE_LABEL key)',
        templates: [],
        warnings: [],
      },
    ]);
  });

  it('states the reason the webhook states, for every case of the decision truth table', async () => {
    const namespaces = fileNamespaceSource(LABELS);
    await namespaces.start();
    const templates = loadTemplateSet();
    const cases: [string, Record<string, string> | undefined, Json][] = [];
    for (const namespace of ['demo', 'opted-out', 'default', 'kube-system', 'sidecar-injector']) {
      for (const annotation of [undefined, 'true', 'false', 'TRUE', 'maybe']) {
        cases.push([namespace, annotation === undefined ? undefined : { 'sidecar.inject': annotation }, {}]);
      }
    }
    cases.push(
      ['demo', undefined, { hostNetwork: true }],
      ['demo', { 'kubernetes.io/config.mirror': 'x' }, {}],
      ['demo', { 'sidecar.inject/status': '{}' }, {}],
      ['demo', { 'sidecar.inject/templates': 'nope' }, {}],
    );
    const pods = cases.map(([namespace, annotations, spec], index) => {
      const pod = makePod({
        ...(annotations ? { annotations } : {}),
        spec,
        metadata: { name: `case-${index}`, namespace },
      });
      return { namespace, pod };
    });
    const stdin = pods.map(({ pod }) => JSON.stringify(pod)).join('\n---\n');
    const rows = JSON.parse((await cli(['explain', '-f', '-', ...COMMON, '-o', 'json'], stdin)).stdout) as {
      reason: string;
      decision: string;
    }[];
    expect(rows).toHaveLength(pods.length);
    for (const [index, { namespace, pod }] of pods.entries()) {
      const handler = createAdmissionHandler({
        namespaces,
        templates: { current: () => templates },
        settings: SETTINGS,
      });
      const decoded = decodeReview(JSON.stringify(makeReview(pod, { namespace })));
      if (!decoded.ok) throw new Error(decoded.message);
      const result = await handler.handle(decoded.request);
      expect(`${rows[index]?.reason}`, `case ${index} in ${namespace}`).toBe(result.reason);
    }
  });
});

describe('errors', () => {
  it('exits 2 with one line naming the file and document on unreadable input', async () => {
    const result = await cli(['inject', '-f', '-', ...COMMON], 'kind: Pod\n---\nkey: [unclosed\n');
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^sidecar-injector inject: <stdin>: document 1: /);
  });

  it('exits 2 when a pod would be denied, naming the document and the annotation', async () => {
    const input = JSON.stringify(makePod({ annotations: { 'sidecar.inject/proxy-cpu': 'lots' } }));
    const result = await cli(['inject', '-f', '-', ...COMMON], input);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /^sidecar-injector inject: <stdin>: document 0: Pod\/app: sidecar.inject\/proxy-cpu: invalid value "lots"/,
    );
  });

  it('exits 2 on usage errors and prints help and version', async () => {
    expect((await cli(['inject'])).status).toBe(2);
    expect((await cli(['frobnicate'])).status).toBe(2);
    expect(await cli(['--help'])).toMatchObject({
      status: 0,
      stdout: expect.stringContaining('Usage: sidecar-injector <command>'),
    });
    expect((await cli(['--version'])).stdout.trim()).toBe(
      JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version,
    );
  });
});
