import type { IncomingMessage, ServerResponse } from 'node:http';
import { internalError, type AdmissionHandler } from '../admission/handler.js';
import { errored, statusCode } from '../core/outcome.js';
import { ADMISSION_V1, decodeReview, encodeReview, hintFrom, type EnvelopeHint } from '../core/review.js';
import type { Answer } from '../observe.js';
import { MAX_BODY_BYTES, isJsonMediaType, readBody } from './body.js';
import type { BodyBudget } from './body-budget.js';
import type { IdleCollection } from './idle-collection.js';

export interface MutateParts {
  handler: AdmissionHandler;
  /** The bytes of bodies parsed and handled at once (body-budget.ts says why). */
  parsing: BodyBudget;
  observe: (answer: Answer, seconds: number) => void;
  /** Told of every admission request, so the heap is collected only once they stop. */
  idle?: IdleCollection;
}

export type Reply = Answer & EnvelopeHint;

/**
 * POST /mutate: body → decode → handler → encode. The only place that encodes: every answer
 * whose uid is known is an AdmissionReview carrying status.code; without a uid, a plain HTTP error.
 */
export async function serveMutate(req: IncomingMessage, res: ServerResponse, parts: MutateParts): Promise<void> {
  parts.idle?.touch();
  const body = await readBody(req, MAX_BODY_BYTES);
  const started = process.hrtime.bigint();
  let reply: Reply;
  if (!body.ok) reply = { ...hintFrom(body.prefix), outcome: errored(body.reason, body.message) };
  else if (!isJsonMediaType(req.headers['content-type']))
    reply = {
      ...hintFrom(body.text),
      outcome: errored('unsupported_media_type', 'Content-Type must be application/json'),
    };
  else reply = await withinBudget(body.text, parts);
  const { status, text } = encodeReply(reply);
  sendJson(res, status, text);
  parts.observe(reply, Number(process.hrtime.bigint() - started) / 1e9);
}

/**
 * Below the API server's 5 s timeoutSeconds: waiting longer only answers a caller that left.
 * Holders are requests being parsed and handled (milliseconds), never a client still sending.
 */
const PARSE_WAIT_MS = 4_000;

async function withinBudget(text: string, parts: MutateParts): Promise<Reply> {
  const release = await parts.parsing.reserve(text.length, PARSE_WAIT_MS);
  if (!release) {
    const { reserved, waiting } = parts.parsing.state();
    const message = `busy: ${reserved} bytes of reviews are being parsed and ${waiting} wait; retry`;
    return { ...hintFrom(text), outcome: errored('server_busy', message) };
  }
  try {
    return await decodeAndHandle(text, parts.handler);
  } finally {
    release();
  }
}

/** The answer to a body already read and of the right media type. Never throws. */
export async function decodeAndHandle(text: string, handler: AdmissionHandler): Promise<Reply> {
  const decoded = decodeReview(text);
  if (!decoded.ok) {
    const hint = {
      ...(decoded.uid ? { uid: decoded.uid } : {}),
      ...(decoded.apiVersion ? { apiVersion: decoded.apiVersion } : {}),
    };
    return { ...hint, outcome: errored('bad_request', decoded.message) };
  }
  const { request, apiVersion } = decoded;
  // The handler never throws by contract; if it ever does, answer rather than crash the process.
  const outcome = await handler.handle(request).catch((error: Error) => internalError(error));
  return { request, uid: request.uid, apiVersion, outcome };
}

/** With a uid, an AdmissionReview (HTTP 200, the code in status.code); without, a plain HTTP error. */
export function encodeReply(reply: Reply): { status: number; text: string } {
  const { outcome, uid } = reply;
  if (uid !== undefined) return { status: 200, text: encodeReview(reply.apiVersion ?? ADMISSION_V1, uid, outcome) };
  const message = outcome.kind === 'error' || outcome.kind === 'deny' ? outcome.message : outcome.reason;
  return { status: statusCode(outcome), text: JSON.stringify({ message, reason: outcome.reason }) };
}

export function sendJson(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
