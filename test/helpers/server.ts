import { mkdtempSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { startWebhook, type RunningWebhook, type WebhookOverrides } from '../../src/cli/serve.js';
import { generateCerts, serviceNames, writeCerts, type GeneratedCerts } from '../../src/tls/generate.js';
import { ROOT } from './pods.js';

export const SERVICE_NAME = 'sidecar-injector.sidecar-injector.svc';

export interface TestServer {
  service: RunningWebhook;
  config: Config;
  certs: GeneratedCerts;
  dir: string;
  logs: string[];
  post(path: string, body: string | object, headers?: Record<string, string>): Promise<HttpReply>;
  get(path: string): Promise<HttpReply>;
  agent: Agent;
}

export interface HttpReply {
  status: number;
  body: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read reply JSON freely
  json(): any;
  headers: Record<string, string | string[] | undefined>;
}

let sharedCerts: Promise<GeneratedCerts> | undefined;

/** One CA for the whole test run: key generation is the slow part of starting a server. */
export function testCerts(): Promise<GeneratedCerts> {
  sharedCerts ??= generateCerts({
    dnsNames: [...serviceNames('sidecar-injector', 'sidecar-injector'), 'localhost'],
    ipAddresses: ['127.0.0.1'],
  });
  return sharedCerts;
}

export async function startTestServer(
  env: Record<string, string> = {},
  overrides: WebhookOverrides = {},
): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'sidecar-injector-'));
  const certs = await testCerts();
  await writeCerts(join(dir, 'certs'), certs);
  const labelsFile = join(dir, 'namespace-labels.yaml');
  writeFileSync(labelsFile, 'demo: {istio-injection: enabled}\noff: {istio-injection: disabled}\nplain: {}\n');
  // An empty NAMESPACE_LABELS_FILE in `env` means "read the cluster" (KUBECONFIG).
  const loaded = loadConfig({
    PORT: '0',
    METRICS_PORT: '0',
    TLS_CERT_FILE: join(dir, 'certs/tls.crt'),
    TLS_KEY_FILE: join(dir, 'certs/tls.key'),
    TEMPLATES_DIR: join(ROOT, 'templates'),
    NAMESPACE_LABELS_FILE: labelsFile,
    SHUTDOWN_DELAY: '0',
    NATIVE_SIDECARS: 'false',
    ...env,
  });
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const service = await startWebhook(loaded.config, createLogger('info', sink), overrides);
  const agent = new Agent({ keepAlive: true, ca: certs.caCert, servername: SERVICE_NAME, maxSockets: 16 });
  const call = (
    method: string,
    path: string,
    body?: string,
    headers: Record<string, string> = {},
  ): Promise<HttpReply> =>
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: service.port, method, path, agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: text, json: () => JSON.parse(text), headers: res.headers });
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  return {
    service,
    config: loaded.config,
    certs,
    dir,
    logs,
    agent,
    post: (path, body, headers) =>
      call('POST', path, typeof body === 'string' ? body : JSON.stringify(body), {
        'content-type': 'application/json',
        ...headers,
      }),
    get: (path) => call('GET', path),
  };
}

export async function stopTestServer(server: TestServer): Promise<void> {
  server.agent.destroy();
  await server.service.shutdown();
}

/** One server for a test file: started before its tests, stopped after them; the getter reads it. */
export function serverForFile(env: Record<string, string> = {}): () => TestServer {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startTestServer(env);
  });
  afterAll(async () => {
    if (server) await stopTestServer(server);
  });
  return () => {
    if (!server) throw new Error('the test server is not started: call it inside a test');
    return server;
  };
}
