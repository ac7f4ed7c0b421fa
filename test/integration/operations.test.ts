import { spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCerts, serviceNames, type GeneratedCerts } from '../../src/tls/generate.js';
import { ROOT, makePod, makeReview } from '../helpers/pods.js';
import { SERVICE_NAME, startTestServer, testCerts, type TestServer } from '../helpers/server.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const REVIEW = JSON.stringify(makeReview(makePod()));

interface Shot {
  ok: boolean;
  fingerprint?: string;
  error?: string;
}

/**
 * One POST /mutate; reports the certificate the server presented on this connection. With
 * `slowMs`, the body is uploaded in two parts that far apart, like a slow client.
 */
function shoot(port: number, ca: string, agent: Agent | false, body = REVIEW, slowMs = 0): Promise<Shot> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/mutate',
        ca,
        servername: SERVICE_NAME,
        agent,
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        const fingerprint = (res.socket as import('node:tls').TLSSocket).getPeerCertificate?.()?.fingerprint256;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const ok = res.statusCode === 200 && JSON.parse(Buffer.concat(chunks).toString()).response?.allowed === true;
          resolve({ ok, fingerprint, error: ok ? undefined : `status ${res.statusCode}` });
        });
        res.on('error', (error) => resolve({ ok: false, error: error.message }));
      },
    );
    req.on('error', (error) => resolve({ ok: false, error: error.message }));
    if (slowMs === 0) req.end(body);
    else {
      req.write(body.slice(0, 100));
      setTimeout(() => req.end(body.slice(100)), slowMs);
    }
  });
}

/** Requests back to back from `workers` loops until `stop()`: fresh connections and keep-alive ones. */
function steadyLoad(port: number, ca: string, workers = 4): { stop: () => Promise<Shot[]> } {
  let running = true;
  const shots: Shot[] = [];
  const keepAlive = new Agent({ keepAlive: true, ca, servername: SERVICE_NAME, maxSockets: 2 });
  const loops = Array.from({ length: workers }, async (_, index) => {
    while (running) shots.push(await shoot(port, ca, index % 2 === 0 ? false : keepAlive));
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      keepAlive.destroy();
      return shots;
    },
  };
}

const fingerprintOf = (pem: string): string => new X509Certificate(pem).fingerprint256;

/** A mounted Secret: files are symlinks into ..data, which is swapped atomically. */
function writeSecretVolume(dir: string, certs: { cert: string; key: string }, generation: number): void {
  const data = join(dir, `..gen_${generation}`);
  mkdirSync(data);
  writeFileSync(join(data, 'tls.crt'), certs.cert);
  writeFileSync(join(data, 'tls.key'), certs.key);
  symlinkSync(`..gen_${generation}`, join(dir, '..data_tmp'));
  renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
}

describe('certificate hot reload', () => {
  let server: TestServer;
  let secretDir: string;
  let first: GeneratedCerts;
  let second: GeneratedCerts;

  beforeAll(async () => {
    first = await testCerts();
    // The same CA signs the rotated certificate, as cert-manager does on renewal.
    second = await generateCerts({
      dnsNames: serviceNames('sidecar-injector', 'sidecar-injector'),
      ca: { cert: first.caCert, key: first.caKey },
    });
    secretDir = mkdtempSync(join(tmpdir(), 'secret-'));
    writeSecretVolume(secretDir, first, 1);
    symlinkSync('..data/tls.crt', join(secretDir, 'tls.crt'));
    symlinkSync('..data/tls.key', join(secretDir, 'tls.key'));
    server = await startTestServer({
      TLS_CERT_FILE: join(secretDir, 'tls.crt'),
      TLS_KEY_FILE: join(secretDir, 'tls.key'),
      RELOAD_INTERVAL: '0.2',
    });
  });

  afterAll(async () => {
    server.agent.destroy();
    await server.service.shutdown();
  });

  it('serves the new certificate after an atomic ..data swap, with zero failed requests under load', async () => {
    const load = steadyLoad(server.service.port, first.caCert);
    await sleep(300);
    writeSecretVolume(secretDir, second, 2);
    const deadline = Date.now() + 5000;
    let served = '';
    while (Date.now() < deadline && served !== fingerprintOf(second.cert)) {
      served = (await shoot(server.service.port, first.caCert, false)).fingerprint ?? '';
      await sleep(50);
    }
    await sleep(300);
    const shots = await load.stop();
    expect(served).toBe(fingerprintOf(second.cert));
    expect(shots.length).toBeGreaterThan(20);
    expect(shots.filter((s) => !s.ok)).toEqual([]);
    expect(new Set(shots.map((s) => s.fingerprint))).toEqual(
      new Set([fingerprintOf(first.cert), fingerprintOf(second.cert)]),
    );
  });

  it('keeps the current certificate when the new pair is broken, and counts the failure', async () => {
    const current = fingerprintOf(second.cert);
    writeSecretVolume(secretDir, { cert: first.cert, key: second.key }, 3);
    await server.service.reloadNow();
    writeSecretVolume(secretDir, { cert: 'not a certificate', key: 'nor a key' }, 4);
    await server.service.reloadNow();
    expect((await shoot(server.service.port, first.caCert, false)).fingerprint).toBe(current);
    const metrics = await fetch(`http://127.0.0.1:${server.service.metricsPort}/metrics`).then((r) => r.text());
    // Two broken pairs, each retried on every tick until fixed: at least two failures.
    expect(metrics).toMatch(/sidecar_injector_reloads_total\{kind="certificate",result="failure"\} ([2-9]|\d\d+)\n/);
    expect(metrics).toMatch(/sidecar_injector_reloads_total\{kind="certificate",result="success"\} 1/);
    expect(server.logs.some((l) => l.includes('the private key does not match the certificate'))).toBe(true);
  });
});

describe('template hot reload', () => {
  let server: TestServer;
  let dir: string;
  interface DebugTemplates {
    templates: string[];
    sources: { file: string; sha256: string }[];
  }
  const debug = async (): Promise<DebugTemplates> =>
    (await fetch(`http://127.0.0.1:${server.service.metricsPort}/debug/templates`).then((r) =>
      r.json(),
    )) as DebugTemplates;
  const debugTemplates = async (): Promise<string[]> => (await debug()).templates;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'templates-'));
    cpSync(join(ROOT, 'templates'), dir, { recursive: true });
    server = await startTestServer({ TEMPLATES_DIR: dir, RELOAD_INTERVAL: '0.2' });
  });

  afterAll(async () => {
    server.agent.destroy();
    await server.service.shutdown();
  });

  it('keeps the last good set when any file of the new set is broken', async () => {
    writeFileSync(join(dir, 'broken.yaml'), 'name: broken\nsidecars: [{ name: Not_Valid }]\n');
    await server.service.reloadNow();
    expect(await debugTemplates()).toEqual(['config', 'logging', 'metrics', 'proxy', 'secrets']);
    expect((await server.post('/mutate', REVIEW)).json().response.patchType).toBe('JSONPatch');
    expect(
      server.logs.some(
        (l) => l.includes('template reload failed; keeping the last good set') && l.includes('broken.yaml'),
      ),
    ).toBe(true);
  });

  it('swaps in a valid new set in one step and lists its source hashes', async () => {
    const setHash = async (): Promise<string | undefined> =>
      /^sidecar_injector_template_set_info\{hash="([0-9a-f]{64})"\} 1$/m.exec(
        await fetch(`http://127.0.0.1:${server.service.metricsPort}/metrics`).then((r) => r.text()),
      )?.[1];
    const before = await setHash();
    writeFileSync(join(dir, 'broken.yaml'), 'name: extra\nsidecars: [{ name: sidecar-extra, image: busybox }]\n');
    await server.service.reloadNow();
    expect(await debugTemplates()).toEqual(['config', 'extra', 'logging', 'metrics', 'proxy', 'secrets']);
    expect((await debug()).sources.find((s) => s.file === 'broken.yaml')?.sha256).toMatch(/^[0-9a-f]{64}$/);
    const metrics = await fetch(`http://127.0.0.1:${server.service.metricsPort}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/sidecar_injector_reloads_total\{kind="templates",result="failure"\} [1-9]\d*\n/);
    expect(before).toMatch(/^[0-9a-f]{64}$/);
    expect(await setHash()).not.toBe(before);
    expect(metrics).toMatch(/sidecar_injector_reloads_total\{kind="templates",result="success"\} 1/);
  });
});

describe('metrics after traffic', () => {
  it('exposes the request, skip, duration, expiry and process metrics with bounded labels', async () => {
    const server = await startTestServer();
    await server.post('/mutate', REVIEW);
    await server.post('/mutate', makeReview(makePod({ annotations: { 'sidecar.inject': 'false' } })));
    await server.post('/mutate', makeReview(makePod({ annotations: { 'sidecar.inject/templates': 'nope' } })));
    await server.post('/mutate', '{');
    const text = await fetch(`http://127.0.0.1:${server.service.metricsPort}/metrics`).then((r) => r.text());
    expect(text).toContain('sidecar_injector_requests_total{result="inject",dry_run="false"} 1');
    expect(text).toContain('sidecar_injector_requests_total{result="skip",dry_run="false"} 1');
    expect(text).toContain('sidecar_injector_requests_total{result="deny",dry_run="false"} 1');
    expect(text).toContain('sidecar_injector_requests_total{result="error",dry_run="false"} 1');
    expect(text).toContain('sidecar_injector_skips_total{reason="pod_opted_out"} 1');
    expect(text).toContain('sidecar_injector_request_duration_seconds_bucket{le="0.0005",result="inject"}');
    expect(text).toContain('sidecar_injector_request_duration_seconds_bucket{le="10",result="inject"} 1');
    // One prefix, and never a name istiod exports.
    const names = [...text.matchAll(/^# TYPE (\S+)/gm)]
      .map((m) => m[1])
      .filter((n) => !/^(process|nodejs)_/.test(n ?? ''));
    expect(names.every((n) => n?.startsWith('sidecar_injector_'))).toBe(true);
    expect(text).not.toContain('sidecar_injection_');
    expect(text).toMatch(/sidecar_injector_certificate_expiry_timestamp_seconds \d{10}/);
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).not.toContain('name="app"');
    server.agent.destroy();
    await server.service.shutdown();
  });
});

describe('graceful shutdown of the real process', () => {
  async function startProcess(env: Record<string, string>): Promise<{ child: ChildProcess; port: number; ca: string }> {
    const server = await startTestServer();
    // Reuse the scratch dir (certs, labels file) of an in-process server, then stop it.
    const ca = server.certs.caCert;
    const dir = server.dir;
    server.agent.destroy();
    await server.service.shutdown();
    const child = spawn(process.execPath, [join(ROOT, 'dist/cli/main.js'), 'serve'], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: '0',
        METRICS_PORT: '0',
        TLS_CERT_FILE: join(dir, 'certs/tls.crt'),
        TLS_KEY_FILE: join(dir, 'certs/tls.key'),
        NAMESPACE_LABELS_FILE: join(dir, 'namespace-labels.yaml'),
        NATIVE_SIDECARS: 'false',
        LOG_LEVEL: 'info',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /"port":(\d+).*"msg":"serving"/.exec(out);
        if (match) resolve(Number(match[1]));
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    return { child, port, ca };
  }

  const exitOf = (child: ChildProcess): Promise<number | null> =>
    new Promise((resolve) => child.on('exit', (code) => resolve(code)));

  it('on SIGTERM turns not-ready at once, keeps serving through the delay, finishes in-flight requests and exits 0', async () => {
    const { child, port, ca } = await startProcess({ SHUTDOWN_DELAY: '3' });
    const exited = exitOf(child);
    const load = steadyLoad(port, ca, 4);
    await sleep(300);
    child.kill('SIGTERM');
    await sleep(100);
    const readyz = await new Promise<number>((resolve) =>
      request({ host: '127.0.0.1', port, path: '/readyz', ca, servername: SERVICE_NAME, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).end(),
    );
    // A slow request still being uploaded when the server stops accepting (after the 3 s delay).
    const slow = shoot(port, ca, false, REVIEW, 3500);
    await sleep(1000);
    const shots = await load.stop();
    expect(readyz).toBe(503);
    expect(shots.length).toBeGreaterThan(10);
    expect(shots.filter((s) => !s.ok)).toEqual([]);
    expect((await slow).ok).toBe(true);
    expect(await exited).toBe(0);
  });

  it('exits at once on a second signal', async () => {
    const { child } = await startProcess({ SHUTDOWN_DELAY: '30' });
    const exited = exitOf(child);
    const started = Date.now();
    child.kill('SIGTERM');
    await sleep(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(1);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
