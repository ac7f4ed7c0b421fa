import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseAllDocuments, type Document } from 'yaml';
import { inject, type Injection } from '../core/inject.js';
import { findPodSites, type PodSite } from '../core/workloads.js';
import { InputError, buildContext, type Context } from './context.js';
import { applyToDocument } from './yaml-patch.js';

/** sidecar-injector inject and explain: the webhook's core over files, offline. */

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
