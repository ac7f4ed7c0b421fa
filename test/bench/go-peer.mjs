// Builds the Go peer (test/bench/go-peer) with the machine's Go, once per source version: the
// binary is cached outside the repository under a hash of go.mod, go.sum and the Go sources.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const SOURCE = new URL('./go-peer/', import.meta.url).pathname;

function goCommand() {
  for (const candidate of ['go', '/usr/local/go/bin/go']) {
    if (spawnSync(candidate, ['version'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  return undefined;
}

function sourceHash() {
  const hash = createHash('sha256');
  const files = readdirSync(SOURCE)
    .filter((f) => f === 'go.mod' || f === 'go.sum' || f.endsWith('.go'))
    .sort();
  for (const file of files)
    hash
      .update(file)
      .update('\0')
      .update(readFileSync(join(SOURCE, file)));
  return hash.digest('hex').slice(0, 16);
}

/** The Go peer's binary and the Go version that built it, or why there is none. */
export function goPeerBinary() {
  const go = goCommand();
  if (!go) return { skipped: 'Go peer skipped: no `go` on PATH or in /usr/local/go/bin' };
  const version = spawnSync(go, ['env', 'GOVERSION'], { encoding: 'utf8' }).stdout.trim();
  const cacheRoot = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  const dir = join(cacheRoot, 'sidecar-injector', `bench-go-peer-${sourceHash()}-${version}`);
  const binary = join(dir, 'go-peer');
  if (!existsSync(binary)) {
    mkdirSync(dir, { recursive: true });
    process.stdout.write(`building the Go peer with ${version} into ${dir} (once per source version)\n`);
    const tmp = `${binary}.${process.pid}.tmp`;
    const out = spawnSync(go, ['build', '-trimpath', '-o', tmp, '.'], {
      cwd: SOURCE,
      encoding: 'utf8',
      // The control plane's flags (test/cluster/build-binaries.sh) and its module versions (go.mod
      // pins k8s.io v0.34.4 and the shared dependencies to test/cluster/go/k8s's): the packages
      // both compile come from Go's build cache, so a first build takes seconds, not minutes.
      env: { ...process.env, GOFLAGS: '-mod=readonly', CGO_ENABLED: '0' },
      timeout: 600_000,
    });
    if (out.status !== 0) throw new Error(`go build in ${SOURCE} failed:\n${out.stderr || out.error}`);
    renameSync(tmp, binary);
  }
  return { binary, version };
}
