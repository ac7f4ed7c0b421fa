import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, applyStrictly, decodePatch, makePod, makeReview, type Json } from '../helpers/pods.js';
import { serverForFile, startTestServer, stopTestServer } from '../helpers/server.js';

const server = serverForFile();

async function mutate(review: Json): Promise<Json> {
  const reply = await server().post('/mutate?timeout=10s', review);
  expect(reply.status).toBe(200);
  const body = reply.json();
  expect(body.apiVersion).toBe('admission.k8s.io/v1');
  expect(body.kind).toBe('AdmissionReview');
  expect(body.response.uid).toBe((review['request'] as Json)['uid']);
  return body.response;
}

describe('POST /mutate over HTTPS, verified against the CA for the service name', () => {
  it('injects a pod in an enabled namespace exactly once: the patched pod sent back yields no patch', async () => {
    const pod = makePod();
    const first = await mutate(makeReview(pod));
    expect(first).toMatchObject({
      allowed: true,
      patchType: 'JSONPatch',
      auditAnnotations: { decision: 'inject', reason: 'namespace_enabled' },
    });
    const patched = applyStrictly(pod, decodePatch(first['patch'] as string));
    const second = await mutate(makeReview(patched, { uid: 'round-1' }));
    expect(second).toEqual({
      uid: 'round-1',
      allowed: true,
      auditAnnotations: { decision: 'skip', reason: 'already_injected' },
    });
  });

  it('injects the captured-shape review from a ReplicaSet (generateName, no name, creationTimestamp null)', async () => {
    const review = JSON.parse(
      readFileSync(join(ROOT, 'test/fixtures/reviews/pod-create-enabled.json'), 'utf8'),
    ) as Json;
    const response = await mutate(review);
    const patched = applyStrictly((review['request'] as Json)['object'], decodePatch(response['patch'] as string));
    expect(((patched['spec'] as Json)['containers'] as Json[]).map((c) => c['name'])).toEqual([
      'web',
      'metrics',
      'sidecar-proxy',
    ]);
  });

  it('injects a named pod from a v1.34-style review that omits creationTimestamp', async () => {
    const review = JSON.parse(
      readFileSync(join(ROOT, 'test/fixtures/reviews/pod-create-named-v1.json'), 'utf8'),
    ) as Json;
    const response = await mutate(review);
    expect(response['patchType']).toBe('JSONPatch');
    applyStrictly((review['request'] as Json)['object'], decodePatch(response['patch'] as string));
  });

  it('answers a v1beta1 review in v1beta1', async () => {
    const review = JSON.parse(
      readFileSync(join(ROOT, 'test/fixtures/reviews/pod-create-v1beta1.json'), 'utf8'),
    ) as Json;
    const reply = await server().post('/mutate', review);
    expect(reply.status).toBe(200);
    expect(reply.json().apiVersion).toBe('admission.k8s.io/v1beta1');
    expect(reply.json().response.patchType).toBe('JSONPatch');
  });

  const skips: [string, Json, Json, string][] = [
    ['opt-out annotation', makePod({ annotations: { 'sidecar.inject': 'false' } }), {}, 'pod_opted_out'],
    ['disabled namespace', makePod(), { namespace: 'off' }, 'namespace_disabled'],
    ['unlabelled namespace', makePod(), { namespace: 'plain' }, 'namespace_not_enabled'],
    ['namespace missing from the labels file', makePod(), { namespace: 'elsewhere' }, 'namespace_not_enabled'],
    ['kube-system', makePod(), { namespace: 'kube-system' }, 'namespace_ignored'],
    ['the injector namespace', makePod(), { namespace: 'sidecar-injector' }, 'namespace_ignored'],
    ['hostNetwork', makePod({ spec: { hostNetwork: true } }), {}, 'host_network'],
    ['mirror pod', makePod({ annotations: { 'kubernetes.io/config.mirror': 'x' } }), {}, 'mirror_pod'],
    ['null containers', makePod({ spec: { containers: null } }), {}, 'no_containers'],
    ['UPDATE', makePod(), { operation: 'UPDATE' }, 'not_pod_create'],
    ['pods/ephemeralcontainers', makePod(), { subResource: 'ephemeralcontainers' }, 'not_pod_create'],
    ['DELETE with no object', makePod(), { operation: 'DELETE', object: null }, 'not_pod_create'],
  ];
  for (const [name, pod, request, reason] of skips) {
    it(`allows without a patch: ${name} (${reason})`, async () => {
      const response = await mutate(makeReview(pod, request));
      expect(response).toEqual({
        uid: expect.any(String),
        allowed: true,
        auditAnnotations: { decision: 'skip', reason },
      });
    });
  }

  it('reports an unrecognised sidecar.inject value as a warning', async () => {
    const response = await mutate(
      makeReview(makePod({ annotations: { 'sidecar.inject': 'yes' } }), { namespace: 'plain' }),
    );
    expect(response['warnings']).toEqual(['annotation sidecar.inject: "yes" is neither "true" nor "false"; ignored']);
  });

  it('denies an unknown template with code 400 and the available templates', async () => {
    const response = await mutate(makeReview(makePod({ annotations: { 'sidecar.inject/templates': 'nope' } })));
    expect(response).toMatchObject({
      allowed: false,
      status: {
        code: 400,
        message:
          'sidecar.inject/templates: unknown template "nope"; available: config, logging, metrics, proxy, secrets',
      },
    });
  });
});

describe('bad input never crashes the server, and every error has one shape', () => {
  const withUid = { ...makeReview(makePod(), { uid: 'known-uid' }) };
  const noUid: [string, string | object, Record<string, string>, number][] = [
    ['malformed JSON', '{"request":', {}, 400],
    ['an empty body', '', {}, 400],
    ['a missing request', { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }, {}, 400],
    [
      'a missing uid',
      { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { operation: 'CREATE' } },
      {},
      400,
    ],
    ['a wrong content type', '{}', { 'content-type': 'text/plain' }, 415],
    ['a body over the limit', 'x'.repeat(11 * 1024 * 1024), {}, 413],
  ];
  for (const [name, body, headers, status] of noUid) {
    it(`answers a plain HTTP ${status} to ${name} without a uid, then keeps serving`, async () => {
      const reply = await server().post('/mutate', body, headers);
      expect(reply.status).toBe(status);
      expect(reply.json().message).toEqual(expect.any(String));
      expect((await server().get('/healthz')).status).toBe(200);
    });
  }

  const padded = JSON.stringify(withUid).replace('"tester"', `"tester","pad":"${'x'.repeat(11 * 1024 * 1024)}"`);
  const knownUid: [string, string | object, Record<string, string>, number, string][] = [
    ['an unknown apiVersion', { ...withUid, apiVersion: 'admission.k8s.io/v9' }, {}, 400, 'bad_request'],
    ['an operation of the wrong type', JSON.stringify(withUid).replace('"CREATE"', '7'), {}, 400, 'bad_request'],
    ['JSON cut short', JSON.stringify(withUid).slice(0, 400), {}, 400, 'bad_request'],
    ['a body over the limit', padded, {}, 413, 'body_too_large'],
    ['a wrong content type', withUid, { 'content-type': 'application/jsonp' }, 415, 'unsupported_media_type'],
  ];
  for (const [name, body, headers, code, reason] of knownUid) {
    it(`answers ${name} with an AdmissionReview carrying the uid and status.code ${code}`, async () => {
      const reply = await server().post('/mutate', body, headers);
      expect(reply.status).toBe(200);
      expect(reply.json()).toMatchObject({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' });
      expect(reply.json().response).toEqual({
        uid: 'known-uid',
        allowed: false,
        status: { code, message: expect.any(String), status: 'Failure' },
        auditAnnotations: { decision: 'error', reason },
      });
      expect((await server().get('/healthz')).status).toBe(200);
    });
  }

  it('accepts application/json with parameters', async () => {
    const reply = await server().post('/mutate', withUid, { 'content-type': 'Application/JSON; charset=utf-8' });
    expect(reply.json().response).toMatchObject({ uid: 'known-uid', allowed: true });
  });

  it('survives deep nesting (refused, with the uid) and huge arrays inside the pod', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const review = JSON.stringify(makeReview(makePod())).replace('"tester"', `"tester","deep":${deep}`);
    const refused = await server().post('/mutate', review);
    expect(refused.json().response).toMatchObject({ allowed: false, status: { code: 400 } });
    const huge = makePod();
    // 100,000 tolerations: 3.3 MB, more than the API server accepts, inside MAX_JSON_ELEMENTS.
    (huge['spec'] as Json)['tolerations'] = Array.from({ length: 100_000 }, () => ({ key: 'k', operator: 'Exists' }));
    const response = await mutate(makeReview(huge));
    expect(response['patchType']).toBe('JSONPatch');
  });

  it('denies an object that is not a Pod with the field at fault, never a stack trace', async () => {
    const response = await mutate(makeReview({ spec: { containers: [{ name: 1 }] } }));
    expect(response).toMatchObject({ allowed: false, status: { code: 400 } });
    expect((response['status'] as Json)['message']).toMatch(/^request.object is not a Pod: spec.containers.0.name/);
  });

  it('treats __proto__ keys as plain data', async () => {
    const review = JSON.stringify(makeReview(makePod())).replace(
      '"metadata":{',
      '"metadata":{"__proto__":{"polluted":true},',
    );
    const response = (await server().post('/mutate', review)).json().response;
    expect(response.allowed).toBe(true);
    expect(({} as Json)['polluted']).toBeUndefined();
  });
});

describe('health and readiness', () => {
  it('is alive and ready once certificate, templates and namespace source are loaded', async () => {
    expect((await server().get('/healthz')).status).toBe(200);
    expect((await server().get('/readyz')).body).toBe('ok');
  });

  it('logs one line per request with uid, namespace, decision, reason and duration, never the pod', async () => {
    await mutate(makeReview(makePod(), { uid: 'log-line-uid' }));
    const line = server()
      .logs.map((l) => JSON.parse(l))
      .find((l) => l.uid === 'log-line-uid');
    expect(line).toMatchObject({
      namespace: 'demo',
      name: 'app',
      decision: 'inject',
      reason: 'namespace_enabled',
      ms: expect.any(Number),
    });
    expect(JSON.stringify(line)).not.toContain('nginx');
  });
});

describe('an unexpected error inside the handler', () => {
  it('answers an AdmissionReview with the uid and a message, no stack trace, and keeps serving', async () => {
    const broken = await startTestServer(
      {},
      {
        namespaces: {
          kind: 'file',
          start: async () => {},
          ready: () => true,
          labelsOf: () => Promise.reject(new Error('label store exploded')),
          stop: () => {},
        },
      },
    );
    try {
      const reply = await broken.post('/mutate', makeReview(makePod(), { uid: 'boom-uid' }));
      expect(reply.status).toBe(200);
      expect(reply.json().response).toEqual({
        uid: 'boom-uid',
        allowed: false,
        status: { code: 500, message: 'internal error: label store exploded', status: 'Failure' },
        auditAnnotations: { decision: 'error', reason: 'internal_error' },
      });
      expect(reply.body).not.toMatch(/at .*\.(ts|js):\d+/);
      expect((await broken.get('/healthz')).status).toBe(200);
    } finally {
      await stopTestServer(broken);
    }
  });
});

describe('untrusted pod metadata in the log line', () => {
  it('logs only bounded strings from the pod, never a structure it sent', async () => {
    const pod = makePod({ metadata: { name: { nested: 'x'.repeat(1000) }, generateName: 'web-' } });
    await server().post('/mutate', makeReview(pod, { uid: 'structured-name' }));
    const line = server()
      .logs.map((l) => JSON.parse(l))
      .find((l) => l.uid === 'structured-name');
    expect(line.name).toBe('web-');
  });
});
