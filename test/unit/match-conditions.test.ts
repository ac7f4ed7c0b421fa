import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluate } from '@marcbachmann/cel-js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { INJECT_ANNOTATION, NAMESPACE_ENABLED, NAMESPACE_LABEL, readToggle } from '../../src/core/annotations.js';
import { MATCH_CONDITIONS, type MatchCondition } from '../../src/core/match-conditions.js';
import { ROOT } from '../helpers/pods.js';

interface Webhook {
  name: string;
  matchConditions: MatchCondition[];
  namespaceSelector: { matchExpressions: { key: string; operator: string; values?: string[] }[] };
}

const webhooks = (parse(readFileSync(join(ROOT, 'manifests/base/webhook.yaml'), 'utf8')) as { webhooks: Webhook[] })
  .webhooks;
const byName = (name: string): Webhook => webhooks.find((w) => w.name === name) as Webhook;

describe('the webhooks’ CEL matchConditions come from the core’s annotation table', () => {
  it('are exactly the generated conditions, in each webhook', () => {
    expect(byName('namespace.sidecar-injector.io').matchConditions).toEqual(MATCH_CONDITIONS.namespace);
    expect(byName('opt-in.sidecar-injector.io').matchConditions).toEqual(MATCH_CONDITIONS.optIn);
  });

  it('select namespaces by the label the core reads', () => {
    const keys = webhooks.map((w) => w.namespaceSelector.matchExpressions[0]);
    expect(keys).toEqual([
      { key: NAMESPACE_LABEL, operator: 'In', values: [NAMESPACE_ENABLED] },
      { key: NAMESPACE_LABEL, operator: 'DoesNotExist' },
    ]);
  });

  // What users write; cel-js trims as JavaScript does, so U+FEFF and U+0085 (where Go and JS
  // differ) are left to the real control plane.
  const values = ['true', 'false', 'TRUE', 'False', ' true', 'false\n', '\ttrue\t', 'true\u00a0', 'yes', '', 'truee'];
  for (const value of values) {
    it(`send the pod exactly when the core would consider it (sidecar.inject: ${JSON.stringify(value)})`, () => {
      const object = { metadata: { annotations: { [INJECT_ANNOTATION]: value } } };
      const sent = (conditions: readonly MatchCondition[]): boolean =>
        conditions.every((c) => evaluate(c.expression, { object }) === true);
      const toggle = readToggle({ [INJECT_ANNOTATION]: value }, INJECT_ANNOTATION).value;
      expect(sent(MATCH_CONDITIONS.namespace), 'namespace webhook').toBe(toggle !== 'false');
      expect(sent(MATCH_CONDITIONS.optIn), 'opt-in webhook').toBe(toggle === 'true');
    });
  }

  it('send a pod without annotations to the namespace webhook only', () => {
    const object = { metadata: {} };
    expect(MATCH_CONDITIONS.namespace.every((c) => evaluate(c.expression, { object }) === true)).toBe(true);
    expect(MATCH_CONDITIONS.optIn.every((c) => evaluate(c.expression, { object }) === true)).toBe(false);
  });
});
