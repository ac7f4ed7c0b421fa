import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Server } from 'node:https';
import type { Socket } from 'node:net';

/**
 * A cap on open connections that never locks the API server out.
 *
 * Without one, ~20,000 idle TLS connections from any pod exhausted the process's file descriptors
 * and memory: new connections, the API server's included, were reset. Node's own
 * `server.maxConnections` refuses the newest connection at the cap, which is exactly the one the
 * API server is opening; so at the cap we close an older connection instead, in this order:
 *   1. `fresh`: accepted but no complete request yet (in TLS handshake, or silent), oldest first.
 *      A flood of silent sockets only ever evicts itself.
 *   2. `idle`: between requests, least recently used first. The API server's pooled connections
 *      carry traffic, so they are the most recently used.
 *   3. `busy`: a request in progress, the longest-running first: a client trickling a body for the
 *      full request timeout, not a review answered in milliseconds.
 * Fresh connections are also closed sooner than idle ones by Node itself: `headersTimeout` runs
 * from the accept (10 s), `keepAliveTimeout` (120 s) only after a complete request.
 *
 * One source address holds at most `perSource` of them; its next connection is closed at once
 * (`new`), before a TLS handshake is spent on it. Evicting at the global cap costs a handshake
 * per new connection, so a single pod reconnecting thousands of sockets a second kept the kernel's
 * listen queue full and the API server's new connections were dropped with it; refused for
 * nothing, such a flood drains as fast as it arrives and leaves the other sources their room.
 */

/** The state of the connection closed: one of ours, or `new` (its source was at its share). */
export type ConnectionState = 'fresh' | 'idle' | 'busy' | 'new';
type OpenState = Exclude<ConnectionState, 'new'>;

export interface ConnectionCap {
  /** Connections open now, by state. */
  counts(): Record<OpenState, number>;
}

export interface CapLimits {
  max: number;
  perSource: number;
}

/** Tracks every accepted TCP connection of `server` and closes one at the cap (see above). */
export function capConnections(
  server: Server | HttpServer,
  limits: CapLimits,
  onEvicted: (state: ConnectionState) => void = () => undefined,
): ConnectionCap {
  // Sets iterate in insertion order: re-inserting on each move keeps the oldest first.
  const sets: Record<OpenState, Set<Socket>> = { fresh: new Set(), idle: new Set(), busy: new Set() };
  const move = (socket: Socket, to: OpenState | undefined): void => {
    for (const set of Object.values(sets)) set.delete(socket);
    if (to !== undefined && !socket.destroyed) sets[to].add(socket);
  };
  const open = (): number => sets.fresh.size + sets.idle.size + sets.busy.size;
  const sources = sourceCounter();
  server.on('connection', (socket: Socket) => {
    const source = socket.remoteAddress ?? '';
    if (!sources.take(source, limits.perSource)) {
      socket.destroy();
      return onEvicted('new');
    }
    socket.once('close', () => (move(socket, undefined), sources.give(source)));
    if (open() >= limits.max) evictOne(sets, onEvicted);
    sets.fresh.add(socket);
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const socket = tcpSocketOf(req.socket);
    move(socket, 'busy');
    res.once('close', () => {
      if (sets.busy.has(socket)) move(socket, 'idle');
    });
  });
  return { counts: () => ({ fresh: sets.fresh.size, idle: sets.idle.size, busy: sets.busy.size }) };
}

/** Open connections per source address. */
function sourceCounter(): { take(source: string, limit: number): boolean; give(source: string): void } {
  const counts = new Map<string, number>();
  return {
    take(source, limit) {
      const held = counts.get(source) ?? 0;
      if (held >= limit) return false;
      counts.set(source, held + 1);
      return true;
    },
    give(source) {
      const held = (counts.get(source) ?? 1) - 1;
      if (held > 0) counts.set(source, held);
      else counts.delete(source);
    },
  };
}

function evictOne(sets: Record<OpenState, Set<Socket>>, onEvicted: (state: ConnectionState) => void): void {
  for (const state of ['fresh', 'idle', 'busy'] as const) {
    const oldest = sets[state].values().next();
    if (oldest.done) continue;
    sets[state].delete(oldest.value);
    oldest.value.destroy();
    onEvicted(state);
    return;
  }
}

/**
 * The TCP socket under a request's TLS socket: 'connection' gives the TCP socket (so handshakes
 * in progress count), 'request' the TLS socket wrapping it, which keeps it as `_parent`. A plain
 * HTTP server's request socket is the TCP socket itself.
 */
function tcpSocketOf(socket: Socket): Socket {
  return (socket as Socket & { _parent?: Socket })._parent ?? socket;
}
