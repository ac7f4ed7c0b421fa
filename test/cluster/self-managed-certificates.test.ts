import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Json } from '../e2e/kubectl.js';
import { ensureBinaries, unavailableBecause } from './binaries.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import { applyInstall, serviceAccountKubeconfig } from './install.js';
import { ProcessGroup, waitFor } from './processes.js';
import { calledAt, renderDefaultInstall, roundRobinProxy, startReplica, type Replica } from './replicas.js';
import { caRotationSummary, podLoad, rotationTimeline } from './rotation-timeline.js';

const why = unavailableBecause();
if (why) console.log(`SKIP self-managed certificates (test/cluster): ${why}`);

/**
 * Forced short lifetimes: the serving certificate renews every ~14 s, the CA rotates ~34 s after
 * it was made; the Lease expires 3 s after its holder stops renewing.
 */
const LIFETIMES = { TLS_CERT_LIFETIME: '24', TLS_CA_LIFETIME: '60', TLS_LEASE_DURATION: '3' };

describe.skipIf(why !== undefined)('self-managed certificates: two replicas on a real kube-apiserver', () => {
  let dir = '';
  let processes: ProcessGroup;
  let plane: ControlPlane;
  let proxy: Awaited<ReturnType<typeof roundRobinProxy>>;
  let replicas: Replica[] = [];
  let timeline: ReturnType<typeof rotationTimeline>;
  const say = (line: string): void => console.log(`self-managed: ${line}`);
  const events = (what: string): number => timeline.events.filter((e) => e.what.startsWith(what)).length;

  beforeAll(async () => {
    const binaries = await ensureBinaries(say);
    dir = mkdtempSync(join(tmpdir(), 'sidecar-injector-self-managed-'));
    mkdirSync(join(dir, 'logs'));
    processes = new ProcessGroup(join(dir, 'logs'));
    plane = await startControlPlane(binaries, dir, processes);
    const objects = await renderDefaultInstall(plane.kubectl, join(dir, 'install'));
    const { configuration } = await applyInstall(plane.kubectl, objects);
    const kubeconfig = join(dir, 'webhook.kubeconfig');
    await serviceAccountKubeconfig(plane.kubectl, plane.server, plane.caFile, kubeconfig);
    proxy = await roundRobinProxy();
    await plane.kubectl.submit(['apply'], calledAt(configuration, `https://127.0.0.1:${proxy.port}/mutate`));
    await plane.kubectl.ok(['create', 'namespace', 'shop']);
    await plane.kubectl.ok(['label', 'namespace', 'shop', 'istio-injection=enabled']);
    const env = { KUBECONFIG: kubeconfig, ...LIFETIMES };
    replicas = await Promise.all(['replica-a', 'replica-b'].map((name) => startReplica(processes, name, env)));
    timeline = rotationTimeline(plane.kubeconfig, replicas);
    proxy.backends.push(...replicas.map((r) => r.port));
  }, 60 * 60_000);

  afterAll(async () => {
    await timeline?.stop();
    say(
      `timeline (ms since the replicas started):\n${timeline?.events.map((e) => `  ${e.atMs} ${e.what}`).join('\n')}`,
    );
    for (const replica of replicas) say(`${replica.name} log:\n${processes.tail(`webhook-${replica.name}`, 25)}`);
    await proxy?.close();
    await processes?.stopAll();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('elects one leader, which writes the Secret once and patches the caBundle; both replicas get ready and pods are injected', async () => {
    for (const replica of replicas) await waitFor(`${replica.name} /readyz`, 60_000, () => ready(replica.port));
    const readyAt = timeline.elapsedMs();
    const pod = await plane.kubectl.json(['-n', 'shop', 'run', 'first', '--image=registry.k8s.io/pause:3.10']);
    const injectedAt = timeline.elapsedMs();
    say(`both replicas ready ${readyAt} ms after start; first pod injected at ${injectedAt} ms`);
    expect(((pod['metadata'] as Json)['annotations'] as Json)['sidecar.inject/status']).toBeDefined();
    expect(events('Secret written')).toBe(1);
    expect(replicas.map((r) => r.name)).toContain(timeline.last.get('leader'));
    const signer = timeline.last.get('signer');
    expect(timeline.last.get('bundle')).toBe(`${signer} | ${signer}`);
  }, 120_000);

  it('renews the serving certificate, then rotates the CA, while pods are created: none fails', async () => {
    const load = podLoad(plane.kubeconfig, 'shop', 150, timeline.elapsedMs);
    const firstSigner = timeline.last.get('signer');
    await waitFor('the CA rotation to finish', 180_000, async () => {
      const { last } = timeline;
      const signer = last.get('signer');
      const done =
        signer !== firstSigner &&
        last.get('bundle') === `${signer} | ${signer}` &&
        replicas.every((r) => last.get(`served-${r.name}`) === last.get('serving'));
      return done ? true : undefined;
    });
    await load.stop();
    say(
      `CA rotation: ${caRotationSummary(
        timeline.events,
        replicas.map((r) => r.name),
      )}`,
    );
    say(
      `pods created during renewal and rotation: ${load.created}, injected: ${load.injected}, failed: ${load.failures.length}`,
    );
    expect(load.failures).toEqual([]);
    expect(load.created).toBeGreaterThan(20);
    expect(load.injected).toBe(load.created);
    expect(events('Secret: serving certificate')).toBeGreaterThanOrEqual(3);
    expect(timeline.events.some((e) => /caBundle of the webhooks: \w+\+\w+ \|/.test(e.what))).toBe(true);
    // Go's TLS stack (kubectl's, as the API server's) trusts the new serving certificate through
    // the two-CA bundle exactly as it was published mid-rotation.
    const bundleFile = join(dir, 'two-ca-bundle.pem');
    writeFileSync(bundleFile, timeline.twoCaBundle());
    for (const replica of replicas) {
      const server = ['--server', `https://127.0.0.1:${replica.port}`, '--certificate-authority', bundleFile];
      const name = ['--tls-server-name', 'sidecar-injector.sidecar-injector.svc'];
      expect(await plane.kubectl.ok([...server, ...name, 'get', '--raw', '/healthz'])).toBe('ok');
    }
  }, 300_000);

  it('the other replica takes over the Lease when the leader is killed, and keeps renewing', async () => {
    const leader = replicas.find((r) => r.name === timeline.last.get('leader')) as Replica;
    const other = replicas.find((r) => r !== leader) as Replica;
    const writes = events('Secret written');
    const load = podLoad(plane.kubeconfig, 'shop', 150, timeline.elapsedMs);
    // The Service's endpoint goes first (as for a deleted or unready pod); SIGKILL then gives the
    // leader no chance to release the Lease, so the other replica takes it only once it expires.
    proxy.backends.splice(proxy.backends.indexOf(leader.port), 1);
    const killedAt = timeline.elapsedMs();
    leader.child.kill('SIGKILL');
    await waitFor('a new leader', 60_000, async () => (timeline.last.get('leader') === other.name ? true : undefined));
    const tookOverAt = timeline.elapsedMs();
    await waitFor('a renewal by the new leader', 60_000, async () =>
      events('Secret written') > writes ? true : undefined,
    );
    await load.stop();
    say(
      `leader ${leader.name} killed at ${killedAt} ms; ${other.name} led from ${tookOverAt} ms (takeover ${tookOverAt - killedAt} ms); pods: ${load.created} created, ${load.injected} injected, ${load.failures.length} failed`,
    );
    // SIGKILL loses what the leader had in flight (the API server's kept-alive connection through
    // the proxy included), as it would in a cluster; every later creation must succeed.
    say(`failed creations: ${JSON.stringify(load.failures.map((f) => `${f.atMs} ms: ${f.error.slice(0, 240)}`))}`);
    expect(load.failures.filter((f) => f.atMs > killedAt + 1_000)).toEqual([]);
    expect(load.created).toBeGreaterThan(0);
    expect(load.injected).toBe(load.created);
    await waitFor(`${other.name} /readyz`, 30_000, () => ready(other.port));
  }, 180_000);
});

function ready(port: number): Promise<true | undefined> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/readyz', rejectUnauthorized: false }, (res) => {
      res.resume();
      resolve(res.statusCode === 200 ? true : undefined);
    });
    req.on('error', () => resolve(undefined));
    req.end();
  });
}
