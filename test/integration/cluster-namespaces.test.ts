import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePatch, makePod, makeReview, applyStrictly, type Json } from '../helpers/pods.js';
import { FakeApiServer } from '../helpers/fake-apiserver.js';
import { startTestServer, testCerts, type TestServer } from '../helpers/server.js';

/**
 * The namespace informer against a local HTTPS server that speaks the namespaces list and watch
 * API, reached through a kubeconfig exactly as `serve` would reach a real cluster.
 */
let api: FakeApiServer;
let server: TestServer;

async function eventually(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`not within ${ms} ms`);
}

async function decisionFor(namespace: string): Promise<Json> {
  const reply = await server.post('/mutate', makeReview(makePod(), { namespace }));
  return reply.json().response;
}

beforeAll(async () => {
  const certs = await testCerts();
  api = new FakeApiServer(certs);
  api.namespaces.set('mesh', { 'istio-injection': 'enabled' });
  api.namespaces.set('quiet', {});
  api.holdLists();
  const port = await api.start();
  process.env['KUBECONFIG'] = api.writeKubeconfig(mkdtempSync(join(tmpdir(), 'kube-')), port, certs);
  server = await startTestServer({ NAMESPACE_LABELS_FILE: '', NATIVE_SIDECARS: 'auto' });
});

afterAll(async () => {
  server.agent.destroy();
  await server.service.shutdown();
  await api.stop();
});

describe('namespace labels from the cluster', () => {
  it('is not ready until the first list has synced, then ready', async () => {
    const before = await server.get('/readyz');
    expect(before.status).toBe(503);
    expect(before.body).toBe('not ready: namespace source (cluster) not synced');
    api.releaseLists();
    await eventually(async () => (await server.get('/readyz')).status === 200);
  });

  it('injects a pod in a namespace the API labels istio-injection=enabled', async () => {
    expect(await decisionFor('mesh')).toMatchObject({
      allowed: true,
      patchType: 'JSONPatch',
      auditAnnotations: { reason: 'namespace_enabled' },
    });
  });

  it('resolves NATIVE_SIDECARS=auto from the API server version (1.33: native)', async () => {
    const pod = makePod();
    const response = await decisionFor('mesh');
    const patched = applyStrictly(pod, decodePatch(response['patch'] as string));
    const init = (patched['spec'] as Json)['initContainers'] as Json[];
    expect(init.find((c) => c['name'] === 'sidecar-proxy')?.['restartPolicy']).toBe('Always');
  });

  it('skips the next pod within 5 s once a watch event turns the label to disabled, with no restart', async () => {
    api.emit('MODIFIED', 'mesh', { 'istio-injection': 'disabled' });
    await eventually(async () => (await decisionFor('mesh'))['patch'] === undefined);
    expect(await decisionFor('mesh')).toMatchObject({
      auditAnnotations: { decision: 'skip', reason: 'namespace_disabled' },
    });
  });

  it('sees a namespace ADDED by the watch', async () => {
    api.emit('ADDED', 'fresh', { 'istio-injection': 'enabled' });
    await eventually(async () => (await decisionFor('fresh'))['patch'] !== undefined);
  });

  it('falls back to one live GET on a cache miss, and caches the answer', async () => {
    api.hidden.set('brand-new', { 'istio-injection': 'enabled' });
    expect(await decisionFor('brand-new')).toMatchObject({ auditAnnotations: { reason: 'namespace_enabled' } });
    await decisionFor('brand-new');
    expect(api.requests.filter((r) => r === 'GET /api/v1/namespaces/brand-new')).toHaveLength(1);
  });

  it('reconnects a dropped watch and keeps following label changes', async () => {
    const before = api.watchConnections;
    api.dropWatches();
    await eventually(async () => api.watchConnections > before, 10_000);
    api.emit('MODIFIED', 'quiet', { 'istio-injection': 'enabled' });
    await eventually(async () => (await decisionFor('quiet'))['patch'] !== undefined);
  });

  it('injects, says why and counts it when a namespace is neither cached nor reachable', async () => {
    api.getFails = true;
    const response = await decisionFor('unknown-ns');
    expect(response).toMatchObject({
      allowed: true,
      patchType: 'JSONPatch',
      auditAnnotations: { decision: 'inject', reason: 'namespace_unknown_selector_matched' },
    });
    expect((response['warnings'] as string[])[0]).toMatch(
      /^namespace labels unavailable \(namespace unknown-ns not in cache and the live lookup failed/,
    );
    const metrics = await fetch(`http://127.0.0.1:${server.service.metricsPort}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/sidecar_injector_namespace_lookups_total\{result="unavailable"\} [1-9]/);
    api.getFails = false;
  });
});
