// End-to-end against a real kind cluster: the kind-specific steps (cluster, image build, kind load,
// install) around the scenario module, which only needs a KUBECONFIG. Needs a Docker engine, kind
// and kubectl; where any is missing it prints one line saying so and exits 0 without claiming a pass.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kubectl, runProcess, type RunOptions } from './kubectl.js';
import { repositoryRoot } from './root.js';
import { cliWith, runAll } from './run-scenarios.js';
import { realClock, untilInjecting } from './scenarios/context.js';
import type { ScenarioContext, WebhookControl } from './scenarios/index.js';

const CLUSTER = 'sidecar-injector-e2e';
const IMAGE = 'sidecar-injector:0.1.0';
const INJECTOR = ['-n', 'sidecar-injector'];
const SELECTOR = 'app.kubernetes.io/name=sidecar-injector';
const ROOT = repositoryRoot();

async function sh(file: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  process.stderr.write(`$ ${file} ${args.join(' ')}\n`);
  const result = await runProcess(file, args, { timeoutMs: 600_000, ...options });
  if (result.code !== 0) throw new Error(`${file} ${args.join(' ')} exited ${result.code}: ${result.stderr.trim()}`);
  return result.stdout;
}

async function missingTool(): Promise<string | undefined> {
  const probes: Array<[string, string[], string]> = [
    ['docker', ['info'], 'no Docker engine is reachable (docker info failed)'],
    ['kind', ['version'], 'kind is not installed'],
    ['kubectl', ['version', '--client'], 'kubectl is not installed'],
  ];
  for (const [tool, args, why] of probes) {
    const ok = await runProcess(tool, args, { timeoutMs: 20_000 }).then(
      (r) => r.code === 0,
      () => false,
    );
    if (!ok) return why;
  }
  return undefined;
}

/** Cluster (reused when KEEP_CLUSTER=1 left one), image built and loaded, the install applied with fresh certs. */
async function install(work: string): Promise<Kubectl> {
  const clusters = (await sh('kind', ['get', 'clusters'])).split('\n');
  if (!clusters.includes(CLUSTER))
    await sh('kind', [
      'create',
      'cluster',
      '--name',
      CLUSTER,
      '--config',
      join(ROOT, 'kind-config.yaml'),
      '--wait',
      '180s',
    ]);
  const kubeconfig = join(work, 'kubeconfig');
  writeFileSync(kubeconfig, await sh('kind', ['get', 'kubeconfig', '--name', CLUSTER]), { mode: 0o600 });
  await sh('docker', ['buildx', 'build', '--load', '--provenance=false', '-t', IMAGE, ROOT], { timeoutMs: 1_200_000 });
  await sh('kind', ['load', 'docker-image', IMAGE, '--name', CLUSTER]);
  for (const folder of ['manifests', 'templates']) cpSync(join(ROOT, folder), join(work, folder), { recursive: true });
  cpSync(join(ROOT, 'certs/kustomization.yaml'), join(work, 'certs/kustomization.yaml'));
  await sh(process.execPath, [join(ROOT, 'dist/cli/main.js'), 'certs', '--out', join(work, 'certs')]);
  const kubectl = new Kubectl('kubectl', kubeconfig);
  await kubectl.ok(['apply', '-k', join(work, 'manifests')]);
  return kubectl;
}

/** Old pods answer 503 once terminating: wait for them to be gone, not merely for new ones to be Ready. */
async function restart(ctx: ScenarioContext, replicas: string): Promise<void> {
  const old = (await ctx.kubectl.list('pods', 'sidecar-injector', SELECTOR)).map(
    (p) => `pod/${(p['metadata'] as { name: string }).name}`,
  );
  if (replicas === '0') await ctx.kubectl.ok([...INJECTOR, 'scale', 'deployment/sidecar-injector', '--replicas=0']);
  else if (old.length > 0) await ctx.kubectl.ok([...INJECTOR, 'delete', ...old, '--wait=false']);
  if (old.length > 0) await ctx.kubectl.ok([...INJECTOR, 'wait', '--for=delete', ...old, '--timeout=180s']);
  if (replicas === '0') return;
  await ctx.kubectl.ok([...INJECTOR, 'scale', 'deployment/sidecar-injector', `--replicas=${replicas}`]);
  await ctx.kubectl.ok([...INJECTOR, 'rollout', 'status', 'deployment/sidecar-injector', '--timeout=180s']);
  await untilInjecting(ctx);
}

function kindWebhook(ctx: () => ScenarioContext): WebhookControl {
  return { stop: () => restart(ctx(), '0'), start: () => restart(ctx(), '2') };
}

async function main(): Promise<number> {
  const missing = await missingTool();
  if (missing) {
    process.stdout.write(
      `SKIP e2e: ${missing}; the kind suite needs Docker, kind and kubectl (README "End-to-end tests")\n`,
    );
    return 0;
  }
  const work = mkdtempSync(join(tmpdir(), 'sidecar-injector-e2e-'));
  const cleanup = (): void => rmSync(work, { recursive: true, force: true }); // holds ca.key and tls.key
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      cleanup();
      process.exit(130);
    });
  try {
    const kubectl = await install(work);
    const say = (line: string): void => void process.stdout.write(`${line}\n`);
    const ctx: ScenarioContext = {
      kubectl,
      cli: cliWith(join(work, 'kubeconfig')),
      injectorNamespace: 'sidecar-injector',
      clock: realClock,
      say,
      webhook: kindWebhook(() => ctx),
    };
    await kubectl.ok([...INJECTOR, 'rollout', 'status', 'deployment/sidecar-injector', '--timeout=180s']);
    await restart(ctx, '2'); // the injector's own pods restart cleanly, then it injects
    say('ok   the injector restarts cleanly: old pods deleted, rollout done, a dry run comes back injected');
    const outcomes = await runAll(ctx, ['webhook', 'kubelet']);
    const failed = outcomes.filter((o) => o.result === 'fail').length;
    const ran = outcomes.filter((o) => o.result !== 'skip').length;
    say(
      `\n${ran - failed}/${ran} e2e scenarios passed on kind (${outcomes.length - ran} need a local webhook process)`,
    );
    return failed === 0 ? 0 : 1;
  } finally {
    if (process.env['KEEP_CLUSTER'] !== '1') await sh('kind', ['delete', 'cluster', '--name', CLUSTER]).catch(() => '');
    cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`e2e: ${error.message}\n`);
    process.exit(1);
  },
);
