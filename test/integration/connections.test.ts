import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { capConnections, type ConnectionCap, type ConnectionState } from '../../src/http/connections.js';

/** Plain HTTP: the order in which the cap closes connections does not depend on TLS. */
let server: Server;
let cap: ConnectionCap;
const evicted: ConnectionState[] = [];
const held: (() => void)[] = [];
let accepted = 0;

async function start(max: number, perSource = Number.MAX_SAFE_INTEGER): Promise<number> {
  evicted.length = 0;
  server = createServer((req, res) => {
    // /hold keeps the request in progress until the test lets it go.
    if (req.url === '/hold') held.push(() => res.end('done'));
    else res.end('ok');
  });
  server.keepAliveTimeout = 60_000;
  cap = capConnections(server, { max, perSource }, (state) => evicted.push(state));
  server.on('connection', () => accepted++);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

afterEach(() => {
  held.splice(0).forEach((release) => release());
  server.closeAllConnections();
  server.close();
});

async function open(port: number, localAddress = '127.0.0.1'): Promise<Socket> {
  const before = accepted;
  const socket = connect({ port, host: '127.0.0.1', localAddress });
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  await until(() => accepted > before);
  return socket;
}

/** Sends a request; resolves when the answer arrives (or at once for /hold). */
async function send(socket: Socket, path: string): Promise<void> {
  const holding = held.length;
  socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
  if (path === '/hold') await until(() => held.length > holding);
  else await once(socket, 'data');
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

async function closed(socket: Socket): Promise<boolean> {
  await until(() => socket.destroyed || socket.readableEnded);
  return socket.destroyed || socket.readableEnded;
}

describe('capConnections: at the cap an older connection makes room for the new one', () => {
  it('closes the oldest connection that never sent a request first, never the served idle one', async () => {
    const port = await start(3);
    const served = await open(port);
    await send(served, '/');
    const silent1 = await open(port);
    const silent2 = await open(port);
    await until(() => cap.counts().fresh === 2);
    await open(port);
    expect(await closed(silent1)).toBe(true);
    expect(silent2.destroyed).toBe(false);
    expect(served.destroyed).toBe(false);
    expect(evicted).toEqual(['fresh']);
  });

  it('then the least recently used idle connection, before any request in progress', async () => {
    const port = await start(3);
    const older = await open(port);
    await send(older, '/');
    const newer = await open(port);
    await send(newer, '/');
    const busy = await open(port);
    await send(busy, '/hold');
    await send(older, '/'); // used again: now the most recently used
    await open(port);
    expect(await closed(newer)).toBe(true);
    expect(older.destroyed).toBe(false);
    expect(busy.destroyed).toBe(false);
    expect(evicted).toEqual(['idle']);
  });

  it('and only when every connection is busy, the longest-running request', async () => {
    const port = await start(2);
    const first = await open(port);
    await send(first, '/hold');
    const second = await open(port);
    await send(second, '/hold');
    await open(port);
    expect(await closed(first)).toBe(true);
    expect(second.destroyed).toBe(false);
    expect(evicted).toEqual(['busy']);
  });
});

describe('capConnections: one source address holds at most its share', () => {
  it('closes a source’s next connection at once, before anything is spent on it, and leaves other sources their room', async () => {
    const port = await start(10, 2);
    const first = await open(port);
    await send(first, '/');
    await open(port);
    const third = connect({ port, host: '127.0.0.1' });
    third.on('error', () => undefined);
    expect(await closed(third)).toBe(true);
    expect(evicted).toEqual(['new']);
    const elsewhere = await open(port, '127.0.0.2');
    await send(elsewhere, '/');
    expect(elsewhere.destroyed).toBe(false);
    expect(first.destroyed).toBe(false);
    expect(cap.counts()).toEqual({ fresh: 1, idle: 2, busy: 0 });
  });

  it('gives a source its room back as its connections close', async () => {
    const port = await start(10, 1);
    const only = await open(port);
    only.destroy();
    await until(() => cap.counts().fresh === 0);
    const next = await open(port);
    await send(next, '/');
    expect(next.destroyed).toBe(false);
    expect(evicted).toEqual([]);
  });
});
