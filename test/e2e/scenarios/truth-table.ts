import type { Json } from '../kubectl.js';
import { assert, describePod, inNamespace, isInjected, namespace, pod, type Scenario } from './context.js';

/** `sidecar.inject` values: absent, the documented ones in several spellings, and ones that mean nothing. */
const VALUES: ReadonlyArray<string | undefined> = [
  undefined,
  'true',
  ' true',
  'TRUE',
  'True ',
  'false',
  ' FALSE',
  'False',
  'yes',
  '',
];

const NAMESPACES: ReadonlyArray<[string, Record<string, string>]> = [
  ['e2e-table-enabled', { 'istio-injection': 'enabled' }],
  ['e2e-table-disabled', { 'istio-injection': 'disabled' }],
  ['e2e-table-unlabelled', {}],
];

interface Case {
  ns: string;
  value: string | undefined;
  pod: Json;
}

function cases(): Case[] {
  return NAMESPACES.flatMap(([ns]) =>
    VALUES.map((value, i) => {
      const object = pod(`value-${i}`, value === undefined ? {} : { 'sidecar.inject': value });
      return { ns, value, pod: inNamespace(object, ns) };
    }),
  );
}

interface ExplainRow {
  namespace: string;
  name: string;
  decision: string;
  reason: string;
}

/** The API server's decision (what it stored) against `sidecar-injector explain` for the same pods. */
export const truthTable: Scenario = {
  name: 'opt-out, disabled, unlabelled and opt-in (" true", "TRUE", …): what the API server stores agrees with `explain`',
  async run(ctx) {
    for (const [ns, labels] of NAMESPACES) await namespace(ctx, ns, labels);
    const all = cases();
    const list = { apiVersion: 'v1', kind: 'List', items: all.map((c) => c.pod) };
    const explained = JSON.parse(
      await ctx.cli(['explain', '-f', '-', '-o', 'json'], JSON.stringify(list)),
    ) as ExplainRow[];
    const rows: string[] = [];
    const disagreements: string[] = [];
    for (const [i, c] of all.entries()) {
      const stored = await ctx.kubectl.submit(['create'], c.pod);
      const predicted = explained[i];
      const cluster = isInjected(stored) ? 'inject' : 'skip';
      const row = `${c.ns} ${JSON.stringify(c.value ?? null)}: stored ${cluster}, explain ${predicted?.decision} ${predicted?.reason}`;
      rows.push(row);
      if (predicted?.decision !== cluster) disagreements.push(`${row} (${describePod(stored)})`);
    }
    assert(disagreements.length === 0, `API server and explain disagree:\n  ${disagreements.join('\n  ')}`);
    return `${rows.length} cases agree:\n    ${rows.join('\n    ')}`;
  },
};
