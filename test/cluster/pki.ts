import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { repositoryRoot } from '../e2e/root.js';
import { runProcess } from '../e2e/kubectl.js';

/** The project's own `certs` command: a SHA-256 CA and a serving certificate (SAN localhost, 127.0.0.1). */
export async function certsCommand(out: string, args: readonly string[] = []): Promise<void> {
  const main = join(repositoryRoot(), 'dist/cli/main.js');
  const result = await runProcess(process.execPath, [main, 'certs', '--out', out, ...args], { timeoutMs: 60_000 });
  if (result.code !== 0) throw new Error(`sidecar-injector certs --out ${out}: ${result.stderr.trim()}`);
}

/** A new serving certificate signed by the CA already in `from`: a rotation the caBundle still trusts. */
export async function rotatedCerts(from: string, to: string): Promise<void> {
  mkdirSync(to, { recursive: true });
  for (const file of ['ca.crt', 'ca.key']) copyFileSync(join(from, file), join(to, file));
  await certsCommand(to, ['--reuse-ca']);
}

export interface ControlPlanePki {
  dir: string;
  caFile: string;
  token: string;
}

/**
 * Certificates and keys of one control plane: the API server's serving certificate (for
 * kubernetes.default.svc, localhost and 127.0.0.1), the service-account signing key pair, and a
 * static token of the `system:masters` group for the admin kubeconfig.
 */
export async function controlPlanePki(dir: string): Promise<ControlPlanePki> {
  mkdirSync(dir, { recursive: true });
  await certsCommand(dir, ['--service', 'kubernetes', '--namespace', 'default']);
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(join(dir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  writeFileSync(join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  const token = randomBytes(24).toString('hex');
  writeFileSync(join(dir, 'tokens.csv'), `${token},admin,admin,"system:masters"\n`, { mode: 0o600 });
  return { dir, caFile: join(dir, 'ca.crt'), token };
}

export function kubeconfig(server: string, caFile: string, token: string, user: string): string {
  const ca = readFileSync(caFile).toString('base64');
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'local', cluster: { server, 'certificate-authority-data': ca } }],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: 'local', context: { cluster: 'local', user } }],
    'current-context': 'local',
  });
}

/** GET over HTTPS trusting only `ca`: readiness probes of the API server and the webhook. */
export function httpsGet(url: string, ca: string, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers = token ? { Authorization: `Bearer ${token}` } : undefined;
    const req = request(url, { ca, headers, timeout: 5_000 }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}
