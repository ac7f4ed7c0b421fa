import fastJsonPatch, { type Operation } from 'fast-json-patch';
import { Pod } from 'kubernetes-models/v1/Pod';
import { assertValidPod, type Json } from './pods.js';

/**
 * What the API server checks in a webhook's answer (shared/reference/apiserver-webhook-contract.md
 * section 3), as assertions: a failure names the broken rule.
 */
const RESPONSE_FIELDS = new Set(['uid', 'allowed', 'patch', 'patchType', 'status', 'warnings', 'auditAnnotations']);
const STANDARD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export interface Asked {
  apiVersion: string;
  uid: string;
  object: unknown;
}

/** Asserts the answer to a decodable review; returns the decoded patch (empty when none). */
export function assertAnswersContract(asked: Asked, status: number, body: string): Operation[] {
  must(status === 200, `HTTP ${status} to a review whose uid is known`);
  const review = JSON.parse(body) as Json;
  must(
    review['apiVersion'] === asked.apiVersion,
    `apiVersion ${String(review['apiVersion'])}, asked in ${asked.apiVersion}`,
  );
  must(review['kind'] === 'AdmissionReview', 'kind is not AdmissionReview');
  const response = review['response'] as Json | undefined;
  must(typeof response === 'object' && response !== null, 'response absent');
  const fields = Object.keys(response);
  must(
    fields.every((f) => RESPONSE_FIELDS.has(f)),
    `unknown (or miscased) response field in ${fields.join(', ')}`,
  );
  must(response['uid'] === asked.uid, 'response.uid differs from request.uid');
  must(typeof response['allowed'] === 'boolean', 'allowed is not a boolean');
  must('patch' in response === 'patchType' in response, 'patch and patchType do not come together');
  if (!response['allowed']) {
    const failure = response['status'] as Json | undefined;
    must(typeof failure?.['code'] === 'number' && failure['code'] >= 400, 'a denial without a 4xx/5xx status.code');
    must(typeof failure['message'] === 'string' && failure['message'] !== '', 'a denial without a message');
  }
  assertStrings(response['warnings'], 'warnings');
  const audit = (response['auditAnnotations'] ?? {}) as Json;
  must(
    Object.keys(audit).every((k) => !k.includes('/')),
    'an audit annotation key with "/"',
  );
  assertStrings(Object.values(audit), 'auditAnnotations');
  return response['patch'] === undefined ? [] : decodeStrictly(response, asked.object);
}

function decodeStrictly(response: Json, object: unknown): Operation[] {
  must(response['allowed'] === true, 'a patch on a denial');
  must(response['patchType'] === 'JSONPatch', `patchType ${String(response['patchType'])}`);
  const patch = String(response['patch']);
  must(STANDARD_BASE64.test(patch), 'patch is not standard padded base64');
  const ops = JSON.parse(Buffer.from(patch, 'base64').toString('utf8')) as Operation[];
  must(Array.isArray(ops) && ops.length > 0, 'patch is not a non-empty JSON Patch array');
  must(typeof object === 'object' && object !== null, 'a patch for a request without an object');
  const patched = fastJsonPatch.applyPatch(structuredClone(object), structuredClone(ops), true, false).newDocument;
  if (isValidPod(object)) assertValidPod(patched as Json);
  return ops;
}

/** Whether the pod as sent already passes the schema: only then must the patched one. */
export function isValidPod(object: unknown): boolean {
  try {
    new Pod(object as never).validate();
    return true;
  } catch {
    return false;
  }
}

function assertStrings(values: unknown, what: string): void {
  if (values === undefined) return;
  must(Array.isArray(values) && values.every((v) => typeof v === 'string'), `${what} are not strings`);
}

function must(condition: boolean, rule: string): asserts condition {
  if (!condition) throw new Error(`response contract: ${rule}`);
}
