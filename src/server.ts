import { createServer as createNodeHttpsServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { AdmissionResult } from './admission.js';

/** Real pods with managedFields run to hundreds of KiB; express's 100 kB default rejects them. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;
/** The API server's Go transport keeps idle connections 90 s; closing first resets requests. */
export const KEEP_ALIVE_TIMEOUT_MS = 120_000;

export interface HttpHandlers {
  admit: (body: string) => Promise<AdmissionResult>;
  /** Names what is not ready yet; empty when ready. */
  notReady: () => string[];
  onResult: (result: AdmissionResult, seconds: number) => void;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Reads the whole body as UTF-8, refusing more than `limit` bytes without buffering them. */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      req.resume();
      reject(new HttpError(413, `body larger than ${limit} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new HttpError(413, `body larger than ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () =>
      resolve(
        chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks, size).toString('utf8'),
      ),
    );
    req.on('error', (error) => reject(new HttpError(400, `reading the body failed: ${error.message}`)));
  });
}

function sendJson(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** POST /mutate. Tolerates `?timeout=10s`, which the API server appends. */
export async function handleMutate(req: IncomingMessage, res: ServerResponse, handlers: HttpHandlers): Promise<void> {
  const contentType = (req.headers['content-type'] ?? '').toLowerCase();
  if (!contentType.startsWith('application/json')) {
    req.resume();
    sendJson(res, 415, JSON.stringify({ message: 'Content-Type must be application/json' }));
    return;
  }
  let body: string;
  try {
    body = await readBody(req, MAX_BODY_BYTES);
  } catch (error) {
    const status = error instanceof HttpError ? error.status : 400;
    sendJson(res, status, JSON.stringify({ message: (error as Error).message }));
    return;
  }
  const started = process.hrtime.bigint();
  try {
    const result = await handlers.admit(body);
    sendJson(res, result.status, result.body);
    handlers.onResult(result, Number(process.hrtime.bigint() - started) / 1e9);
  } catch (error) {
    // admit never throws by contract; if it ever does, answer rather than crash the process.
    if (!res.headersSent)
      sendJson(res, 500, JSON.stringify({ message: `internal error: ${(error as Error)?.message}` }));
  }
}

function isMutatePath(url: string | undefined): boolean {
  return url === '/mutate' || (url !== undefined && url.startsWith('/mutate?'));
}

export function createApp(handlers: HttpHandlers): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  // Exact /mutate never gets here (the server takes it first); express still routes the variants
  // it accepts, such as a trailing slash, to the same handler.
  app.post('/mutate', (req, res) => {
    void handleMutate(req, res, handlers);
  });
  app.get('/healthz', (_req, res) => {
    res.type('text/plain').send('ok');
  });
  app.get('/readyz', (_req, res) => {
    const missing = handlers.notReady();
    if (missing.length === 0) res.type('text/plain').send('ok');
    else
      res
        .status(503)
        .type('text/plain')
        .send(`not ready: ${missing.join(', ')}`);
  });
  app.use((_req, res) => {
    res.status(404).json({ message: 'not found: POST /mutate, GET /healthz, GET /readyz' });
  });
  // Replaces express's default handler, which answers with a stack trace outside production.
  app.use((error: Error & { status?: number }, _req: Request, res: Response, _next: NextFunction) => {
    res.status(error.status && error.status < 500 ? error.status : 500).json({ message: error.message });
  });
  return app;
}

export interface TlsMaterial {
  cert: string;
  key: string;
}

/** HTTPS with HTTP/1.1 only (the API server's client never negotiates h2) and TLS 1.2+. */
export interface ServerLimits {
  /** A client must have sent its request headers within this time. */
  headersTimeoutMs: number;
  /** A client must have sent its whole request within this time (the API server's own limit is 30 s). */
  requestTimeoutMs: number;
}

export const DEFAULT_LIMITS: ServerLimits = { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000 };

export function createHttpsServer(
  app: Express,
  tls: TlsMaterial,
  handlers: HttpHandlers,
  limits = DEFAULT_LIMITS,
): Server {
  const options = {
    cert: tls.cert,
    key: tls.key,
    minVersion: 'TLSv1.2' as const,
    ALPNProtocols: ['http/1.1'],
    // How often the timeouts below are enforced; Node's default (30 s) would let a slow client
    // hold a connection well past them.
    connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
    maxHeaderSize: 16 * 1024,
    // A TLS handshake that never completes is dropped too.
    handshakeTimeout: limits.headersTimeoutMs,
  };
  const server: Server = createNodeHttpsServer(options, (req, res) => {
    // Once closing, answer in-flight and late requests, then let the client reconnect elsewhere.
    if (!server.listening) res.shouldKeepAlive = false;
    // The hot path skips express's router: every pod creation in the cluster comes through here.
    if (req.method === 'POST' && isMutatePath(req.url)) void handleMutate(req, res, handlers);
    else app(req, res);
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.maxHeadersCount = 100;
  server.maxRequestsPerSocket = 0;
  return server;
}

/**
 * Stops accepting, lets in-flight requests finish and closes keep-alive connections as soon as
 * they are idle. Resolves when every connection is gone, or after `graceMs` by force.
 */
export function closeGracefully(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const idleSweep = setInterval(() => server.closeIdleConnections(), 50);
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearInterval(idleSweep);
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}
