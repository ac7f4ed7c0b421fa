import { readFileSync } from 'node:fs';
import { join } from 'node:path';

let root: string | undefined;

/** The repository root, whether this runs from test/ (vitest) or from its compiled copy under dist/. */
export function repositoryRoot(): string {
  root ??= findRoot(new URL('.', import.meta.url).pathname);
  return root;
}

function findRoot(dir: string): string {
  for (let d = dir; d !== '/'; d = join(d, '..')) {
    try {
      const pkg = JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'sidecar-injector') return d;
    } catch {
      // no package.json here: keep walking up
    }
  }
  throw new Error(`no sidecar-injector package.json above ${dir}`);
}
