import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NamespaceLabels } from '../../src/core/decide.js';
import type { NamespaceSource } from '../../src/kube/namespace-source.js';
import { makePod, makeReview, type Json } from '../helpers/pods.js';
import { startTestServer, stopTestServer, type TestServer } from '../helpers/server.js';

/**
 * PARSE_BUDGET_MIB over real HTTPS: the bytes of reviews parsed and handled at once are bounded,
 * an ordinary review overtakes a large one that does not fit, and a review that cannot get in is
 * answered busy with its uid instead of the process growing its heap until it aborts.
 */
let release: () => void = () => undefined;
let held = new Promise<void>((resolve) => (release = resolve));
const ENABLED: NamespaceLabels = { known: true, labels: { 'istio-injection': 'enabled' } };
/** Lookups for namespace `slow` wait for release(): its review holds its bytes of the budget meanwhile. */
const namespaces: NamespaceSource = {
  kind: 'file',
  start: () => Promise.resolve(),
  ready: () => true,
  labelsOf: async (namespace) => (namespace === 'slow' ? held.then(() => ENABLED) : ENABLED),
  stop: () => undefined,
};

/** A review of about `kib` KiB (padding in an annotation no rule reads) in `namespace`. */
function review(uid: string, namespace: string, kib: number): Json {
  const pod = makePod({ annotations: { padding: 'x'.repeat(kib * 1024) } });
  return makeReview(pod, { uid, namespace });
}

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ PARSE_BUDGET_MIB: '1' }, { namespaces });
});
afterAll(async () => {
  release();
  await stopTestServer(server);
});

describe('PARSE_BUDGET_MIB: the bytes of reviews parsed at once', () => {
  it('lets a small review through while a large one waits for the bytes a slow one holds; both are answered once it ends', async () => {
    const slow = server.post('/mutate', review('slow', 'slow', 700));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const large = server.post('/mutate', review('large', 'demo', 700));
    const small = await server.post('/mutate', review('small', 'demo', 6));
    expect(small.json().response).toMatchObject({ uid: 'small', allowed: true, patchType: 'JSONPatch' });
    let largeDone = false;
    void large.then(() => (largeDone = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(largeDone).toBe(false);
    release();
    for (const [reply, uid] of [
      [await slow, 'slow'],
      [await large, 'large'],
    ] as const) {
      expect(reply.json().response).toMatchObject({ uid, allowed: true, patchType: 'JSONPatch' });
    }
  });

  it('answers busy, with the uid and status 503, a review that waited 4 s for bytes that never came', async () => {
    held = new Promise<void>((resolve) => (release = resolve));
    const slow = server.post('/mutate', review('slow-2', 'slow', 700));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = Date.now();
    const busy = (await server.post('/mutate', review('busy', 'demo', 700))).json().response;
    expect(Date.now() - started).toBeGreaterThanOrEqual(3_900);
    expect(busy).toMatchObject({ uid: 'busy', allowed: false, status: { code: 503 } });
    expect(busy.status.message).toMatch(/^busy: \d+ bytes of reviews are being parsed and 0 wait; retry$/);
    expect(busy.auditAnnotations).toMatchObject({ reason: 'server_busy' });
    release();
    expect((await slow).json().response).toMatchObject({ uid: 'slow-2', allowed: true });
    expect((await server.get('/healthz')).status).toBe(200);
  }, 15_000);
});
