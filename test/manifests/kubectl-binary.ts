import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { access, constants } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../helpers/pods.js';

/**
 * The kubectl whose embedded kustomize renders the install, the one users run: a kubectl on PATH
 * (CI runners and workstations have one), else the one test/cluster/build-binaries.sh builds from
 * the Kubernetes module into its version-keyed cache (built once, minutes on 2 cores, then reused).
 * `missing` (with the reason) only when neither exists; a build that fails throws.
 */
export async function findKubectl(): Promise<{ binary: string } | { missing: string }> {
  if (await runs('kubectl')) return { binary: 'kubectl' };
  const script = join(ROOT, 'test/cluster/build-binaries.sh');
  if (!existsSync(script)) return { missing: 'no kubectl on PATH and no test/cluster/build-binaries.sh to build one' };
  // Test files run in parallel: one builds, the others wait for it and then find the cache.
  const lock = join(tmpdir(), 'sidecar-injector-build-binaries.lock');
  const { stdout } = await run('flock', [lock, 'bash', script], { maxBuffer: 16 << 20 });
  const binary = join(stdout.trim().split('\n').at(-1) ?? '', 'kubectl');
  await access(binary, constants.X_OK);
  return { binary };
}

const run = promisify(execFile);

async function runs(binary: string): Promise<boolean> {
  return run(binary, ['version', '--client']).then(
    () => true,
    () => false,
  );
}
