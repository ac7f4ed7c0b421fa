import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';
import { certsCommand } from './pki.js';

import { APPENDED, INSERT_FRONT } from '../e2e/scenarios/availability.js';

type Review = {
  request?: {
    uid?: string;
    object?: {
      metadata?: { annotations?: Record<string, string> };
      spec?: { initContainers?: Array<{ name: string }> };
    };
  };
};

/**
 * Adds one init container unless it is there already (so a reinvocation changes nothing): at the
 * end, or at the front when the pod is annotated with INSERT_FRONT, as injectors that want
 * their init container to run first do.
 */
function answer(review: Review): unknown {
  const uid = review.request?.uid ?? '';
  const init = review.request?.object?.spec?.initContainers;
  const front = review.request?.object?.metadata?.annotations?.[INSERT_FRONT] === 'true';
  const container = { name: APPENDED, image: 'registry.k8s.io/pause:3.10' };
  const patch = init?.some((c) => c.name === APPENDED)
    ? []
    : init
      ? [{ op: 'add', path: `/spec/initContainers/${front ? '0' : '-'}`, value: container }]
      : [{ op: 'add', path: '/spec/initContainers', value: [container] }];
  const response = {
    uid,
    allowed: true,
    patchType: 'JSONPatch',
    patch: Buffer.from(JSON.stringify(patch)).toString('base64'),
  };
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response };
}

/**
 * A second mutating webhook for the reinvocation scenario, served over HTTPS on 127.0.0.1 with a
 * certificate made for the run. It counts its calls so a test can see reinvocation happen.
 */
export async function startAppendWebhook(
  dir: string,
): Promise<{ url: string; caBundle: string; calls: () => number; close: () => Promise<void> }> {
  await certsCommand(dir);
  let calls = 0;
  const server: Server = createServer(
    { cert: readFileSync(join(dir, 'tls.crt')), key: readFileSync(join(dir, 'tls.key')) },
    (req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        calls += 1;
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify(answer(JSON.parse(body) as Review)));
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `https://127.0.0.1:${port}/append`,
    caBundle: readFileSync(join(dir, 'ca.crt')).toString('base64'),
    calls: () => calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
