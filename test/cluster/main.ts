// `npm run cluster`: a real Kubernetes API server calling the webhook, with Go and no Docker. Starts
// the local control plane, installs manifests/ (webhook served by a local `serve` process), labels
// a `demo` namespace, prints how to use it, and stays in the foreground until Ctrl-C.
import { dirname, join } from 'node:path';
import { ensureBinaries, unavailableBecause } from './binaries.js';
import { namespace } from '../e2e/scenarios/context.js';
import { startLocalCluster, type LocalCluster } from './local-cluster.js';

const say = (line: string): void => void process.stdout.write(`${line}\n`);

function instructions(cluster: LocalCluster, kubectlBinary: string): string {
  const kubectlDir = dirname(kubectlBinary);
  const path = kubectlDir === '.' ? '' : ` PATH="${kubectlDir}:$PATH"`;
  return [
    '',
    `Kubernetes ${cluster.controlPlane.version} at ${cluster.controlPlane.server}; the webhook serves ${cluster.webhookUrl}`,
    'namespace demo is labelled istio-injection=enabled. In another terminal:',
    '',
    `  export KUBECONFIG=${cluster.controlPlane.kubeconfig}${path}`,
    `  kubectl -n demo run try-it --image=registry.k8s.io/pause:3.10 -o jsonpath='{.spec.initContainers[*].name}{"\\n"}'`,
    '',
    `The second prints the init containers the API server stored (the proxy is a native sidecar on 1.29+).`,
    `Logs: ${join(cluster.dir, 'logs')}. Ctrl-C stops everything and removes ${cluster.dir}.`,
    '',
  ].join('\n');
}

async function main(): Promise<number> {
  const why = unavailableBecause();
  if (why) {
    process.stderr.write(`npm run cluster: cannot start a control plane: ${why}\n`);
    return 1;
  }
  // Until the cluster is up a signal just exits: the 'exit' hooks kill the processes and remove the folder.
  const early = (): void => process.exit(130);
  process.on('SIGINT', early).on('SIGTERM', early);
  const binaries = await ensureBinaries();
  say('starting etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok and the webhook ...');
  const cluster = await startLocalCluster(binaries);
  let stopping: Promise<void> | undefined;
  const stop = (signal: string): void => {
    stopping ??= (async () => {
      say(`\n${signal}: stopping the webhook and the control plane ...`);
      await cluster.stop();
      say('stopped; temporary folder removed');
      process.exit(0);
    })();
  };
  process.off('SIGINT', early).off('SIGTERM', early);
  process.on('SIGINT', () => stop('SIGINT')).on('SIGTERM', () => stop('SIGTERM'));
  try {
    const ctx = cluster.context(say);
    await namespace(ctx, 'demo', { 'istio-injection': 'enabled' });
    say(instructions(cluster, binaries.path('kubectl')));
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return new Promise<number>(() => undefined); // until a signal
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`npm run cluster: ${error.message}\n`);
    process.exit(1);
  },
);
