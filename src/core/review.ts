import { z } from 'zod';
import { refuseUnparsed } from './json-depth.js';
import { statusCode, type Outcome } from './outcome.js';
import { boundedLines, MAX_MESSAGE, safeText } from './text.js';

/**
 * The AdmissionReview envelope: only what the injector reads is checked (and kept in the parsed
 * copy). Everything else is tolerated, and the pod itself is passed through by reference, untouched
 * (the API server ignores unknown fields too).
 */
export const ADMISSION_V1 = 'admission.k8s.io/v1';
export const ADMISSION_V1BETA1 = 'admission.k8s.io/v1beta1';

const GroupVersionResource = z.object({ group: z.string(), version: z.string(), resource: z.string() });
const GroupVersionKind = z.object({ group: z.string(), version: z.string(), kind: z.string() });

export const AdmissionRequest = z.object({
  uid: z.string().min(1).max(256),
  // Always sent by the API server; optional so a review built by hand without it still decodes.
  kind: GroupVersionKind.nullish(),
  resource: GroupVersionResource,
  subResource: z.string().nullish(),
  name: z.string().nullish(),
  namespace: z.string().nullish(),
  operation: z.string(),
  object: z.unknown(),
  dryRun: z.boolean().nullish(),
});
export type AdmissionRequest = z.infer<typeof AdmissionRequest>;

const ApiVersion = z.enum([ADMISSION_V1, ADMISSION_V1BETA1]);
const Envelope = z.object({ apiVersion: ApiVersion, kind: z.literal('AdmissionReview'), request: AdmissionRequest });

/** What could be recovered of a review that cannot be decoded: enough to answer in kind. */
export interface EnvelopeHint {
  uid?: string;
  apiVersion?: string;
}

export type DecodedReview =
  { ok: true; apiVersion: string; request: AdmissionRequest } | ({ ok: false; message: string } & EnvelopeHint);

/** Turns the raw body into a request, or a one-line reason for a 400 with whatever uid was found. */
export function decodeReview(body: string): DecodedReview {
  // Before JSON.parse, which would spend seconds and hundreds of MB on it. The uid, when the body
  // is refused unparsed, comes from its first bytes (hintFrom), where the API server writes it.
  const refused = refuseUnparsed(body);
  if (refused) return { ok: false, message: `${refused}; no AdmissionReview of a Pod does`, ...hintFrom(body) };
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    return {
      ok: false,
      message: `body is not valid JSON: ${safeText((error as Error).message, 160)}`,
      ...hintFrom(body),
    };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    return { ok: false, message: 'body is not a JSON object' };
  const record = json as Record<string, unknown>;
  const request = record['request'];
  if (typeof request !== 'object' || request === null) return { ok: false, message: 'AdmissionReview has no request' };
  const uid = (request as Record<string, unknown>)['uid'];
  if (typeof uid !== 'string' || uid === '') return { ok: false, message: 'AdmissionReview request has no uid' };
  const parsed = Envelope.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const apiVersion = ApiVersion.safeParse(record['apiVersion']);
    return {
      ok: false,
      ...(uid.length <= 256 ? { uid } : {}),
      ...(apiVersion.success ? { apiVersion: apiVersion.data } : {}),
      message: `AdmissionReview ${safeText(issue?.path.join('.') || '(root)')}: ${issue?.message ?? 'invalid'}`,
    };
  }
  return { ok: true, apiVersion: parsed.data.apiVersion, request: parsed.data.request };
}

/** How far into a body the uid is looked for: the API server writes request.uid in its first bytes. */
const HINT_PREFIX = 4096;

/**
 * The uid and version of a body that cannot be parsed (too large, not JSON, wrong media type),
 * read from its first bytes, so the answer can still be an AdmissionReview the API server accepts.
 */
export function hintFrom(body: string): EnvelopeHint {
  const prefix = body.slice(0, HINT_PREFIX);
  const uid = /"uid"\s*:\s*"([^"\\]{1,256})"/.exec(prefix)?.[1];
  const apiVersion = /"apiVersion"\s*:\s*"(admission\.k8s\.io\/v1(?:beta1)?)"/.exec(prefix)?.[1];
  return { ...(uid ? { uid } : {}), ...(apiVersion ? { apiVersion } : {}) };
}

/** The AdmissionReview answer, in the version it was asked in (v1beta1 is never answered as v1). */
export function encodeReview(apiVersion: string, uid: string, outcome: Outcome): string {
  const allowed = outcome.kind === 'inject' || outcome.kind === 'skip';
  const response: Record<string, unknown> = { uid, allowed };
  const patch = outcome.kind === 'inject' && outcome.ops.length > 0 ? encodedPatch(outcome.ops) : undefined;
  if (patch !== undefined) {
    response['patchType'] = 'JSONPatch';
    response['patch'] = '';
  }
  if (outcome.kind === 'deny' || outcome.kind === 'error') {
    response['status'] = {
      code: statusCode(outcome),
      message: safeText(outcome.message, MAX_MESSAGE),
      status: 'Failure',
    };
  }
  // The API server truncates warnings past 4096 runes in total; keep each one short and readable.
  if (outcome.warnings.length > 0) response['warnings'] = boundedLines(outcome.warnings);
  // Audit annotation keys must not contain "/": the API server prefixes them with the webhook name.
  response['auditAnnotations'] = { decision: outcome.kind, reason: outcome.reason };
  const text = JSON.stringify({ apiVersion, kind: 'AdmissionReview', response });
  // The patch (most of the answer) goes in after: base64 has nothing JSON escapes, so having
  // JSON.stringify scan it again only costs time. The first `"patch":""` is the key itself: in
  // the uid before it every quote is escaped.
  return patch === undefined ? text : text.replace(PATCH_SLOT, () => `"patch":"${patch}"`);
}

const PATCH_SLOT = '"patch":""';

function encodedPatch(ops: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(ops), 'utf8').toString('base64');
}
