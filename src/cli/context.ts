import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NamespaceLabels } from '../core/decide.js';
import type { InjectionSettings } from '../core/inject.js';
import type { TemplateSet } from '../core/templates.js';
import { createLogger } from '../log.js';
import { fileNamespaceSource } from '../namespaces/file.js';
import { supportsNativeSidecars, type NamespaceSource } from '../namespaces/source.js';
import { loadTemplates } from '../template-files.js';

/** A usage or input problem: one line on stderr, exit code 2. */
export class InputError extends Error {}

/** What inject and explain need: templates, settings and where namespace labels come from. */
export interface Context {
  file: string;
  templates: TemplateSet;
  settings: InjectionSettings;
  labelsOf: (namespace: string) => Promise<NamespaceLabels>;
  defaultNamespace: string;
  stop: () => void;
}

export async function buildContext(values: Record<string, string | undefined>): Promise<Context> {
  // The templates this package ships, unless told otherwise: same set as the default install.
  const dir =
    values['templates'] ?? process.env['TEMPLATES_DIR'] ?? fileURLToPath(new URL('../../templates/', import.meta.url));
  const { result } = await loadTemplates(dir).catch((error: Error) => {
    throw new InputError(`--templates ${dir}: ${error.message}`);
  });
  if (!result.ok) throw new InputError(`--templates: ${result.errors[0]}`);
  const cluster = values['namespace-labels'] ? undefined : await clusterSource();
  const labelsOf = await namespaceLabelsFrom(values['namespace-labels'], cluster);
  const native = values['native'] === 'auto' ? await nativeFromCluster(cluster) : values['native'] === 'true';
  return {
    file: values['file'] === '-' ? '<stdin>' : (values['file'] ?? '<stdin>'),
    templates: result.templates,
    settings: {
      injectorNamespace: values['injector-namespace'] ?? 'sidecar-injector',
      defaultTemplates: (values['default-templates'] ?? 'proxy')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
      nativeSidecars: native,
    },
    labelsOf,
    defaultNamespace: values['namespace'] ?? 'default',
    stop: () => cluster?.stop(),
  };
}

async function namespaceLabelsFrom(
  file: string | undefined,
  cluster: NamespaceSource | undefined,
): Promise<(ns: string) => Promise<NamespaceLabels>> {
  if (file) {
    // The webhook's own file source, so the CLI reads the file exactly as `serve` does.
    const source = fileNamespaceSource(file);
    await source.start().catch((error: Error) => {
      throw new InputError(`--namespace-labels ${error.message}`);
    });
    return (namespace) => source.labelsOf(namespace);
  }
  if (cluster) return (namespace) => cluster.labelsOf(namespace);
  return () => Promise.resolve({ known: false, why: 'no --namespace-labels and no kubeconfig' });
}

/**
 * The cluster only when a kubeconfig really exists: never the client's localhost:8080 guess. The
 * client is loaded only then, so offline runs start fast.
 */
async function clusterSource(): Promise<NamespaceSource | undefined> {
  const kubeconfig = process.env['KUBECONFIG'] || join(homedir(), '.kube', 'config');
  const inCluster = Boolean(process.env['KUBERNETES_SERVICE_HOST']);
  if (!inCluster && !kubeconfig.split(':').some((f) => f && existsSync(f))) return undefined;
  const [{ KubeConfig }, { clusterNamespaceSource }] = await Promise.all([
    import('@kubernetes/client-node'),
    import('../namespaces/cluster.js'),
  ]);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault();
  return clusterNamespaceSource({ kubeConfig, log: createLogger('silent'), lookupTimeoutMs: 3000 });
}

async function nativeFromCluster(cluster: NamespaceSource | undefined): Promise<boolean> {
  return supportsNativeSidecars(await cluster?.serverVersion?.().catch(() => undefined));
}
