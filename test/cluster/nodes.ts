import type { Kubectl } from '../e2e/kubectl.js';
import type { Binaries } from './binaries.js';
import { freePort, type ProcessGroup } from './processes.js';

const NODES = 3;
const ANNOTATION = 'kwok.x-k8s.io/node';

/** A Node object kwok keeps Ready; room for the 200-pod burst and everything else (the sidecars request ephemeral-storage). */
function fakeNode(name: string): Record<string, unknown> {
  const resources = { cpu: '64', memory: '256Gi', 'ephemeral-storage': '1Ti', pods: '1000' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { [ANNOTATION]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        type: 'kwok',
      },
    },
    status: {
      allocatable: resources,
      capacity: resources,
      nodeInfo: { architecture: 'amd64', operatingSystem: 'linux', kubeletVersion: 'fake', kubeProxyVersion: 'fake' },
      phase: 'Running',
    },
  };
}

/**
 * kwok plays the kubelet of a few fake nodes: pods get scheduled and reported Running, though no
 * container runs (probes, start order and Job completion need kind or a real cluster).
 */
export async function startNodes(
  processes: ProcessGroup,
  bin: Binaries,
  kubectl: Kubectl,
  admin: string,
): Promise<void> {
  processes.start('kwok', bin.path('kwok'), [
    `--kubeconfig=${admin}`,
    '--manage-all-nodes=false',
    // Node leases renewed every few seconds: without them kwok posts node status only about every
    // 50 s, past the node controller's grace period, which marks the nodes NotReady for a moment
    // and flips the Ready condition of pods scheduled there to False for good.
    '--node-lease-duration-seconds=40',
    `--manage-nodes-with-annotation-selector=${ANNOTATION}=fake`,
    '--cidr=10.1.0.1/16',
    '--node-ip=10.1.0.1',
    `--server-address=127.0.0.1:${await freePort()}`,
  ]);
  for (let i = 0; i < NODES; i += 1) await kubectl.submit(['apply'], fakeNode(`kwok-node-${i}`));
  const ready = await kubectl.run(['wait', '--for=condition=Ready', 'node', '--all', '--timeout=60s']);
  if (ready.code !== 0) throw new Error(`kwok nodes not Ready: ${ready.stderr.trim()}\n${processes.tail('kwok')}`);
}
