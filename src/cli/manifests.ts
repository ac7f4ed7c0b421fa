import { parseArgs } from 'node:util';
import type { Document } from 'yaml';
import type { Outcome } from '../core/outcome.js';
import { describeReason } from '../core/reasons.js';
import { findPodSites, type PodSite } from '../core/workloads.js';
import { inputNames, runCommand } from './command.js';
import { CONTEXT_OPTIONS, InputError, buildContext, type Context } from './context.js';
import { evaluate } from './evaluate.js';
import { isLiveReference, runLiveExplain } from './explain-live.js';
import { joinOutputs, readSources, type Source } from './input.js';
import { applyToDocument } from './yaml-patch.js';
import { parseStream, renderStream } from './yaml-stream.js';

/** sidecar-injector inject and explain: the webhook's core over files, offline. */

const OPTIONS = {
  file: { type: 'string', short: 'f', multiple: true },
  namespace: { type: 'string', short: 'n' },
  'namespace-labels': { type: 'string' },
  ...CONTEXT_OPTIONS,
  output: { type: 'string', short: 'o', default: 'text' },
} as const;

interface SiteResult {
  site: PodSite;
  namespace: string;
  injection: Outcome;
}

export function runInject(args: string[]): Promise<number> {
  return withContext('inject', args, async (context, sources) => {
    const outputs: string[] = [];
    for (const source of sources) outputs.push(await injectSource(context, source));
    process.stdout.write(joinOutputs(outputs));
  });
}

/** Injects every pod of one source; documents without a pod to change keep their exact text. */
async function injectSource(context: Context, source: Source): Promise<string> {
  const segments = parseStream(source);
  for (const [index, segment] of segments.entries()) {
    for (const { site, injection } of await injectDocument(context, segment.doc)) {
      const where = `${source.name}: document ${index}: ${site.kind}/${site.name}`;
      if (injection.kind === 'deny' || injection.kind === 'error')
        throw new InputError(`${where}: ${injection.message}`);
      // As kubectl shows the API server's warnings: on stderr, so the pipeline's output stays YAML.
      for (const warning of injection.warnings) process.stderr.write(`Warning: ${where}: ${warning}\n`);
      if (injection.kind === 'inject') {
        applyToDocument(segment.doc, site.path, injection.ops);
        segment.changed = true;
      }
    }
  }
  return renderStream(segments);
}

export function runExplain(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: OPTIONS, strict: false, allowPositionals: true });
  const [reference] = positionals;
  if (positionals.length === 1 && !values.file && reference && isLiveReference(reference)) {
    return runLiveExplain(reference, args, OPTIONS);
  }
  return withContext('explain', args, async (context, sources, output) => {
    const rows: SiteResult[] = [];
    for (const source of sources) {
      for (const segment of parseStream(source)) rows.push(...(await injectDocument(context, segment.doc)));
    }
    if (output === 'json') {
      process.stdout.write(`${JSON.stringify(rows.map(explainRow), null, 2)}\n`);
      return;
    }
    for (const row of rows.map(explainRow)) {
      process.stdout.write(`${row.kind}/${row.name} ${row.decision} ${row.reason} ${row.templates.join(',') || '-'}\n`);
      for (const warning of row.warnings) process.stdout.write(`  warning: ${warning}\n`);
    }
  });
}

interface ExplainRow {
  kind: string;
  name: string;
  namespace: string;
  decision: Outcome['kind'];
  reason: string;
  why: string;
  templates: string[];
  message?: string;
  warnings: string[];
}

function explainRow({ site, namespace, injection }: SiteResult): ExplainRow {
  return {
    kind: site.kind,
    name: site.name,
    namespace,
    decision: injection.kind,
    reason: injection.reason,
    why: describeReason(injection.reason),
    templates: injection.kind === 'inject' ? injection.templates : [],
    ...(injection.kind === 'deny' || injection.kind === 'error' ? { message: injection.message } : {}),
    warnings: injection.warnings,
  };
}

async function injectDocument(context: Context, doc: Document): Promise<SiteResult[]> {
  const results: SiteResult[] = [];
  for (const site of findPodSites(doc.toJS())) {
    const namespace = site.namespace ?? context.defaultNamespace;
    results.push({ site, namespace, injection: await evaluate(context, site.pod, namespace, site.nameHint) });
  }
  return results;
}

type Body = (context: Context, sources: Source[], output: string) => Promise<void>;

function withContext(command: string, args: string[], body: Body): Promise<number> {
  return runCommand(command, async () => {
    const { values, positionals } = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: true });
    if (!['auto', 'true', 'false'].includes(values.native))
      throw new InputError('--native must be auto, true or false');
    if (!['text', 'json'].includes(values.output)) throw new InputError('-o must be text or json');
    const sources = readSources(inputNames(values.file, positionals));
    const context = await buildContext({ ...values, file: sources[0]?.name });
    try {
      await body(context, sources, values.output);
    } finally {
      context.stop();
    }
  });
}
