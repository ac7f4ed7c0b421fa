import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SELECTOR_OPERATORS, rulesMatchPodCreate, selectorMatches } from '../../src/core/webhook-match.js';
import { judgeWebhooks } from '../../src/cli/webhooks-live.js';
import { ROOT } from '../helpers/pods.js';

/** Live explain judges webhooks as the API server does: rules, selectors, then matchConditions. */
const ours = parse(readFileSync(join(ROOT, 'manifests/base/webhook.yaml'), 'utf8')) as never;
const enabled = { 'istio-injection': 'enabled', 'kubernetes.io/metadata.name': 'demo' };
const unlabelled = { 'kubernetes.io/metadata.name': 'plain' };
const other = {
  metadata: { name: 'other-injector' },
  webhooks: [
    {
      name: 'inject.other.example.com',
      rules: [{ operations: ['*'], apiGroups: [''], apiVersions: ['*'], resources: ['pods'] }],
      objectSelector: { matchExpressions: [{ key: 'team', operator: 'Exists' }] },
      matchConditions: [
        { name: 'asks-authorizer', expression: 'authorizer.group("").resource("pods").check("get").allowed()' },
      ],
      failurePolicy: 'Fail',
    },
  ],
};

describe('label selectors and rules', () => {
  it('match as metav1 selectors do, for every operator', () => {
    const labels = { a: '1', b: '2' };
    expect(selectorMatches(undefined, labels)).toBe(true);
    expect(selectorMatches({}, labels)).toBe(true);
    expect(selectorMatches({ matchLabels: { a: '1' } }, labels)).toBe(true);
    expect(selectorMatches({ matchLabels: { a: '2' } }, labels)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'a', operator: 'In', values: ['1', '3'] }] }, labels)).toBe(
      true,
    );
    expect(selectorMatches({ matchExpressions: [{ key: 'c', operator: 'NotIn', values: ['1'] }] }, labels)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'c', operator: 'Exists' }] }, labels)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'c', operator: 'DoesNotExist' }] }, labels)).toBe(true);
  });

  it('evaluate every operator SELECTOR_OPERATORS lists (none falls through to matching nothing)', () => {
    for (const operator of SELECTOR_OPERATORS) {
      const selector = { matchExpressions: [{ key: 'a', operator, values: ['1'] }] };
      const results = ([{}, { a: '1' }, { a: '2' }] as Record<string, string>[]).map((labels) =>
        selectorMatches(selector, labels),
      );
      expect(results, operator).toContain(true);
      expect(results, operator).toContain(false);
    }
    expect(selectorMatches({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['0'] }] }, { a: '1' })).toBe(
      false,
    );
  });

  it('take only rules that cover CREATE of core/v1 pods', () => {
    expect(
      rulesMatchPodCreate([{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }]),
    ).toBe(true);
    expect(rulesMatchPodCreate([{ operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*'] }])).toBe(
      true,
    );
    expect(
      rulesMatchPodCreate([{ operations: ['UPDATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }]),
    ).toBe(false);
    expect(
      rulesMatchPodCreate([{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods/exec'] }]),
    ).toBe(false);
  });
});

describe('judging the installed webhooks for one pod', () => {
  const pod = (annotations: Record<string, string>, labels: Record<string, string> = {}) => ({
    metadata: { annotations, labels },
  });

  it('calls our namespace webhook in an enabled namespace, and not for a pod that opted out', async () => {
    const called = await judgeWebhooks([ours], { namespaceLabels: enabled, pod: pod({}) }, 'sidecar-injector');
    expect(called.map((w) => [w.webhook, w.called])).toEqual([
      ['namespace.sidecar-injector.io', true],
      ['opt-in.sidecar-injector.io', false],
    ]);
    const optedOut = await judgeWebhooks(
      [ours],
      { namespaceLabels: enabled, pod: pod({ 'sidecar.inject': 'False' }) },
      'sidecar-injector',
    );
    expect(optedOut[0]).toMatchObject({
      called: false,
      conditions: [
        { name: 'not-opted-out', value: false },
        { name: 'not-injected-or-ordered', value: true },
      ],
    });
  });

  it('sends an opted-in pod of an unlabelled namespace to the opt-in webhook only', async () => {
    const verdicts = await judgeWebhooks(
      [ours],
      { namespaceLabels: unlabelled, pod: pod({ 'sidecar.inject': 'true' }) },
      'sidecar-injector',
    );
    expect(verdicts.map((w) => w.called)).toEqual([false, true]);
  });

  it('names another injector by its objectSelector, and counts a condition it cannot evaluate as called under Fail', async () => {
    const [verdict] = await judgeWebhooks(
      [other],
      { namespaceLabels: enabled, pod: pod({}, { team: 'x' }) },
      'sidecar-injector',
    );
    expect(verdict).toMatchObject({ ours: false, called: true, configuration: 'other-injector' });
    expect(String(verdict?.conditions[0]?.value)).toMatch(/^not evaluated: /);
    const [unlabelledPod] = await judgeWebhooks(
      [other],
      { namespaceLabels: enabled, pod: pod({}) },
      'sidecar-injector',
    );
    expect(unlabelledPod).toMatchObject({ called: false, selectors: { objectSelector: false } });
  });
});
