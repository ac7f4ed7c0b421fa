import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, MAX_JSON_ELEMENTS } from '../../src/core/json-depth.js';
import { makePod, makeReview, type Json } from '../helpers/pods.js';
import { serverForFile } from '../helpers/server.js';

/** Hostile callers over real HTTPS: what they send is refused or bounded, never amplified. */
const server = serverForFile();

/** A review whose pod carries `raw` (JSON text) at metadata.deep, a field the injector never reads. */
function reviewWith(raw: string, uid: string): string {
  const review = JSON.stringify(makeReview(makePod(), { uid }));
  return review.replace('"metadata":{', `"metadata":{"deep":${raw},`);
}

function logLine(uid: string): Record<string, unknown> {
  const line = server().logs.find((l) => l.includes(`"uid":"${uid}"`));
  if (!line) throw new Error(`no log line for ${uid}`);
  return JSON.parse(line) as Record<string, unknown>;
}

describe('a body nesting deeper than MAX_JSON_DEPTH', () => {
  it('9.5 MiB of nested arrays is refused with the uid, status 400 and the limit named', async () => {
    const size = 9.5 * 1024 * 1024;
    const body = reviewWith(`${'['.repeat(size / 2)}${']'.repeat(size / 2)}`, 'deep-uid');
    const reply = await server().post('/mutate', body);
    expect(reply.status).toBe(200);
    expect(reply.json().response).toMatchObject({
      uid: 'deep-uid',
      allowed: false,
      status: { code: 400, message: expect.stringContaining(`deeper than ${MAX_JSON_DEPTH}`) },
    });
    expect(logLine('deep-uid')).toMatchObject({ decision: 'error', reason: 'bad_request' });
  });

  it('is a plain HTTP 400 with the message when no uid can be read before the nesting', async () => {
    const reply = await server().post('/mutate', `{"request":${'['.repeat(100_000)}`);
    expect(reply.status).toBe(400);
    expect(reply.json()).toMatchObject({ reason: 'bad_request', message: expect.stringContaining('nests deeper') });
  });

  it('a pod nesting exactly to the limit is still decoded and answered', async () => {
    const enclosing = 4; // the AdmissionReview, request, object and metadata objects
    const inner = MAX_JSON_DEPTH - enclosing;
    const reply = await server().post('/mutate', reviewWith(`${'['.repeat(inner)}${']'.repeat(inner)}`, 'at-limit'));
    expect(reply.json().response).toMatchObject({ uid: 'at-limit', allowed: true, patchType: 'JSONPatch' });
  });
});

describe('strings a caller chose are bounded and escaped in the log line and the answer', () => {
  it('a 2 MiB request.name with U+2028 and U+202E writes a log line under 2 KB', async () => {
    const name = `evil\u2028{"fake":"line"}\u202e${'n'.repeat(2 * 1024 * 1024)}`;
    const review = makeReview(makePod(), { uid: 'long-name' });
    (review['request'] as Json)['name'] = name;
    await server().post('/mutate', review);
    const raw = server().logs.find((l) => l.includes('"uid":"long-name"')) ?? '';
    expect(raw.length).toBeGreaterThan(0);
    expect(raw.length).toBeLessThan(2048);
    expect(raw).not.toMatch(/[\u2028\u202e]/);
    expect(logLine('long-name')['name']).toMatch(/^evil\\u2028\{"fake":"line"\}\\u202ennnn.*…$/);
  });

  it('a 0.7 MB sidecar.inject/templates of unknown names is denied in an answer under 4 KB', async () => {
    const names = Array.from({ length: 90_000 }, (_, i) => `t${i}\u202e`).join(',');
    const pod = makePod({ metadata: { name: 'app', annotations: { 'sidecar.inject/templates': names } } });
    const reply = await server().post('/mutate', makeReview(pod, { uid: 'many-templates' }));
    expect(names.length).toBeGreaterThan(700_000);
    expect(reply.body.length).toBeLessThan(4096);
    const response = reply.json().response;
    expect(response).toMatchObject({ allowed: false, status: { code: 400 } });
    expect(response.status.message).toContain('"t0\\u202e", "t1\\u202e"');
    expect(response.status.message).toContain('… and 89995 more');
    expect(JSON.stringify(logLine('many-templates')).length).toBeLessThan(2048);
  });

  it('ten thousand containers clashing with a sidecar give at most ten warnings', async () => {
    const containers = Array.from({ length: 10_000 }, (_, i) => ({
      name: `c${i}`,
      image: 'app',
      volumeMounts: [{ name: 'logs', mountPath: '/var/log/app/' }],
    }));
    const pod = makePod({
      metadata: { name: 'app', annotations: { 'sidecar.inject/templates': 'logging' } },
      spec: { containers },
    });
    const response = (await server().post('/mutate', makeReview(pod, { uid: 'clashes' }))).json().response;
    expect(response).toMatchObject({ allowed: true, auditAnnotations: { reason: 'name_conflict' } });
    expect(response.warnings).toHaveLength(10);
    expect(response.warnings[9]).toBe('… and 9991 more');
  });
});

describe('a review whose kinds are not a Pod', () => {
  it.each([
    ['request.kind Deployment', { kind: { group: 'apps', version: 'v1', kind: 'Deployment' } }, makePod()],
    ['object.kind ConfigMap', {}, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: {} }],
  ])('%s with resource pods is allowed with no patch and reason kind_mismatch', async (_name, request, object) => {
    const reply = await server().post('/mutate', makeReview(object, { uid: 'kinds', ...request }));
    expect(reply.json().response).toEqual({
      uid: 'kinds',
      allowed: true,
      auditAnnotations: { decision: 'skip', reason: 'kind_mismatch' },
    });
  });
});

describe('a shallow body with more elements than MAX_JSON_ELEMENTS', () => {
  it('9.5 MiB of [],[],… is refused with the uid before JSON.parse', async () => {
    const body = reviewWith(`[${'[],'.repeat((9.5 * 1024 * 1024) / 3)}[]]`, 'wide-uid');
    const response = (await server().post('/mutate', body)).json().response;
    expect(response).toMatchObject({
      uid: 'wide-uid',
      allowed: false,
      status: { code: 400, message: expect.stringContaining(`more than ${MAX_JSON_ELEMENTS} JSON elements`) },
    });
  });
});
