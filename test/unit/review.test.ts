import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPodCreate } from '../../src/core/decide.js';
import { injected, skipped, withWarnings } from '../../src/core/outcome.js';
import { decodeReview, encodeReview } from '../../src/core/review.js';
import { boundedLines } from '../../src/core/text.js';
import { makePod, makeReview } from '../helpers/pods.js';

describe('decodeReview', () => {
  it.each([
    ['{', /^body is not valid JSON/],
    ['[]', /^body is not a JSON object$/],
    ['{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}', /^AdmissionReview has no request$/],
    ['{"request":{"uid":""}}', /^AdmissionReview request has no uid$/],
    [JSON.stringify({ ...makeReview(makePod()), apiVersion: 'admission.k8s.io/v2' }), /^AdmissionReview apiVersion: /],
  ])('refuses %j', (body, message) => {
    const decoded = decodeReview(body);
    expect(decoded.ok).toBe(false);
    expect(!decoded.ok && decoded.message).toMatch(message);
  });

  it('tolerates unknown fields and keeps the object exactly as sent', () => {
    const pod = { ...makePod(), extra: { __proto__: 1 } };
    const review = { ...makeReview(pod), future: true };
    const decoded = decodeReview(JSON.stringify(review));
    expect(decoded.ok && decoded.request.object).toEqual(JSON.parse(JSON.stringify(pod)));
  });

  it('treats __proto__ keys as plain data', () => {
    const decoded = decodeReview(
      '{"__proto__":{"polluted":1},"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","resource":{"group":"","version":"v1","resource":"pods"},"operation":"CREATE","object":{"__proto__":{"x":1}}}}',
    );
    expect(decoded.ok).toBe(true);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('isPodCreate', () => {
  const request = (over: Record<string, unknown>) => {
    const decoded = decodeReview(JSON.stringify(makeReview(makePod(), over)));
    if (!decoded.ok) throw new Error(decoded.message);
    return decoded.request;
  };
  it('accepts CREATE of core/v1 pods', () => expect(isPodCreate(request({}))).toBe(true));
  it.each([
    ['UPDATE', { operation: 'UPDATE' }],
    ['a subresource', { subResource: 'ephemeralcontainers' }],
    ['another resource', { resource: { group: 'apps', version: 'v1', resource: 'deployments' } }],
  ])('refuses %s', (_name, over) => expect(isPodCreate(request(over))).toBe(false));
});

describe('encodeReview', () => {
  it('answers with standard padded base64 of the JSON patch, in the version asked', () => {
    const body = JSON.parse(
      encodeReview(
        'admission.k8s.io/v1beta1',
        'u1',
        injected('namespace_enabled', [{ op: 'add', path: '/a', value: 'é' }], { templates: ['proxy'], native: true }),
      ),
    );
    expect(body.apiVersion).toBe('admission.k8s.io/v1beta1');
    expect(body.response.patchType).toBe('JSONPatch');
    expect(body.response.patch).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    expect(JSON.parse(Buffer.from(body.response.patch, 'base64').toString('utf8'))).toEqual([
      { op: 'add', path: '/a', value: 'é' },
    ]);
  });

  it('carries no patch at all when nothing changes', () => {
    const body = JSON.parse(encodeReview('admission.k8s.io/v1', 'u1', skipped('pod_opted_out')));
    expect(body.response).toEqual({
      uid: 'u1',
      allowed: true,
      auditAnnotations: { decision: 'skip', reason: 'pod_opted_out' },
    });
  });

  it('writes the same bytes as JSON.stringify of the whole answer, whatever the uid and warnings hold', () => {
    const texts = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('"patch":""', '\\', '","patch":"', 'é\u2028'));
    fc.assert(
      fc.property(texts, fc.uniqueArray(texts, { maxLength: 2 }), texts, (uid, warnings, value) => {
        const ops = [{ op: 'add' as const, path: '/a', value }];
        const outcome = withWarnings(injected('namespace_enabled', ops, { templates: ['t'], native: false }), warnings);
        const response = {
          uid,
          allowed: true,
          patchType: 'JSONPatch',
          patch: Buffer.from(JSON.stringify(ops), 'utf8').toString('base64'),
          ...(warnings.length > 0 ? { warnings: boundedLines(warnings) } : {}),
          auditAnnotations: { decision: 'inject', reason: 'namespace_enabled' },
        };
        const expected = JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response });
        expect(encodeReview('admission.k8s.io/v1', uid, outcome)).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });
});
