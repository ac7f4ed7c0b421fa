import { spawn, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { request } from 'node:https';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, applyStrictly, decodePatch, type Json } from '../helpers/pods.js';
import { SERVICE_NAME, testCerts } from '../helpers/server.js';
import { writeCerts } from '../../src/tls/generate.js';

const CLI = join(ROOT, 'dist/cli/main.js');
const REVIEW = 'test/fixtures/reviews/pod-create-enabled.json';

/** A fresh-clone-like directory: templates and the sample files, no certificates. */
function freshClone(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fresh-clone-'));
  symlinkSync(join(ROOT, 'templates'), join(dir, 'templates'));
  mkdirSync(join(dir, 'test'));
  symlinkSync(join(ROOT, 'test/fixtures'), join(dir, 'test/fixtures'));
  return dir;
}

describe('npm start on a fresh clone (serve --dev)', () => {
  it('creates SHA-256 development certificates, serves HTTPS and prints a command that shows an injected patch', async () => {
    const dir = freshClone();
    const samples = ['--namespace-labels', 'test/fixtures/namespace-labels.yaml', '--review', REVIEW];
    const child = spawn(process.execPath, [CLI, 'serve', '--dev', ...samples], {
      cwd: dir,
      env: { ...process.env, PORT: '0', METRICS_PORT: '0', NATIVE_SIDECARS: 'false', SHUTDOWN_DELAY: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.on('data', () => {
        const match = /https:\/\/localhost:(\d+)\/mutate/.exec(out);
        if (match) resolve(Number(match[1]));
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    try {
      expect(out).toContain(
        "curl -sS --cacert certs/ca.crt -H 'Content-Type: application/json' --data-binary @test/fixtures/reviews/pod-create-enabled.json",
      );
      expect(existsSync(join(dir, 'certs/tls.key'))).toBe(true);
      const leaf = new X509Certificate(readFileSync(join(dir, 'certs/tls.crt')));
      const ca = readFileSync(join(dir, 'certs/ca.crt'), 'utf8');
      expect(leaf.verify(new X509Certificate(ca).publicKey)).toBe(true);
      expect(leaf.subjectAltName).toContain(`DNS:${SERVICE_NAME}`);
      expect(leaf.subjectAltName).toContain('DNS:localhost');
      expect(leaf.subjectAltName).toContain('IP Address:127.0.0.1');
      // What the printed command does: post the sample review with the CA and decode the patch.
      const body = readFileSync(join(ROOT, 'test/fixtures/reviews/pod-create-enabled.json'), 'utf8');
      const reply = await new Promise<string>((resolve, reject) => {
        const req = request(
          {
            host: 'localhost',
            port,
            method: 'POST',
            path: '/mutate',
            ca,
            headers: { 'content-type': 'application/json' },
          },
          (res) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += c.toString()));
            res.on('end', () => resolve(text));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
      const response = (JSON.parse(reply) as Json)['response'] as Json;
      const pod = ((JSON.parse(body) as Json)['request'] as Json)['object'];
      const patched = applyStrictly(pod, decodePatch(response['patch'] as string));
      expect(((patched['spec'] as Json)['containers'] as Json[]).map((c) => c['name'])).toContain('sidecar-proxy');
    } finally {
      child.kill('SIGKILL');
    }
  });

  const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
  it.skipIf(!hasOpenssl)(
    'npm run certs makes ECDSA P-256 keys signed with SHA-256, which Node and Go accept in a chain (read with openssl)',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'certs-'));
      const result = spawnSync(process.execPath, [CLI, 'certs', '--out', dir], { encoding: 'utf8' });
      expect(result.status).toBe(0);
      const text = spawnSync('openssl', ['x509', '-noout', '-text', '-in', join(dir, 'tls.crt')], {
        encoding: 'utf8',
      }).stdout;
      expect(text.match(/Signature Algorithm: (\S+)/g)).toEqual([
        'Signature Algorithm: ecdsa-with-SHA256',
        'Signature Algorithm: ecdsa-with-SHA256',
      ]);
      expect(text).toContain('ASN1 OID: prime256v1');
      expect(text).toContain('TLS Web Server Authentication');
    },
  );
});

describe('refusing to start', () => {
  function serve(env: Record<string, string>): { status: number | null; stderr: string } {
    const result = spawnSync(process.execPath, [CLI, 'serve'], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 20_000,
    });
    return { status: result.status, stderr: result.stderr };
  }

  it('exits 1 listing every configuration problem with its variable', () => {
    const { status, stderr } = serve({ PORT: 'x', LOG_LEVEL: 'loud' });
    expect(status).toBe(1);
    expect(stderr).toMatch(/invalid configuration\n {2}PORT: .*\n {2}LOG_LEVEL: /);
  });

  it('exits 1 naming the template file and field when a template is broken', async () => {
    const templates = mkdtempSync(join(tmpdir(), 'templates-'));
    await writeCerts(join(templates, 'certs'), await testCerts());
    cpSync(join(ROOT, 'templates'), templates, { recursive: true });
    writeFileSync(
      join(templates, 'proxy.yaml'),
      'name: proxy\nsidecars:\n  - name: proxy\n    image: envoy\n    ports: [{ containerPort: "15001" }]\n',
    );
    const labels = join(templates, 'labels.json');
    writeFileSync(labels, '{}');
    const { status, stderr } = serve({
      TEMPLATES_DIR: templates,
      NAMESPACE_LABELS_FILE: labels,
      TLS_CERT_FILE: join(templates, 'certs/tls.crt'),
      TLS_KEY_FILE: join(templates, 'certs/tls.key'),
      PORT: '0',
      METRICS_PORT: '0',
    });
    expect(status).toBe(1);
    expect(stderr).toContain('template proxy.yaml: sidecars[0]: ports.0.containerPort must be integer');
  });

  it('exits 1 when the certificate files are missing, outside dev mode', () => {
    const { status, stderr } = serve({
      TLS_CERT_FILE: '/nonexistent/tls.crt',
      NAMESPACE_LABELS_FILE: join(ROOT, 'test/fixtures/namespace-labels.yaml'),
    });
    expect(status).toBe(1);
    expect(stderr).toContain('TLS: ENOENT');
  });
});

describe('a listener that cannot bind', () => {
  it('a taken metrics port makes serve exit 1 with one line naming the port and the cause', async () => {
    const taken = createNetServer().listen(0, '0.0.0.0');
    await once(taken, 'listening');
    const port = (taken.address() as AddressInfo).port;
    const certs = mkdtempSync(join(tmpdir(), 'certs-'));
    await writeCerts(certs, await testCerts());
    try {
      const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [CLI, 'serve'], {
          cwd: ROOT,
          env: {
            ...process.env,
            PORT: '0',
            METRICS_PORT: String(port),
            TLS_CERT_FILE: join(certs, 'tls.crt'),
            TLS_KEY_FILE: join(certs, 'tls.key'),
            NAMESPACE_LABELS_FILE: join(ROOT, 'test/fixtures/namespace-labels.yaml'),
            NATIVE_SIDECARS: 'false',
          },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        child.on('exit', (code) => {
          clearTimeout(timer);
          resolve({ code, stderr });
        });
      });
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(
          new RegExp(`^sidecar-injector: cannot start: METRICS_PORT: cannot listen on port ${port}: .*EADDRINUSE`),
        ),
      ]);
    } finally {
      taken.close();
    }
  });
});
