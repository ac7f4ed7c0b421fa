// The three kinds of traffic of the soak: well-formed reviews (kept-alive connections, plus one
// fresh connection a second as the API server opens them), a deep-JSON sender, and the helpers
// they share. Every function takes a `target` {port, ca, servername} and a `stats` sink.
import { Agent, request } from 'node:https';
import { performance } from 'node:perf_hooks';
import { setTimeout } from 'node:timers';

/**
 * Where the hostile clients (idle and reconnect floods, the deep-JSON sender) connect from: another
 * address than the well-formed traffic's 127.0.0.1, as a pod's address differs from the API
 * server's in a cluster. SOAK_HOSTILE_SOURCE=127.0.0.1 puts them on the same address.
 */
export const HOSTILE_SOURCE = process.env.SOAK_HOSTILE_SOURCE ?? '127.0.0.2';

/** One POST (from `localAddress`, 127.0.0.1 unless given); resolves with status, body and milliseconds, never rejects. */
export function post(target, body, agent, localAddress = '127.0.0.1') {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        localAddress,
        port: target.port,
        path: '/mutate',
        method: 'POST',
        ca: target.ca,
        servername: target.servername,
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        timeout: 10_000,
      },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString(), ms: performance.now() - started }),
        );
        res.on('error', (error) => resolve({ error, ms: performance.now() - started }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out after 10 s')));
    req.on('error', (error) => resolve({ error, ms: performance.now() - started }));
    req.end(body);
  });
}

/** Whether the answer is what a well-formed review must get: allowed, this uid, a patch. */
export function injected(answer, uid) {
  if (answer.error || answer.status !== 200) return false;
  try {
    const { response } = JSON.parse(answer.body);
    return response?.uid === uid && response.allowed === true && typeof response.patch === 'string';
  } catch {
    return false;
  }
}

/** `connections` loops of well-formed reviews on kept-alive connections until `running()` is false. */
export async function wellFormedLoad(target, review, connections, running, stats) {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const body = JSON.stringify(review);
  const loop = async () => {
    while (running()) stats.record(await post(target, body, agent), review.request.uid, 'kept-alive connection');
  };
  await Promise.all(Array.from({ length: connections }, loop));
  agent.destroy();
}

/** A review on a new TLS connection every second: how the API server reaches a webhook. */
export async function freshConnections(target, review, running, stats) {
  const body = JSON.stringify(review);
  while (running()) {
    const tick = new Promise((resolve) => setTimeout(resolve, 1000));
    stats.record(await post(target, body, false), review.request.uid, 'fresh connection');
    await tick;
  }
}

/** An AdmissionReview whose pod hides `depth` nested arrays in a field nobody reads. */
export function deepReview(review, depth) {
  const text = JSON.stringify({ ...review, request: { ...review.request, uid: 'deep-json' } });
  const at = text.lastIndexOf('}}');
  return `${text.slice(0, at)},"deep":${'['.repeat(depth)}${']'.repeat(depth)}${text.slice(at)}`;
}

/** Sends the deep body over and over from the hostile source; each answer is timed, and counted as refused or not. */
export async function deepSender(target, body, running, deep) {
  while (running()) {
    const answer = await post(target, body, false, HOSTILE_SOURCE);
    deep.sent += 1;
    if (!answer.error && answer.status !== 200) deep.refused += 1;
    else if (!answer.error && /"allowed":false/.test(answer.body)) deep.refused += 1;
    deep.latencies.push(answer.ms);
  }
}
