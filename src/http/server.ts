import { createServer as createNodeHttpsServer, type Server } from 'node:https';
import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS_PER_SOURCE, type Config } from '../config.js';
import { capConnections, type ConnectionState } from './connections.js';
import { sendJson } from './mutate.js';

/** The API server's Go transport keeps idle connections 90 s; closing first resets requests. */
export const KEEP_ALIVE_TIMEOUT_MS = 120_000;

export interface TlsMaterial {
  cert: string;
  key: string;
}

export interface Routes {
  /** POST /mutate, with the `?timeout=10s` the API server appends, and a trailing slash. */
  mutate: (req: IncomingMessage, res: ServerResponse) => void;
  /** Names what is not ready yet; empty when ready. */
  notReady: () => string[];
}

export interface ServerLimits {
  /** A client must have sent its request headers within this time. */
  headersTimeoutMs: number;
  /** A client must have sent its whole request within this time (the API server's own limit is 30 s). */
  requestTimeoutMs: number;
  /** Open connections at most; at the cap an older one is closed (connections.ts says which). */
  maxConnections: number;
  /** Open connections from one source address at most; its next one is refused at once. */
  maxConnectionsPerSource: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  maxConnections: DEFAULT_MAX_CONNECTIONS,
  maxConnectionsPerSource: DEFAULT_MAX_CONNECTIONS_PER_SOURCE,
};

/** The limits the configuration sets; the timeouts are fixed. */
export function serverLimits(config: Pick<Config, 'MAX_CONNECTIONS' | 'MAX_CONNECTIONS_PER_SOURCE'>): ServerLimits {
  return {
    ...DEFAULT_LIMITS,
    maxConnections: config.MAX_CONNECTIONS,
    maxConnectionsPerSource: config.MAX_CONNECTIONS_PER_SOURCE,
  };
}

/** Every route, registered once: /mutate, /healthz, /readyz. */
export function route(routes: Routes, req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '').split('?', 1)[0]?.replace(/(.)\/$/, '$1');
  if (req.method === 'POST' && path === '/mutate') return routes.mutate(req, res);
  req.resume();
  if (req.method === 'GET' && path === '/healthz') return sendText(res, 200, 'ok');
  if (req.method === 'GET' && path === '/readyz') {
    const missing = routes.notReady();
    return missing.length === 0 ? sendText(res, 200, 'ok') : sendText(res, 503, `not ready: ${missing.join(', ')}`);
  }
  sendJson(res, 404, JSON.stringify({ message: 'not found: POST /mutate, GET /healthz, GET /readyz' }));
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** HTTPS with HTTP/1.1 only (the API server's client never negotiates h2) and TLS 1.2+. */
export function createHttpsServer(
  routes: Routes,
  tls: TlsMaterial,
  limits = DEFAULT_LIMITS,
  onEvicted?: (state: ConnectionState) => void,
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
    route(routes, req, res);
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.maxHeadersCount = 100;
  server.maxRequestsPerSocket = 0;
  capConnections(server, { max: limits.maxConnections, perSource: limits.maxConnectionsPerSource }, onEvicted);
  return server;
}

/**
 * Stops accepting, lets in-flight requests finish and closes keep-alive connections as soon as
 * they are idle. Resolves when every connection is gone, or after `graceMs` by force.
 */
export function closeGracefully(server: Server | HttpServer, graceMs: number): Promise<void> {
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

/** One line naming the port and the cause; the process must exit. */
export class ListenError extends Error {}

/** A listener that cannot bind is fatal: a half-started process would pass its liveness probe. */
const LISTEN_BACKLOG = 4096;

export function listen(server: Server | HttpServer, port: number, variable: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const fail = (error: Error): void =>
      reject(new ListenError(`${variable}: cannot listen on port ${port}: ${error.message}`));
    server.once('error', fail);
    // Node's default backlog (511) overflows within a quarter second of a connection flood while
    // the event loop is busy; the kernel then drops SYNs of every client alike. The kernel caps
    // it at net.core.somaxconn (4096 in a pod's network namespace since Linux 5.4).
    server.listen({ port, backlog: LISTEN_BACKLOG }, () => {
      server.off('error', fail);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
