import { readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/pods.js';

/**
 * The container installs production dependencies only (npm ci --omit=dev): every package the
 * sources import at run time must be a dependency, not a devDependency.
 */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

describe('runtime dependencies', () => {
  it('imports nothing at run time that npm ci --omit=dev leaves out', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const imported = new Set<string>();
    for (const file of sourceFiles(join(ROOT, 'src'))) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/^import (?!type )[^;]*? from '([^'.][^']*)'|import\('([^'.][^']*)'\)/gm)) {
        imported.add(packageOf(match[1] ?? match[2] ?? ''));
      }
    }
    const missing = [...imported].filter(
      (name) => !name.startsWith('node:') && !builtinModules.includes(name) && !(name in pkg.dependencies),
    );
    expect(missing).toEqual([]);
    expect(imported.has('kubernetes-models')).toBe(true);
  });
});
