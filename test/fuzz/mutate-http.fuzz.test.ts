import fc from 'fast-check';
import { createServer, request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdmissionHandler } from '../../src/admission/handler.js';
import { decodeReview } from '../../src/core/review.js';
import { bodyBudget } from '../../src/http/body-budget.js';
import { serveMutate } from '../../src/http/mutate.js';
import { reviews } from '../helpers/arbitraries.js';
import { assertAnswersContract } from '../helpers/contract.js';
import { SETTINGS, loadTemplateSet, type Json } from '../helpers/pods.js';

/**
 * Property-based, through the HTTP shell: serveMutate on a real socket (plain HTTP: TLS adds
 * nothing to what the handler sees) gets arbitrary bodies, media types, extra headers and
 * chunkings. Every request is answered, in JSON, and observed exactly once (a throw or a rejected
 * promise would skip both); a review whose uid is known is answered by an AdmissionReview carrying
 * that uid, within the contract; an answer never carries a uid the body does not contain.
 */
const templates = loadTemplateSet();
const handler = createAdmissionHandler({
  namespaces: { labelsOf: () => Promise.resolve({ known: true, labels: { 'istio-injection': 'enabled' } }) },
  templates: { current: () => templates },
  settings: SETTINGS,
});
let observed = 0;
const parsing = bodyBudget(16 * 1024 * 1024);
const server = createServer(
  (req, res) => void serveMutate(req, res, { handler, parsing, observe: () => void observed++ }),
);
let port = 0;
beforeAll(() => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve())));
beforeAll(() => void (port = (server.address() as AddressInfo).port));
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

interface Sent {
  body: Buffer;
  mediaType: string | undefined;
  headers: Record<string, string>;
  /** Where the body is cut into writes; with `chunked`, each write is one chunk. */
  cuts: number[];
  chunked: boolean;
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  json: Json;
  text: string;
}

function send(sent: Sent): Promise<Answer> {
  const headers: OutgoingHttpHeaders = { ...sent.headers };
  if (sent.mediaType !== undefined) headers['content-type'] = sent.mediaType;
  if (!sent.chunked) headers['content-length'] = sent.body.length;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/mutate?timeout=10s', method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, json: JSON.parse(text) as Json, text });
      });
    });
    req.on('error', reject);
    let from = 0;
    for (const cut of [...sent.cuts].sort((a, b) => a - b)) {
      const to = Math.min(cut, sent.body.length);
      if (to > from) req.write(sent.body.subarray(from, to));
      from = Math.max(from, to);
    }
    req.end(sent.body.subarray(from));
  });
}

const JSON_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'Application/JSON',
  ' application/json ;x=y',
];
const OTHER_TYPES = ['application/jsonp', 'application/json-patch+json', 'text/plain', 'application/yaml', ''];
const headerName = fc.stringMatching(/^x-[a-z0-9-]{1,16}$/);
const headerValue = fc.stringMatching(/^[\x20-\x7e]{0,40}$/).map((v) => v.trim());
const extraHeaders = fc.dictionary(headerName, headerValue, { maxKeys: 4 });

function sentWith(body: fc.Arbitrary<Buffer>, mediaTypes: fc.Arbitrary<string | undefined>): fc.Arbitrary<Sent> {
  return fc.record({
    body,
    mediaType: mediaTypes,
    headers: extraHeaders,
    cuts: fc.array(fc.nat({ max: 20_000 }), { maxLength: 4 }),
    chunked: fc.boolean(),
  });
}

const decodable = reviews(templates)
  .map((review) => JSON.stringify(review))
  .filter((text) => decodeReview(text).ok);
/** Decodable, with a uid written as is (no escape): what the refusal of an unread body can find. */
const plainUid = decodable.filter((text) => {
  const { uid } = asked(text);
  return JSON.stringify(uid) === `"${uid}"`;
});
const anyBody = fc.oneof(
  fc.jsonValue().map((value) => Buffer.from(JSON.stringify(value))),
  reviews(templates).map((review) => Buffer.from(JSON.stringify(review).slice(0, -3))),
  fc.string({ unit: 'binary', maxLength: 200 }).map((text) => Buffer.from(text)),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
);

/** The request a decodable body asks about, as the contract helper wants it. */
function asked(text: string): { apiVersion: string; uid: string; object: unknown } {
  const decoded = decodeReview(text);
  if (!decoded.ok) throw new Error(`not decodable: ${decoded.message}`);
  return { apiVersion: decoded.apiVersion, uid: decoded.request.uid, object: decoded.request.object };
}

/** request.object of a body that parses, for checking a patch against it. */
function objectIn(body: Buffer): unknown {
  try {
    return ((JSON.parse(body.toString('utf8')) as Json)['request'] as Json | undefined)?.['object'];
  } catch {
    return undefined;
  }
}

/** What every answer has in common: JSON, and an AdmissionReview only with a uid from the body. */
function expectWellFormed(answer: Answer, body: Buffer): void {
  expect(answer.headers['content-type']).toBe('application/json');
  if (answer.status !== 200) {
    expect([400, 413, 415]).toContain(answer.status);
    expect(answer.json['message']).toEqual(expect.any(String));
    return;
  }
  const uid = (answer.json['response'] as Json | undefined)?.['uid'];
  expect(typeof uid === 'string' && body.toString('utf8').includes(JSON.stringify(uid)), answer.text).toBe(true);
}

describe('fuzzing /mutate through the HTTP shell (serveMutate on a socket)', () => {
  it('a decodable review sent as application/json is answered within the contract, its uid echoed', async () => {
    const before = observed;
    let sentCount = 0;
    await fc.assert(
      fc.asyncProperty(sentWith(decodable.map(Buffer.from), fc.constantFrom(...JSON_TYPES)), async (sent) => {
        sentCount++;
        const answer = await send(sent);
        expectWellFormed(answer, sent.body);
        assertAnswersContract(asked(sent.body.toString('utf8')), answer.status, answer.text);
      }),
      { numRuns: 120 },
    );
    expect(observed - before).toBe(sentCount);
  });

  it('the same reviews with another media type are refused with 415, in an AdmissionReview with their uid', async () => {
    await fc.assert(
      fc.asyncProperty(
        sentWith(plainUid.map(Buffer.from), fc.constantFrom(...OTHER_TYPES, undefined)),
        async (sent) => {
          const answer = await send(sent);
          expectWellFormed(answer, sent.body);
          const { uid } = asked(sent.body.toString('utf8'));
          // The API server writes request.uid in the first bytes, where the refusal looks for it.
          expect(answer.json['response']).toMatchObject({ uid, allowed: false, status: { code: 415 } });
        },
      ),
      { numRuns: 60 },
    );
  });

  it('arbitrary bodies, media types and headers are always answered, never with a made-up uid', async () => {
    const before = observed;
    let sentCount = 0;
    const mediaTypes = fc.oneof(fc.constantFrom(...JSON_TYPES, ...OTHER_TYPES, undefined), headerValue);
    await fc.assert(
      fc.asyncProperty(sentWith(anyBody, mediaTypes), async (sent) => {
        sentCount++;
        const answer = await send(sent);
        expectWellFormed(answer, sent.body);
        if (answer.status === 200) {
          const apiVersion = String(answer.json['apiVersion']);
          expect(['admission.k8s.io/v1', 'admission.k8s.io/v1beta1']).toContain(apiVersion);
          const uid = String((answer.json['response'] as Json)['uid']);
          assertAnswersContract({ apiVersion, uid, object: objectIn(sent.body) }, answer.status, answer.text);
        }
      }),
      { numRuns: 200 },
    );
    expect(observed - before).toBe(sentCount);
  });
});
