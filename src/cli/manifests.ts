import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseAllDocuments, type Document } from 'yaml';
import type { NamespaceLabels } from '../core/decide.js';
import { inject, type Injection, type InjectionSettings } from '../core/inject.js';
import { findPodSites, type PodSite } from '../core/workloads.js';
import type { TemplateSet } from '../core/templates.js';
import { createLogger } from '../log.js';
import { parseNamespaceLabels } from '../namespaces/file.js';
import type { NamespaceSource } from '../namespaces/source.js';
import { loadTemplates } from '../template-files.js';
import { applyToDocument } from './yaml-patch.js';

/** A usage or input problem: one line on stderr, exit code 2. */
class InputError extends Error {}

const OPTIONS = {
  file: { type: 'string', short: 'f' },
  namespace: { type: 'string', short: 'n' },
  'namespace-labels': { type: 'string' },
  templates: { type: 'string' },
  'default-templates': { type: 'string', default: 'proxy' },
  native: { type: 'string', default: 'auto' },
  'injector-namespace': { type: 'string', default: 'sidecar-injector' },
  output: { type: 'string', short: 'o', default: 'text' },
} as const;

interface Context {
  file: string;
  templates: TemplateSet;
  settings: InjectionSettings;
  labelsOf: (namespace: string) => Promise<NamespaceLabels>;
  defaultNamespace: string;
  stop: () => void;
}

interface SiteResult {
  site: PodSite;
  namespace: string;
  injection: Injection;
}

export function runInject(args: string[]): Promise<number> {
  return withContext('inject', args, async (context, docs, json) => {
    for (const [index, doc] of docs.entries()) {
      for (const { site, injection } of await injectDocument(context, doc)) {
        if (injection.kind === 'deny') {
          throw new InputError(`${context.file}: document ${index}: ${site.kind}/${site.name}: ${injection.message}`);
        }
        if (injection.kind === 'inject') applyToDocument(doc, site.path, injection.ops);
      }
    }
    process.stdout.write(json ? `${docs.map((d) => JSON.stringify(d.toJS(), null, 2)).join('\n')}\n` : joinYaml(docs));
  });
}

export function runExplain(args: string[]): Promise<number> {
  return withContext('explain', args, async (context, docs, _json, output) => {
    const rows: SiteResult[] = [];
    for (const doc of docs) rows.push(...(await injectDocument(context, doc)));
    if (output === 'json') {
      process.stdout.write(`${JSON.stringify(rows.map(explainRow), null, 2)}\n`);
      return;
    }
    for (const row of rows.map(explainRow)) {
      process.stdout.write(`${row.kind}/${row.name} ${row.decision} ${row.reason} ${row.templates.join(',') || '-'}\n`);
    }
  });
}

interface ExplainRow {
  kind: string;
  name: string;
  namespace: string;
  decision: 'INJECT' | 'SKIP' | 'DENY';
  reason: string;
  templates: string[];
  message?: string;
  warnings: string[];
}

function explainRow({ site, namespace, injection }: SiteResult): ExplainRow {
  return {
    kind: site.kind,
    name: site.name,
    namespace,
    decision: injection.kind === 'inject' ? 'INJECT' : injection.kind === 'skip' ? 'SKIP' : 'DENY',
    reason: injection.reason,
    templates: injection.kind === 'inject' ? injection.templates : [],
    ...(injection.kind === 'deny' ? { message: injection.message } : {}),
    warnings: injection.warnings,
  };
}

async function injectDocument(context: Context, doc: Document): Promise<SiteResult[]> {
  const results: SiteResult[] = [];
  for (const site of findPodSites(doc.toJS())) {
    const namespace = site.namespace ?? context.defaultNamespace;
    const injection = inject({
      object: site.pod,
      namespace,
      namespaceLabels: await context.labelsOf(namespace),
      templates: context.templates,
      settings: context.settings,
      nameHint: site.nameHint,
    });
    results.push({ site, namespace, injection });
  }
  return results;
}

type Body = (context: Context, docs: Document[], json: boolean, output: string) => Promise<void>;

async function withContext(command: string, args: string[], body: Body): Promise<number> {
  let context: Context | undefined;
  try {
    const { values } = parseArgs({ args, options: OPTIONS, strict: true });
    if (!values.file) throw new InputError('-f FILE (or -f - for stdin) is required');
    if (!['auto', 'true', 'false'].includes(values.native))
      throw new InputError('--native must be auto, true or false');
    if (!['text', 'json'].includes(values.output)) throw new InputError('-o must be text or json');
    const text = readInput(values.file);
    const docs = parseDocuments(text, values.file === '-' ? '<stdin>' : values.file);
    context = await buildContext(values);
    await body(context, docs, text.trimStart().startsWith('{'), values.output);
    return 0;
  } catch (error) {
    const usage =
      error instanceof InputError || Boolean((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'));
    process.stderr.write(`sidecar-injector ${command}: ${(error as Error).message.split('\n')[0]}\n`);
    return usage ? 2 : 1;
  } finally {
    context?.stop();
  }
}

function readInput(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    throw new InputError(`${file}: ${(error as Error).message}`);
  }
}

function parseDocuments(text: string, file: string): Document[] {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) return [];
  docs.forEach((doc, index) => {
    const error = doc.errors[0];
    if (error) throw new InputError(`${file}: document ${index}: ${error.message.split('\n')[0]}`);
  });
  return docs.filter((doc) => doc.contents !== null);
}

function joinYaml(docs: Document[]): string {
  return docs
    .map((doc, index) => {
      const text = doc.toString({ lineWidth: 0 });
      return index > 0 && !text.startsWith('---') ? `---\n${text}` : text;
    })
    .join('');
}

async function buildContext(values: Record<string, string | undefined>): Promise<Context> {
  // The templates this package ships, unless told otherwise: same set as the default install.
  const dir =
    values['templates'] ?? process.env['TEMPLATES_DIR'] ?? fileURLToPath(new URL('../../templates/', import.meta.url));
  const { result } = await loadTemplates(dir).catch((error: Error) => {
    throw new InputError(`--templates ${dir}: ${error.message}`);
  });
  if (!result.ok) throw new InputError(`--templates: ${result.errors[0]}`);
  const cluster = values['namespace-labels'] ? undefined : await clusterSource();
  const labelsOf = namespaceLabelsFrom(values['namespace-labels'], cluster);
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

function namespaceLabelsFrom(
  file: string | undefined,
  cluster: NamespaceSource | undefined,
): (ns: string) => Promise<NamespaceLabels> {
  if (file) {
    let labels: Map<string, Record<string, string>>;
    try {
      labels = parseNamespaceLabels(readFileSync(file, 'utf8'), file);
    } catch (error) {
      throw new InputError(`--namespace-labels ${(error as Error).message}`);
    }
    return (namespace) => Promise.resolve({ known: true, labels: labels.get(namespace) ?? {} });
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
  const version = await cluster?.serverVersion?.().catch(() => undefined);
  return version !== undefined && (version.major > 1 || (version.major === 1 && version.minor >= 29));
}
