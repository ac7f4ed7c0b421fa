import { once } from 'node:events';
import { request } from 'node:https';
import { connect, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePod, makeReview } from '../helpers/pods.js';
import { SERVICE_NAME, startTestServer, type TestServer } from '../helpers/server.js';

/**
 * An idle flood over real TLS against the real serve wiring, with MAX_CONNECTIONS set low so a
 * few thousand sockets (client and server share this process's descriptor limit) are far beyond
 * the cap. FLOOD_SOCKETS raises the count for a run by hand.
 */
const CAP = 50;
const FLOOD = Number(process.env['FLOOD_SOCKETS'] ?? 1_000);

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ MAX_CONNECTIONS: String(CAP) });
});
afterAll(async () => {
  server.agent.destroy();
  await server.service.shutdown();
});

/** A TLS connection that completes its handshake and then sends nothing. */
async function silentSocket(port: number): Promise<TLSSocket> {
  const socket = connect({ host: '127.0.0.1', port, ca: server.certs.caCert, servername: SERVICE_NAME });
  socket.on('error', () => undefined); // evicted: reset by the server
  await Promise.race([once(socket, 'secureConnect'), once(socket, 'close')]);
  return socket;
}

async function flood(count: number): Promise<TLSSocket[]> {
  const sockets: TLSSocket[] = [];
  for (let i = 0; i < count; i += 100)
    sockets.push(
      ...(await Promise.all(Array.from({ length: Math.min(100, count - i) }, () => silentSocket(server.service.port)))),
    );
  return sockets;
}

/** POST a well-formed review on the agent's pooled connection; reports whether it was reused. */
function review(uid: string): Promise<{ status: number; uid: string; reused: boolean }> {
  const body = JSON.stringify(makeReview(makePod(), { uid }));
  return new Promise((resolve, reject) => {
    const headers = { 'content-type': 'application/json' };
    const options = {
      host: '127.0.0.1',
      port: server.service.port,
      method: 'POST',
      path: '/mutate',
      agent: server.agent,
      headers,
    };
    const req = request(options, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => {
        const answer = JSON.parse(text) as { response: { uid: string } };
        resolve({ status: res.statusCode ?? 0, uid: answer.response.uid, reused: req.reusedSocket });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

function healthzOnNewConnection(): Promise<number> {
  return new Promise((resolve, reject) => {
    const options = { host: '127.0.0.1', port: server.service.port, path: '/healthz', agent: false as const };
    const req = request({ ...options, ca: server.certs.caCert, servername: SERVICE_NAME }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe(`MAX_CONNECTIONS (${CAP}) under a flood of ${FLOOD} idle TLS connections`, () => {
  it('keeps answering well-formed reviews on the pooled connection, and /healthz on a new one', async () => {
    expect(await review('before')).toMatchObject({ status: 200, uid: 'before' });
    const sockets = await flood(FLOOD);
    try {
      // The pooled connection was used more recently than any silent socket: never the one closed.
      expect(await review('during')).toEqual({ status: 200, uid: 'during', reused: true });
      expect(await healthzOnNewConnection()).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 200)); // the resets reach the clients
      const stillOpen = sockets.filter((s) => !s.destroyed && s.readyState === 'open').length;
      expect(stillOpen).toBeLessThanOrEqual(CAP);
      const evicted = await server.service.metrics.evictions.get();
      const fresh = evicted.values.find((v) => v.labels.state === 'fresh')?.value ?? 0;
      expect(fresh).toBeGreaterThanOrEqual(FLOOD - CAP);
    } finally {
      sockets.forEach((s) => s.destroy());
    }
  }, 120_000);
});
