import { mkdirSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { get } from 'node:http';
import { connect } from 'node:tls';
import { join } from 'node:path';
import { repositoryRoot } from '../e2e/root.js';
import type { WebhookControl } from '../e2e/scenarios/index.js';
import { certsCommand, httpsGet, rotatedCerts } from './pki.js';
import { freePort, waitFor, type ProcessGroup } from './processes.js';

const FILES = ['tls.crt', 'tls.key', 'ca.crt'];

/**
 * The serving certificate laid out as the kubelet mounts a Secret: <dir>/..<version>/ holds the
 * files, <dir>/..data points at the current version, <dir>/tls.crt -> ..data/tls.crt. A rotation
 * writes a new version and renames a new ..data link over the old one: one atomic swap.
 */
class SecretVolume {
  private version = 0;
  constructor(readonly dir: string) {}

  private versionDir(n: number): string {
    return join(this.dir, `..v${n}`);
  }

  async create(): Promise<void> {
    mkdirSync(this.versionDir(1), { recursive: true });
    await certsCommand(this.versionDir(1));
    this.version = 1;
    symlinkSync('..v1', join(this.dir, '..data'));
    for (const file of FILES) symlinkSync(join('..data', file), join(this.dir, file));
  }

  async rotate(): Promise<void> {
    const next = this.version + 1;
    await rotatedCerts(this.versionDir(this.version), this.versionDir(next));
    symlinkSync(`..v${next}`, join(this.dir, '..data_tmp'));
    renameSync(join(this.dir, '..data_tmp'), join(this.dir, '..data'));
    rmSync(this.versionDir(this.version), { recursive: true, force: true });
    this.version = next;
  }

  file(name: string): string {
    return join(this.dir, name);
  }
}

/** The fingerprint of the certificate a TLS server presents now. */
function servedFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.end();
    });
    socket.on('error', reject);
  });
}

/**
 * `node dist/cli/main.js serve` as a local process: the real CLI and server, namespace labels from
 * the cluster through the informer (KUBECONFIG), NATIVE_SIDECARS=auto reading the real /version.
 */
export class LocalWebhook implements WebhookControl {
  readonly port: Promise<number> = freePort();
  private readonly metricsPort: Promise<number> = freePort();
  private readonly volume: SecretVolume;

  constructor(
    private readonly processes: ProcessGroup,
    private readonly dir: string,
    private readonly kubeconfig: string,
  ) {
    this.volume = new SecretVolume(join(dir, 'tls'));
  }

  async prepare(): Promise<{ url: string; caFile: string }> {
    mkdirSync(this.volume.dir, { recursive: true });
    await this.volume.create();
    return { url: `https://127.0.0.1:${await this.port}/mutate`, caFile: this.volume.file('ca.crt') };
  }

  private settings: Readonly<Record<string, string>> = {};

  async restartWith(env: Readonly<Record<string, string>>): Promise<void> {
    await this.stop();
    this.settings = env;
    await this.start();
  }

  async start(): Promise<void> {
    const port = await this.port;
    const env = {
      ...process.env,
      PORT: String(port),
      METRICS_PORT: String(await this.metricsPort),
      TLS_CERT_FILE: this.volume.file('tls.crt'),
      TLS_KEY_FILE: this.volume.file('tls.key'),
      TEMPLATES_DIR: join(repositoryRoot(), 'templates'),
      KUBECONFIG: this.kubeconfig,
      NATIVE_SIDECARS: 'auto',
      INJECTOR_NAMESPACE: 'sidecar-injector',
      SHUTDOWN_DELAY: '0',
      RELOAD_INTERVAL: '1',
      LOG_LEVEL: 'info',
      ...this.settings,
    };
    this.processes.start('webhook', process.execPath, [join(repositoryRoot(), 'dist/cli/main.js'), 'serve'], env);
    const ca = readFileSync(this.volume.file('ca.crt'), 'utf8');
    await waitFor('the webhook /readyz', 60_000, async () => {
      if (!this.processes.isRunning('webhook')) throw new Error(`exited:\n${this.processes.tail('webhook')}`);
      return (await httpsGet(`https://127.0.0.1:${port}/readyz`, ca)).status === 200 ? true : undefined;
    });
  }

  async stop(): Promise<void> {
    await this.processes.stop('webhook');
  }

  async metrics(): Promise<string> {
    const { status, body } = await httpGet(`http://127.0.0.1:${await this.metricsPort}/metrics`);
    if (status !== 200) throw new Error(`the webhook's /metrics answered ${status}: ${body.slice(0, 200)}`);
    return body;
  }

  async rotateCertificate(): Promise<{ before: string; after: () => Promise<string> }> {
    const port = await this.port;
    const before = await servedFingerprint(port);
    await this.volume.rotate();
    return { before, after: () => servedFingerprint(port) };
  }
}

function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = get(url, { timeout: 5_000 }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}
