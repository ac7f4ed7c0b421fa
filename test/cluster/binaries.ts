import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repositoryRoot } from '../e2e/root.js';

/** Where the control-plane binaries are: KUBEBUILDER_ASSETS (envtest's convention) or the build cache. */
export interface Binaries {
  dir: string;
  path(name: 'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'kubectl' | 'kwok'): string;
  has(name: string): boolean;
}

const HOW_TO_ENABLE =
  'install Go 1.24+ (test/cluster/build-binaries.sh builds etcd, kube-apiserver, kube-controller-manager, ' +
  'kube-scheduler, kubectl and kwok into ~/.cache/sidecar-injector) or set KUBEBUILDER_ASSETS to a folder ' +
  'holding etcd and kube-apiserver';

/** Why the control-plane tier cannot run here, or undefined when it can (decided without building anything). */
export function unavailableBecause(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const assets = env['KUBEBUILDER_ASSETS'];
  if (assets && ['etcd', 'kube-apiserver'].every((b) => existsSync(join(assets, b)))) return undefined;
  if (spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0) return undefined;
  const why = assets
    ? `KUBEBUILDER_ASSETS=${assets} lacks etcd or kube-apiserver and Go is not installed`
    : 'neither Go nor KUBEBUILDER_ASSETS is available';
  return `${why}; to enable it, ${HOW_TO_ENABLE}`;
}

/**
 * Runs test/cluster/build-binaries.sh (it reuses the cache, or KUBEBUILDER_ASSETS, and builds only
 * what is missing) with its progress on our stderr; its last stdout line is the folder.
 */
export async function ensureBinaries(
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Promise<Binaries> {
  const script = join(repositoryRoot(), 'test/cluster/build-binaries.sh');
  const child = spawn('bash', [script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => chunk.toString().trimEnd().split('\n').forEach(log));
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  if (code !== 0) throw new Error(`test/cluster/build-binaries.sh exited ${code}; ${HOW_TO_ENABLE}`);
  const dir = stdout.trim().split('\n').at(-1) ?? '';
  return binariesIn(dir);
}

function binariesIn(dir: string): Binaries {
  const has = (name: string): boolean => existsSync(join(dir, name));
  return {
    dir,
    has,
    path: (name) => {
      if (has(name)) return join(dir, name);
      // KUBEBUILDER_ASSETS may hold only etcd and kube-apiserver: the rest from PATH, if there.
      if (spawnSync(name, ['--help'], { stdio: 'ignore' }).error === undefined) return name;
      throw new Error(`${name} is neither in ${dir} nor on PATH`);
    },
  };
}
