import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { GeneratedCerts } from '../../src/tls/generate.js';

/**
 * A small Kubernetes API server for namespaces: list, watch (newline-delimited JSON events),
 * get, and /version. Enough for the informer wiring to be tested for real over HTTPS.
 */
export class FakeApiServer {
  readonly namespaces = new Map<string, Record<string, string>>();
  /** Namespaces only a GET finds: created after the list, before their watch event. */
  readonly hidden = new Map<string, Record<string, string>>();
  readonly requests: string[] = [];
  watchConnections = 0;
  getFails = false;
  private resourceVersion = 100;
  private watchers = new Set<ServerResponse>();
  private releaseList: (() => void) | undefined;
  private listGate: Promise<void> = Promise.resolve();
  private server: Server;

  constructor(certs: GeneratedCerts) {
    this.server = createServer({ cert: certs.cert, key: certs.key }, (req, res) => {
      const url = new URL(req.url ?? '/', 'https://localhost');
      this.requests.push(`${req.method} ${url.pathname}${url.search}`);
      if (url.pathname === '/version') return json(res, 200, { major: '1', minor: '33', gitVersion: 'v1.33.1' });
      if (url.pathname === '/api/v1/namespaces' && url.searchParams.get('watch') === 'true') return this.watch(res);
      if (url.pathname === '/api/v1/namespaces') {
        void this.listGate.then(() => json(res, 200, this.list()));
        return;
      }
      const name = /^\/api\/v1\/namespaces\/([^/]+)$/.exec(url.pathname)?.[1];
      if (name && this.getFails) return json(res, 500, { kind: 'Status', code: 500, message: 'etcd is down' });
      const labels = name ? (this.namespaces.get(name) ?? this.hidden.get(name)) : undefined;
      if (name && labels) return json(res, 200, namespace(name, labels, this.resourceVersion));
      json(res, 404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 });
    });
  }

  async start(): Promise<number> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return (this.server.address() as AddressInfo).port;
  }

  /** Holds every list request until `releaseLists()`, to observe readiness before the first sync. */
  holdLists(): void {
    this.listGate = new Promise((resolve) => {
      this.releaseList = resolve;
    });
  }

  releaseLists(): void {
    this.releaseList?.();
  }

  /** Sends ADDED or MODIFIED to every open watch. */
  emit(type: 'ADDED' | 'MODIFIED' | 'DELETED', name: string, labels: Record<string, string>): void {
    this.resourceVersion += 1;
    if (type === 'DELETED') this.namespaces.delete(name);
    else this.namespaces.set(name, labels);
    const line = `${JSON.stringify({ type, object: namespace(name, labels, this.resourceVersion) })}\n`;
    for (const watcher of this.watchers) watcher.write(line);
  }

  /** Cuts every open watch connection, as a dropped TCP connection would. */
  dropWatches(): void {
    for (const watcher of this.watchers) watcher.socket?.destroy();
    this.watchers.clear();
  }

  writeKubeconfig(dir: string, port: number, certs: GeneratedCerts): string {
    const file = join(dir, 'kubeconfig.yaml');
    const ca = Buffer.from(certs.caCert).toString('base64');
    writeFileSync(
      file,
      [
        'apiVersion: v1',
        'kind: Config',
        `clusters: [{name: fake, cluster: {server: "https://127.0.0.1:${port}", certificate-authority-data: "${ca}"}}]`,
        'users: [{name: tester, user: {token: "test-token"}}]',
        'contexts: [{name: fake, context: {cluster: fake, user: tester}}]',
        'current-context: fake',
      ].join('\n'),
    );
    return file;
  }

  async stop(): Promise<void> {
    this.dropWatches();
    this.server.closeAllConnections();
    this.server.close();
  }

  private list(): unknown {
    return {
      kind: 'NamespaceList',
      apiVersion: 'v1',
      metadata: { resourceVersion: String(this.resourceVersion) },
      items: [...this.namespaces].map(([name, labels]) => namespace(name, labels, this.resourceVersion)),
    };
  }

  private watch(res: ServerResponse): void {
    this.watchConnections += 1;
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    this.watchers.add(res);
    res.on('close', () => this.watchers.delete(res));
  }
}

function namespace(name: string, labels: Record<string, string>, resourceVersion: number): unknown {
  return {
    kind: 'Namespace',
    apiVersion: 'v1',
    metadata: {
      name,
      resourceVersion: String(resourceVersion),
      labels: { 'kubernetes.io/metadata.name': name, ...labels },
    },
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
