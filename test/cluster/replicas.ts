import type { ChildProcess } from 'node:child_process';
import { cpSync } from 'node:fs';
import { connect as connectTcp, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { connect as connectTls } from 'node:tls';
import { parseAllDocuments } from 'yaml';
import type { Json, Kubectl } from '../e2e/kubectl.js';
import { repositoryRoot } from '../e2e/root.js';
import { freePort, type ProcessGroup } from './processes.js';

/** `kubectl kustomize manifests/`: the default, self-managed install, with nothing generated first. */
export async function renderDefaultInstall(kubectl: Kubectl, dir: string): Promise<Json[]> {
  for (const folder of ['manifests', 'templates'])
    cpSync(join(repositoryRoot(), folder), join(dir, folder), { recursive: true });
  const text = await kubectl.ok(['kustomize', join(dir, 'manifests')]);
  return parseAllDocuments(text).map((doc) => doc.toJS() as Json);
}

/** The rendered webhook configuration, called by URL (envtest's way) and with no caBundle yet. */
export function calledAt(configuration: Json, url: string): Json {
  const webhooks = (configuration['webhooks'] as Json[]).map((webhook) => ({ ...webhook, clientConfig: { url } }));
  return { ...configuration, webhooks };
}

export interface Replica {
  name: string;
  port: number;
  child: ChildProcess;
}

/**
 * `node dist/cli/main.js serve` in TLS_MODE=self-managed standing in for one pod of the Deployment:
 * the Deployment's own environment where it applies (POD_NAME, the namespace), the injector's
 * ServiceAccount token for the cluster, and 127.0.0.1 among the certificate's names because the
 * API server dials the local proxy by address.
 */
export async function startReplica(
  processes: ProcessGroup,
  name: string,
  env: Record<string, string>,
): Promise<Replica> {
  const port = await freePort();
  const child = processes.start(
    'webhook-' + name,
    process.execPath,
    [join(repositoryRoot(), 'dist/cli/main.js'), 'serve'],
    {
      ...process.env,
      PORT: String(port),
      METRICS_PORT: String(await freePort()),
      TEMPLATES_DIR: join(repositoryRoot(), 'templates'),
      INJECTOR_NAMESPACE: 'sidecar-injector',
      POD_NAME: name,
      TLS_MODE: 'self-managed',
      TLS_EXTRA_NAMES: '127.0.0.1',
      NATIVE_SIDECARS: 'auto',
      SHUTDOWN_DELAY: '0',
      LOG_LEVEL: 'info',
      ...env,
    },
  );
  return { name, port, child };
}

/** SHA-256 fingerprint of the certificate a replica presents to a new connection now. */
export function servedFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connectTls({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.end();
    });
    socket.setTimeout(2_000, () => socket.destroy(new Error('timeout')));
    socket.on('error', reject);
  });
}

/**
 * What kube-proxy is to a Service, at layer 4: each connection goes to the next live backend, so
 * the API server's TLS handshakes reach both replicas. A backend that refuses is skipped.
 */
export async function roundRobinProxy(): Promise<{ port: number; backends: number[]; close(): Promise<void> }> {
  const backends: number[] = [];
  const sockets = new Set<Socket>();
  let next = 0;
  const dial = (client: Socket, tries: number): void => {
    const port = backends[next++ % Math.max(1, backends.length)];
    if (port === undefined || tries <= 0) return void client.destroy();
    let connected = false;
    const upstream = connectTcp({ host: '127.0.0.1', port });
    upstream.once('connect', () => {
      connected = true;
      client.pipe(upstream).pipe(client);
    });
    upstream.once('error', () => (connected ? client.destroy() : dial(client, tries - 1)));
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => connected && client.destroy());
  };
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.once('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    dial(client, 4);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const close = (): Promise<void> => {
    for (const socket of sockets) socket.destroy();
    return new Promise((resolve) => server.close(() => resolve()));
  };
  return { port, backends, close };
}
