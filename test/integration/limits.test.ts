import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpsServer, DEFAULT_LIMITS, type Routes } from '../../src/http/server.js';
import { SERVICE_NAME, testCerts } from '../helpers/server.js';
import type { Server } from 'node:https';

/** Slow clients cannot hold connections: run with tight limits so the test takes a second. */
const routes: Routes = {
  mutate: (req, res) => {
    req.resume();
    req.on('end', () => res.end('{}'));
  },
  notReady: () => [],
};
let server: Server;
let port: number;
let ca: string;

beforeAll(async () => {
  const certs = await testCerts();
  ca = certs.caCert;
  server = createHttpsServer(routes, certs, { ...DEFAULT_LIMITS, headersTimeoutMs: 300, requestTimeoutMs: 600 });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

/** Opens a TLS connection, writes `text`, and resolves with what the server sent before closing. */
async function slowClient(text: string): Promise<{ reply: string; ms: number }> {
  const started = Date.now();
  const socket = connect({ host: '127.0.0.1', port, ca, servername: SERVICE_NAME });
  await once(socket, 'secureConnect');
  socket.write(text);
  let reply = '';
  socket.on('data', (chunk: Buffer) => (reply += chunk.toString()));
  await once(socket, 'close');
  return { reply, ms: Date.now() - started };
}

describe('limits', () => {
  it('drops a client that never finishes its headers', async () => {
    const { reply, ms } = await slowClient('POST /mutate HTTP/1.1\r\nHost: x\r\nContent-Type: applica');
    expect(reply === '' || reply.startsWith('HTTP/1.1 408')).toBe(true);
    expect(ms).toBeLessThan(5000);
  });

  it('drops a client that never finishes its body', async () => {
    const { reply, ms } = await slowClient(
      'POST /mutate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"a":',
    );
    expect(reply === '' || reply.startsWith('HTTP/1.1 408')).toBe(true);
    expect(ms).toBeLessThan(5000);
  });

  it('refuses oversized headers', async () => {
    const { reply } = await slowClient(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(reply).toMatch(/^HTTP\/1.1 431/);
  });

  it('still serves a well-behaved client', async () => {
    const { reply } = await slowClient('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(reply).toMatch(/^HTTP\/1.1 200/);
  });
});
