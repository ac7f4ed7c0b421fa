import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fastJsonPatch from 'fast-json-patch';
import { describe, expect, it } from 'vitest';
import { uninjectOps } from '../../src/core/uninject.js';
import { decide } from '../../src/core/decide.js';
import { SETTINGS, VAULT_NAMESPACE_LABELS, loadTemplateSet, makePod, type Json } from '../helpers/pods.js';
import { COMMON, CORPUS, cli } from './run-cli.js';

/** uninject removes exactly what the status annotation lists, and nothing a user added. */
const templates = loadTemplateSet();
// The secrets template needs the namespace's Vault labels, or the pod is denied missing_setting.
const enabled = { known: true as const, labels: { 'istio-injection': 'enabled', ...VAULT_NAMESPACE_LABELS } };

function injected(pod: Json, native: boolean): Json {
  const result = decide({
    object: pod,
    namespace: 'demo',
    namespaceLabels: enabled,
    templates,
    settings: { ...SETTINGS, nativeSidecars: native },
  });
  if (result.kind !== 'inject') throw new Error(`expected injection, got ${result.reason}`);
  return fastJsonPatch.applyPatch(structuredClone(pod), result.ops, true, false).newDocument;
}

function uninjected(pod: Json): Json {
  const result = uninjectOps(pod);
  if (result.kind !== 'removed') throw new Error(`expected removal, got ${result.kind}`);
  return fastJsonPatch.applyPatch(structuredClone(pod), result.ops, true, false).newDocument;
}

describe('uninject (core)', () => {
  for (const native of [false, true]) {
    it(`gives back the pod as it was before injection with every template (native: ${native})`, async () => {
      const pod = makePod({ annotations: { 'sidecar.inject/templates': [...templates.keys()].join(',') } });
      expect(uninjected(injected(pod, native))).toEqual(pod);
    });
  }

  it('keeps what the user added after injection, even next to ours', async () => {
    const pod = injected(makePod(), false);
    const spec = pod['spec'] as { containers: Json[] };
    spec.containers.push({ name: 'debugger', image: 'busybox' });
    const result = uninjected(pod) as { spec: { containers: Json[] } };
    expect(result.spec.containers.map((c) => c['name'])).toEqual(['app', 'debugger']);
  });

  it('leaves a pod without the status annotation alone and refuses an unreadable one', async () => {
    expect(uninjectOps(makePod())).toEqual({ kind: 'not_injected' });
    const broken = makePod({ annotations: { 'sidecar.inject/status': '{"version":9}' } });
    expect(uninjectOps(broken)).toMatchObject({ kind: 'invalid' });
  });
});

describe('sidecar-injector uninject', () => {
  const inputs = readdirSync(CORPUS).filter((f) => /\.ya?ml$/.test(f) && !f.includes('.expected.'));
  for (const file of inputs) {
    it(`${file}: inject then uninject gives the input back byte for byte`, async () => {
      const input = readFileSync(join(CORPUS, file), 'utf8');
      const injectedText = (await cli(['inject', '-', ...COMMON], input)).stdout;
      const result = await cli(['uninject', '-'], injectedText);
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe(input);
    });
  }

  it('exits 2 naming the document when a status annotation cannot be read', async () => {
    const pod = JSON.stringify(makePod({ annotations: { 'sidecar.inject/status': 'garbage' } }));
    const result = await cli(['uninject', '-f', '-'], pod);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^sidecar-injector uninject: <stdin>: document 0: Pod\/app: sidecar.inject\/status/);
  });
});
