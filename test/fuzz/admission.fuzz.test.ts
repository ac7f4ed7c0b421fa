import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAdmissionHandler, type HandlerParts } from '../../src/admission/handler.js';
import type { NamespaceLabels } from '../../src/core/decide.js';
import { decodeReview } from '../../src/core/review.js';
import { decodeAndHandle, encodeReply } from '../../src/http/mutate.js';
import { reviews } from '../helpers/arbitraries.js';
import { assertAnswersContract } from '../helpers/contract.js';
import { SETTINGS, loadTemplateSet, type Json } from '../helpers/pods.js';

/**
 * Property-based: whatever arrives at /mutate, the decoder and the core answer without throwing,
 * and every answer is one the API server accepts (section 3 of the webhook contract), with a patch
 * that applies strictly and leaves a valid pod valid.
 */
const templates = loadTemplateSet();
const LABELS: Record<string, NamespaceLabels> = {
  demo: { known: true, labels: { 'istio-injection': 'enabled' } },
  'opted-out': { known: true, labels: { 'istio-injection': 'disabled' } },
  default: { known: true, labels: {} },
  unknown: { known: false, why: 'namespace informer not synced' },
};
const namespaces: HandlerParts['namespaces'] = {
  labelsOf: (name) => Promise.resolve(LABELS[name] ?? { known: true, labels: {} }),
};
const context: HandlerParts = { namespaces, templates: { current: () => templates }, settings: SETTINGS };
const nativeContext: HandlerParts = { ...context, settings: { ...SETTINGS, nativeSidecars: true } };

/** What /mutate answers to this body (sent as application/json), without the socket. */
async function admit(body: string, parts: HandlerParts): Promise<{ status: number; body: string; uid?: string }> {
  const reply = await decodeAndHandle(body, createAdmissionHandler(parts));
  const { status, text } = encodeReply(reply);
  return { status, body: text, ...(reply.uid !== undefined ? { uid: reply.uid } : {}) };
}

async function answerFollowsContract(body: string, admission = context): Promise<void> {
  const result = await admit(body, admission);
  const decoded = decodeReview(body);
  if (!decoded.ok) {
    // Undecodable: an AdmissionReview refusing it with status.code 400 whenever the uid is known,
    // else a plain HTTP 400 naming the problem.
    if (result.uid !== undefined) {
      const asked = { apiVersion: decoded.apiVersion ?? 'admission.k8s.io/v1', uid: result.uid, object: undefined };
      assertAnswersContract(asked, result.status, result.body);
      expect((JSON.parse(result.body) as Json)['response']).toMatchObject({ allowed: false, status: { code: 400 } });
      return;
    }
    expect(result.status).toBe(400);
    expect((JSON.parse(result.body) as Json)['message']).toEqual(expect.any(String));
    return;
  }
  const object = decoded.request.object;
  assertAnswersContract(
    { apiVersion: decoded.apiVersion, uid: decoded.request.uid, object },
    result.status,
    result.body,
  );
}

describe('fuzzing /mutate through the decoder and the core', () => {
  it('arbitrary JSON values never throw and are answered with a reason', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), (value) => answerFollowsContract(JSON.stringify(value))),
      { numRuns: 200 },
    );
  });

  it('reviews cut short, or with a byte inserted or deleted, never throw', async () => {
    const corrupted = fc
      .tuple(
        reviews(templates),
        fc.nat(),
        fc.constantFrom('cut', 'insert', 'delete'),
        fc.constantFrom('"', '\\', '{', ']', ',', '\u0000', '\ud800'),
      )
      .map(([review, at, how, char]) => {
        const text = JSON.stringify(review);
        const i = at % (text.length + 1);
        if (how === 'cut') return text.slice(0, i);
        return how === 'insert' ? text.slice(0, i) + char + text.slice(i) : text.slice(0, i) + text.slice(i + 1);
      });
    await fc.assert(
      fc.asyncProperty(corrupted, (text) => answerFollowsContract(text)),
      { numRuns: 100 },
    );
  });

  it('reviews with arbitrary fields and annotation maps are answered within the contract', async () => {
    await fc.assert(
      fc.asyncProperty(reviews(templates), fc.boolean(), (review, native) =>
        answerFollowsContract(JSON.stringify(review), native ? nativeContext : context),
      ),
      { numRuns: 300 },
    );
  });
});
