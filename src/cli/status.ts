import { parseArgs } from 'node:util';
import { connect } from './cluster.js';
import { runCommand } from './command.js';
import { CONTEXT_OPTIONS, InputError, buildContext } from './context.js';
import { currentNamespace } from './explain-live.js';
import { withInstalledFlags } from './installed-flags.js';
import { restartOwners } from './restart.js';
import { statusRows, type OwnerRow } from './status-rows.js';

/**
 * sidecar-injector status: which workloads run current sidecars, outdated ones (and which
 * template changed), none although today's rules would inject them, or none by a rule.
 */
const OPTIONS = {
  namespace: { type: 'string', short: 'n' },
  'all-namespaces': { type: 'boolean', short: 'A', default: false },
  restart: { type: 'boolean', default: false },
  'dry-run': { type: 'boolean', default: false },
  output: { type: 'string', short: 'o', default: 'text' },
  'webhook-configuration': { type: 'string', default: 'sidecar-injector' },
  ...CONTEXT_OPTIONS,
} as const;

export function runStatus(args: string[]): Promise<number> {
  let exitCode = 0;
  return runCommand('status', async () => {
    const { values } = parseArgs({ args, options: OPTIONS, strict: true });
    if (values.namespace && values['all-namespaces']) throw new InputError('-n and -A exclude each other');
    if (values['dry-run'] && !values.restart) throw new InputError('--dry-run goes with --restart');
    if (!['text', 'json'].includes(values.output)) throw new InputError('-o must be text or json');
    const cluster = await connect();
    const namespace = values['all-namespaces'] ? undefined : (values.namespace ?? currentNamespace(cluster));
    const given = {
      templates: values.templates,
      'default-templates': values['default-templates'],
      native: values.native,
      'injector-namespace': values['injector-namespace'],
      'namespace-label': values['namespace-label'],
      'istio-alias': values['istio-alias'],
    };
    const context = await buildContext(await withInstalledFlags(cluster, values['webhook-configuration'], given));
    try {
      const rows = await statusRows(cluster, context, namespace);
      process.stdout.write(values.output === 'json' ? `${JSON.stringify(rows, null, 2)}\n` : table(rows));
      if (!values.restart) return;
      const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      const restarted = await restartOwners(cluster, rows, { dryRun: values['dry-run'], now });
      process.stderr.write(restarted.lines.map((line) => `${line}\n`).join(''));
      if (restarted.failed) exitCode = 1;
    } finally {
      context.stop();
    }
  }).then((code) => (code === 0 ? exitCode : code));
}

const HEADER = ['NAMESPACE', 'OWNER', 'STATE', 'PODS', 'DETAIL'];

function table(rows: readonly OwnerRow[]): string {
  if (rows.length === 0) return 'no running pods in scope\n';
  const cells = rows.map((r) => [
    r.namespace,
    `${r.owner.kind}/${r.owner.name}`,
    r.state,
    String(r.pods),
    r.details.join('; '),
  ]);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]): string => c.map((v, i) => (i < c.length - 1 ? v.padEnd(widths[i] ?? 0) : v)).join('  ');
  return `${[HEADER, ...cells].map(line).join('\n')}\n`;
}
