import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { NamespaceLabels } from '../core/decide.js';
import type { NamespaceSource } from './namespace-source.js';

const LabelsFile = z.record(z.string(), z.record(z.string(), z.string()).nullable());

/** Reads `namespace -> {label: value}` (JSON is YAML) once at start; used without a cluster. */
export function parseNamespaceLabels(text: string, file: string): Map<string, Record<string, string>> {
  let document: unknown;
  try {
    document = parseYaml(text, { maxAliasCount: 0 });
  } catch (error) {
    throw new Error(`${file}: not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  const parsed = LabelsFile.safeParse(document ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `${file}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}; expected a map namespace -> {label: value}`,
    );
  }
  return new Map(Object.entries(parsed.data).map(([namespace, labels]) => [namespace, labels ?? {}]));
}

export function fileNamespaceSource(file: string): NamespaceSource {
  let labels: Map<string, Record<string, string>> | undefined;
  return {
    kind: 'file',
    async start() {
      labels = parseNamespaceLabels(await readFile(file, 'utf8'), file);
    },
    ready: () => labels !== undefined,
    labelsOf(namespace: string): Promise<NamespaceLabels> {
      return Promise.resolve({ known: true, labels: labels?.get(namespace) ?? {} });
    },
    stop() {},
  };
}

/** No cluster and no file (serve --dev without --namespace-labels): every namespace unlabelled. */
export function unlabelledNamespaces(): NamespaceSource {
  return {
    kind: 'file',
    start: () => Promise.resolve(),
    ready: () => true,
    labelsOf: () => Promise.resolve({ known: true, labels: {} }),
    stop() {},
  };
}
