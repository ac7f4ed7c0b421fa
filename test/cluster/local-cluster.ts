import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliWith } from '../e2e/run-scenarios.js';
import { realClock, untilInjecting } from '../e2e/scenarios/context.js';
import type { ScenarioContext } from '../e2e/scenarios/index.js';
import type { Binaries } from './binaries.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import { applyInstall, pointedAt, renderManifests, serviceAccountKubeconfig } from './install.js';
import { ProcessGroup } from './processes.js';
import { LocalWebhook } from './webhook.js';

export interface LocalCluster {
  dir: string;
  controlPlane: ControlPlane;
  webhook: LocalWebhook;
  webhookUrl: string;
  /** A scenario context on this cluster (kubectl, the CLI, the webhook's controls). */
  context(say: (line: string) => void): ScenarioContext;
  stop(): Promise<void>;
}

/**
 * The local control plane with the webhook installed from manifests/ and serving from a local
 * process, in one temporary folder that stop() removes with every process.
 */
export async function startLocalCluster(bin: Binaries): Promise<LocalCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'sidecar-injector-cluster-'));
  mkdirSync(join(dir, 'logs'));
  const processes = new ProcessGroup(join(dir, 'logs'));
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true }); // holds keys and tokens
  process.on('exit', removeDir);
  const stop = async (): Promise<void> => {
    await processes.stopAll();
    removeDir();
    process.off('exit', removeDir);
  };
  try {
    const controlPlane = await startControlPlane(bin, dir, processes);
    const { kubectl } = controlPlane;
    const webhook = new LocalWebhook(processes, join(dir, 'webhook'), join(dir, 'webhook.kubeconfig'));
    const { url } = await webhook.prepare();
    const objects = await renderManifests(kubectl, join(dir, 'install'), join(dir, 'webhook', 'tls'));
    const { configuration } = await applyInstall(kubectl, objects);
    await serviceAccountKubeconfig(kubectl, controlPlane.server, controlPlane.caFile, join(dir, 'webhook.kubeconfig'));
    await webhook.start();
    await kubectl.submit(['apply'], pointedAt(configuration, url));
    const context = (say: (line: string) => void): ScenarioContext => ({
      kubectl,
      cli: cliWith(controlPlane.kubeconfig),
      injectorNamespace: 'sidecar-injector',
      clock: realClock,
      say,
      webhook,
    });
    await untilInjecting(context(() => undefined));
    return { dir, controlPlane, webhook, webhookUrl: url, context, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
