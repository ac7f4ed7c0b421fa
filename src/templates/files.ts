import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { compileTemplates, type CompileResult, type TemplateSource } from '../core/templates.js';

/**
 * Reads every *.yaml / *.yml in the directory. Dot entries are skipped: a mounted ConfigMap
 * keeps its real files under `..data` and `..<timestamp>` and exposes them through symlinks.
 * kustomization.yaml is how templates/ becomes that ConfigMap, not a template.
 */
export function isTemplateFile(name: string): boolean {
  return !name.startsWith('.') && /\.ya?ml$/.test(name) && name !== 'kustomization.yaml';
}

export async function readTemplateSources(dir: string): Promise<TemplateSource[]> {
  const entries = await readdir(dir);
  const files = entries.filter(isTemplateFile).sort();
  return Promise.all(files.map(async (name) => ({ file: name, text: await readFile(join(dir, name), 'utf8') })));
}

export async function loadTemplates(dir: string): Promise<{ sources: TemplateSource[]; result: CompileResult }> {
  const sources = await readTemplateSources(dir);
  return { sources, result: compileTemplates(sources) };
}

export function sourceHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Changes whenever any file name or content changes. */
export function fingerprintSources(sources: readonly TemplateSource[]): string {
  return sources.map((s) => `${s.file}:${sourceHash(s.text)}`).join('\n');
}
