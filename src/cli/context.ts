import { homedir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { injectionSettings, loadConfig } from '../config.js';
import type { NamespaceLabels } from '../core/decide.js';
import type { InjectionSettings } from '../core/inject.js';
import type { TemplateSet } from '../core/templates.js';
import { createLogger } from '../log.js';
import { loadKubeConfig, nativeSidecars } from '../kube/cluster-facts.js';
import { fileNamespaceSource } from '../kube/namespaces-file.js';
import type { NamespaceSource } from '../kube/namespace-source.js';
import { loadTemplates } from '../templates/files.js';

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

/** The flags buildContext reads, declared once for every command that builds a context. */
export const CONTEXT_OPTIONS = {
  templates: { type: 'string' },
  'default-templates': { type: 'string', default: 'proxy' },
  native: { type: 'string', default: 'auto' },
  'injector-namespace': { type: 'string', default: 'sidecar-injector' },
  'namespace-label': { type: 'string' },
  'istio-alias': { type: 'string' },
} as const;

/** The CLI's flags go through the webhook's own validated configuration, so both read them alike. */
export async function buildContext(values: Record<string, string | undefined>): Promise<Context> {
  const loaded = loadConfig({
    // The templates this package ships, unless told otherwise: same set as the default install.
    TEMPLATES_DIR:
      values['templates'] ??
      process.env['TEMPLATES_DIR'] ??
      fileURLToPath(new URL('../../templates/', import.meta.url)),
    INJECTOR_NAMESPACE: values['injector-namespace'],
    DEFAULT_TEMPLATES: values['default-templates'],
    NATIVE_SIDECARS: values['native'],
    NAMESPACE_LABEL: values['namespace-label'],
    ISTIO_INJECT_ALIAS: values['istio-alias'],
  });
  if (!loaded.ok) throw new InputError(asFlag(loaded.errors[0] ?? 'invalid options'));
  const config = loaded.config;
  const { result } = await loadTemplates(config.TEMPLATES_DIR).catch((error: Error) => {
    throw new InputError(`--templates ${config.TEMPLATES_DIR}: ${error.message}`);
  });
  if (!result.ok) throw new InputError(`--templates: ${result.errors[0]}`);
  const kubeConfig = values['namespace-labels'] ? undefined : await loadKubeConfig(process.env, homedir());
  const cluster = kubeConfig ? await clusterSource(kubeConfig) : undefined;
  const labelsOf = await namespaceLabelsFrom(values['namespace-labels'], cluster);
  const native = await nativeSidecars(config.NATIVE_SIDECARS, kubeConfig);
  return {
    file: values['file'] === '-' ? '<stdin>' : (values['file'] ?? '<stdin>'),
    templates: result.templates,
    settings: injectionSettings(config, native),
    labelsOf,
    defaultNamespace: values['namespace'] ?? 'default',
    stop: () => cluster?.stop(),
  };
}

const FLAGS: Record<string, string> = {
  TEMPLATES_DIR: '--templates',
  INJECTOR_NAMESPACE: '--injector-namespace',
  DEFAULT_TEMPLATES: '--default-templates',
  NATIVE_SIDECARS: '--native',
  NAMESPACE_LABEL: '--namespace-label',
  ISTIO_INJECT_ALIAS: '--istio-alias',
};

/** "INJECTOR_NAMESPACE: a namespace name" → "--injector-namespace: a namespace name". */
function asFlag(error: string): string {
  const variable = error.split(':', 1)[0] ?? '';
  return FLAGS[variable] ? `${FLAGS[variable]}${error.slice(variable.length)}` : error;
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

/** Loaded only with a kubeconfig, so offline runs start fast. */
async function clusterSource(kubeConfig: import('@kubernetes/client-node').KubeConfig): Promise<NamespaceSource> {
  const { clusterNamespaceSource } = await import('../kube/namespaces-cluster.js');
  return clusterNamespaceSource({ kubeConfig, log: createLogger('silent'), lookupTimeoutMs: 3000 });
}
