import type { Operation } from 'fast-json-patch';
import { z } from 'zod';

/**
 * The AdmissionReview envelope: only what the injector reads is checked (and kept in the parsed
 * copy). Everything else is tolerated, and the pod itself is passed through by reference, untouched
 * (the API server ignores unknown fields too).
 */
export const ADMISSION_V1 = 'admission.k8s.io/v1';
export const ADMISSION_V1BETA1 = 'admission.k8s.io/v1beta1';

const GroupVersionResource = z.object({ group: z.string(), version: z.string(), resource: z.string() });

export const AdmissionRequest = z.object({
  uid: z.string().min(1).max(256),
  resource: GroupVersionResource,
  subResource: z.string().nullish(),
  name: z.string().nullish(),
  namespace: z.string().nullish(),
  operation: z.string(),
  object: z.unknown(),
  dryRun: z.boolean().nullish(),
});
export type AdmissionRequest = z.infer<typeof AdmissionRequest>;

const Envelope = z.object({
  apiVersion: z.enum([ADMISSION_V1, ADMISSION_V1BETA1]),
  kind: z.literal('AdmissionReview'),
  request: AdmissionRequest,
});

export type DecodedReview =
  { ok: true; apiVersion: string; request: AdmissionRequest } | { ok: false; message: string; uid?: string };

/** Turns the raw body into a request, or a one-line reason for a 400. */
export function decodeReview(body: string): DecodedReview {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    return { ok: false, message: `body is not valid JSON: ${(error as Error).message.slice(0, 120)}` };
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
    return {
      ok: false,
      uid,
      message: `AdmissionReview ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
    };
  }
  return { ok: true, apiVersion: parsed.data.apiVersion, request: parsed.data.request };
}

/** Pods are mutated on CREATE of core/v1 pods only: not on pods/status, pods/binding, etc. */
export function isPodCreate(request: AdmissionRequest): boolean {
  const { group, version, resource } = request.resource;
  return (
    request.operation === 'CREATE' && group === '' && version === 'v1' && resource === 'pods' && !request.subResource
  );
}

export type Outcome =
  | { allowed: true; patch?: Operation[]; warnings: string[]; audit: Record<string, string> }
  | { allowed: false; code: number; message: string; warnings: string[]; audit: Record<string, string> };

// The API server truncates warnings past 4096 runes in total; keep each one short and readable.
const MAX_WARNING = 256;

/** The AdmissionReview answer, in the version it was asked in (v1beta1 is never answered as v1). */
export function encodeReview(apiVersion: string, uid: string, outcome: Outcome): string {
  const response: Record<string, unknown> = { uid, allowed: outcome.allowed };
  if (outcome.allowed && outcome.patch && outcome.patch.length > 0) {
    response['patchType'] = 'JSONPatch';
    response['patch'] = Buffer.from(JSON.stringify(outcome.patch), 'utf8').toString('base64');
  }
  if (!outcome.allowed) response['status'] = { code: outcome.code, message: outcome.message, status: 'Failure' };
  if (outcome.warnings.length > 0)
    response['warnings'] = [...new Set(outcome.warnings)].map((w) => w.slice(0, MAX_WARNING));
  if (Object.keys(outcome.audit).length > 0) response['auditAnnotations'] = outcome.audit;
  return JSON.stringify({ apiVersion, kind: 'AdmissionReview', response });
}
