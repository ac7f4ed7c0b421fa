import type { IncomingMessage } from 'node:http';

/** Real pods with managedFields run to hundreds of KiB; express's 100 kB default rejects them. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** How much of a refused body is kept: enough for the uid, which the API server writes first. */
const KEPT_PREFIX = 4096;

export type BodyReading =
  { ok: true; text: string } | { ok: false; reason: 'body_too_large' | 'bad_request'; message: string; prefix: string };

/** Reads the whole body as UTF-8, refusing more than `limit` bytes without buffering them. */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyReading> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    const prefix = (): string => Buffer.concat(chunks).subarray(0, KEPT_PREFIX).toString('utf8');
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      const fits = size <= limit && declared <= limit;
      if (fits || size - chunk.length < KEPT_PREFIX) chunks.push(chunk);
      if (fits) return;
      // Drained, not buffered, so the connection stays usable for the next review.
      refused = true;
      req.removeAllListeners('data');
      req.resume();
      resolve({ ok: false, reason: 'body_too_large', message: `body larger than ${limit} bytes`, prefix: prefix() });
    });
    req.on('end', () => {
      if (!refused) resolve({ ok: true, text: Buffer.concat(chunks, size).toString('utf8') });
    });
    req.on('error', (error) =>
      resolve({ ok: false, reason: 'bad_request', message: `reading the body failed: ${error.message}`, prefix: '' }),
    );
  });
}

/** Exactly application/json, parameters such as charset allowed (not application/jsonp, +json). */
export function isJsonMediaType(header: string | undefined): boolean {
  return (header ?? '').split(';', 1)[0]?.trim().toLowerCase() === 'application/json';
}
