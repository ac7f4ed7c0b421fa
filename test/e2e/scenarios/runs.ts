import type { Json } from '../kubectl.js';
import { annotationsOf, assert, describePod, namespace, poll, type Scenario, type ScenarioContext } from './context.js';
import { ENABLED } from './injection.js';
import {
  LOG_LINE,
  PROXY_NS,
  RESTRICTED_LABELS,
  RESTRICTED_NS,
  SECRET_VALUE,
  VAULT_NS,
  configSource,
  proxyObjects,
  restrictedPods,
  vaultObjects,
  vaultSetup,
} from './run-manifests.js';

/** Which template each restricted pod must be stored with (its status annotation names it). */
const TEMPLATE_OF: Record<string, string> = {
  logging: 'logging',
  config: 'config',
  metrics: 'metrics',
  secrets: 'secrets',
};
const WAIT = ['--timeout=300s'];
/** kubectl itself must outlive its --timeout (the runner's default is 120 s): image pulls on kind. */
const LONG = { timeoutMs: 330_000 };

async function waitReady(ctx: ScenarioContext, ns: string, podName: string): Promise<void> {
  await ctx.kubectl.ok(['-n', ns, 'wait', '--for=condition=Ready', `pod/${podName}`, ...WAIT], LONG);
}

async function applyAll(ctx: ScenarioContext, objects: Json[]): Promise<Json[]> {
  const stored: Json[] = [];
  for (const object of objects) stored.push(await ctx.kubectl.submit(['apply'], object));
  return stored;
}

/**
 * Applies every object of the run, in dependency order, and waits for what the provider can show:
 * on kind (`kubelet`) Vault is configured through `vault` in its pod, pods are Ready because their
 * containers run and probes pass, and the Job completes; on kwok both are simulated.
 */
async function applyRun(ctx: ScenarioContext, kubelet: boolean): Promise<string[]> {
  await namespace(ctx, VAULT_NS);
  await namespace(ctx, PROXY_NS, ENABLED);
  await namespace(ctx, RESTRICTED_NS, RESTRICTED_LABELS);
  await applyAll(ctx, vaultObjects());
  await waitReady(ctx, VAULT_NS, 'vault');
  if (kubelet)
    for (const step of vaultSetup())
      await ctx.kubectl.ok(['-n', VAULT_NS, 'exec', '-i', 'vault', '--', ...step.argv], { input: step.input ?? '' });
  await applyAll(ctx, configSource());
  await waitReady(ctx, RESTRICTED_NS, 'config-source');
  const seen: string[] = [];
  for (const stored of await applyAll(ctx, restrictedPods())) {
    const name = (stored['metadata'] as { name: string }).name;
    const status = annotationsOf(stored)['sidecar.inject/status'] ?? '';
    assert(
      status.includes(`"${TEMPLATE_OF[name] ?? '?'}"`),
      `${name} stored without its template: ${describePod(stored)}`,
    );
    seen.push(`${name}: ${describePod(stored)}`);
  }
  await applyAll(ctx, proxyObjects());
  await ctx.kubectl.ok(['-n', PROXY_NS, 'rollout', 'status', 'deployment/web', ...WAIT], LONG);
  await ctx.kubectl.ok(['-n', PROXY_NS, 'wait', '--for=condition=Complete', 'job/client', ...WAIT], LONG);
  for (const name of Object.keys(TEMPLATE_OF)) await waitReady(ctx, RESTRICTED_NS, name);
  return seen;
}

/** The Job's pod, which the scheduler must have placed on a node. */
async function jobPodScheduled(ctx: ScenarioContext): Promise<Json> {
  const [jobPod] = await ctx.kubectl.list('pods', PROXY_NS, 'batch.kubernetes.io/job-name=client');
  assert(
    jobPod && (jobPod['spec'] as Json)['nodeName'],
    `the client Job pod is not scheduled: ${JSON.stringify(jobPod)}`,
  );
  return jobPod;
}

export const runManifestsAdmitted: Scenario = {
  name: 'kwok: every object the kind "templates run" applies is accepted, injected with its template under restricted, and scheduled (Ready and Job completion here are simulated: no container runs)',
  unless: 'kubelet',
  async run(ctx) {
    const seen = await applyRun(ctx, false);
    const jobPod = await jobPodScheduled(ctx);
    assert(annotationsOf(jobPod)['sidecar.inject/status']?.includes('"proxy"'), `Job pod: ${describePod(jobPod)}`);
    return `${seen.join('; ')}; client Job pod ${describePod(jobPod)}`;
  },
};

/** What a command prints in a restricted pod's app container (a file the sidecars wrote). */
const exec = (ctx: ScenarioContext, podName: string, argv: string[]): Promise<string> =>
  ctx.kubectl.ok(['-n', RESTRICTED_NS, 'exec', podName, '-c', 'app', '--', ...argv]);

/** tcp_proxy's stat_prefix "inbound", as a Prometheus label (Envoy's default tags) or in the name. */
const INBOUND_CONNECTIONS = /^envoy_tcp_downstream_cx_total\{envoy_tcp_prefix="inbound"\} (\d+)$/m;
const INBOUND_UNTAGGED = /^envoy_tcp_inbound_downstream_cx_total(?:\{\})? (\d+)$/m;

async function trafficThroughProxy(ctx: ScenarioContext): Promise<string> {
  const [server] = await ctx.kubectl.list('pods', PROXY_NS, 'app=web');
  const serverName = (server?.['metadata'] as { name: string } | undefined)?.name ?? '?';
  const printed = await ctx.kubectl.ok(['-n', PROXY_NS, 'logs', 'job/client', '-c', 'app']);
  const lines = printed.split('\n').filter((line) => line.trim() !== '');
  assert(
    lines.join(' ') === `${serverName} 200 ${serverName} 200`,
    `the client printed ${JSON.stringify(printed)}, not ${serverName} and 200 over IPv4, then over IPv6`,
  );
  // Through the API server's pod proxy to 15090, which the redirect exempts: Envoy's own counters.
  const stats = await ctx.kubectl.ok([
    'get',
    '--raw',
    `/api/v1/namespaces/${PROXY_NS}/pods/${serverName}:15090/proxy/stats/prometheus`,
  ]);
  const inbound = INBOUND_CONNECTIONS.exec(stats)?.[1] ?? INBOUND_UNTAGGED.exec(stats)?.[1];
  assert(Number(inbound) >= 2, `the server's proxy counted ${inbound ?? 'no such metric'} inbound connections, not 2`);
  return `Job client completed; it printed ${serverName} and 200 over IPv4 and IPv6; the server's Envoy counted ${inbound} inbound connections`;
}

async function sidecarsWork(ctx: ScenarioContext): Promise<string[]> {
  const config = (await exec(ctx, 'config', ['cat', '/etc/sidecar-config/config'])).trim();
  assert(config === 'config-source', `config file: ${JSON.stringify(config)}`);
  const secret = await exec(ctx, 'secrets', ['cat', '/vault/secrets/db']);
  assert(secret.includes(SECRET_VALUE), `secret file: ${JSON.stringify(secret)}`);
  const shipped = await poll(ctx, 'fluent-bit shipping the app log line', 120_000, async () => {
    const logs = await ctx.kubectl.ok(['-n', RESTRICTED_NS, 'logs', 'logging', '-c', 'sidecar-log-shipper']);
    return logs.includes(LOG_LINE) ? logs : undefined;
  });
  const metrics = await ctx.kubectl.ok([
    'get',
    '--raw',
    `/api/v1/namespaces/${RESTRICTED_NS}/pods/metrics:9102/proxy/metrics`,
  ]);
  assert(metrics.includes('statsd_exporter_build_info'), `metrics: ${metrics.slice(0, 200)}`);
  return [
    `config file ${JSON.stringify(config)}`,
    `secret file ${secret.trim().slice(0, 80)}`,
    `fluent-bit shipped ${shipped.split('\n').filter((l) => l.includes(LOG_LINE)).length} line(s)`,
    'statsd_exporter serves /metrics',
  ];
}

export const templatesRun: Scenario = {
  name: 'every shipped template runs on a real kubelet: pods Ready, a proxied Job completes, a curl through both proxies gets 200 and the body, Vault and config files appear in the app',
  needs: ['kubelet'],
  async run(ctx) {
    const seen = await applyRun(ctx, true);
    const traffic = await trafficThroughProxy(ctx);
    return [...seen, traffic, ...(await sidecarsWork(ctx))].join('; ');
  },
};
