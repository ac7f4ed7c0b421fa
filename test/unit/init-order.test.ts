import { describe, expect, it } from 'vitest';
import { decide } from '../../src/core/decide.js';
import type { InjectionSettings } from '../../src/core/inject.js';
import { SETTINGS, applyStrictly, loadTemplateSet, makePod, type Json } from '../helpers/pods.js';

/** sidecar.inject/init-order (issue 14 item 6): placement, and kept on reinvocation. */
const templates = loadTemplateSet();
const enabled = { known: true as const, labels: { 'istio-injection': 'enabled' } };
const NATIVE: InjectionSettings = { ...SETTINGS, nativeSidecars: true };
const OTHER = { name: 'other-webhooks-init', image: 'registry.k8s.io/pause:3.10' };

function run(pod: Json, settings: InjectionSettings = SETTINGS) {
  return decide({ object: pod, namespace: 'demo', namespaceLabels: enabled, templates, settings });
}
function userPod(order?: string): Json {
  return makePod({
    ...(order === undefined ? {} : { annotations: { 'sidecar.inject/init-order': order } }),
    spec: { initContainers: [{ name: 'user-init', image: 'busybox:1.36' }] },
  });
}
function injectedPod(pod: Json, settings: InjectionSettings = SETTINGS): Json {
  const outcome = run(pod, settings);
  if (outcome.kind !== 'inject') throw new Error(`not injected: ${outcome.reason}`);
  return applyStrictly(pod, outcome.ops);
}
const initNames = (pod: Json): string[] =>
  ((pod['spec'] as { initContainers?: { name: string }[] }).initContainers ?? []).map((c) => c.name);
function withOther(pod: Json, where: 'front' | 'back'): Json {
  const copy = structuredClone(pod);
  const init = (copy['spec'] as { initContainers: Json[] }).initContainers;
  if (where === 'front') init.unshift(OTHER);
  else init.push(OTHER);
  return copy;
}

describe('placement on injection', () => {
  const cases: [string, string | undefined, InjectionSettings, string[]][] = [
    ['classic, unset: after the user’s', undefined, SETTINGS, ['user-init', 'sidecar-init']],
    ['classic, first', 'first', SETTINGS, ['sidecar-init', 'user-init']],
    ['classic, last', 'last', SETTINGS, ['user-init', 'sidecar-init']],
    ['native, unset: before the user’s', undefined, NATIVE, ['sidecar-init', 'sidecar-proxy', 'user-init']],
    ['native, first', ' First ', NATIVE, ['sidecar-init', 'sidecar-proxy', 'user-init']],
    ['native, last', 'last', NATIVE, ['user-init', 'sidecar-init', 'sidecar-proxy']],
  ];
  for (const [name, order, settings, expected] of cases) {
    it(`${name}: ${expected.join(', ')}`, () => {
      expect(initNames(injectedPod(userPod(order), settings))).toEqual(expected);
    });
  }

  it('denies any other value as an invalid override, naming the accepted ones', () => {
    expect(run(userPod('middle'))).toMatchObject({
      kind: 'deny',
      reason: 'invalid_override',
      message: 'sidecar.inject/init-order: invalid value "middle", expected first or last',
    });
  });
});

describe('reinvocation: another webhook added init containers after ours', () => {
  const cases: [string, string, InjectionSettings, 'front' | 'back', string[]][] = [
    ['first, another prepended', 'first', SETTINGS, 'front', ['sidecar-init', 'other-webhooks-init', 'user-init']],
    ['last, another appended', 'last', SETTINGS, 'back', ['user-init', 'other-webhooks-init', 'sidecar-init']],
    [
      'native last, another appended',
      'last',
      NATIVE,
      'back',
      ['user-init', 'other-webhooks-init', 'sidecar-init', 'sidecar-proxy'],
    ],
    [
      'native first, another prepended',
      'first',
      NATIVE,
      'front',
      ['sidecar-init', 'sidecar-proxy', 'other-webhooks-init', 'user-init'],
    ],
  ];
  for (const [name, order, settings, where, expected] of cases) {
    it(`${name}: ours move back with move ops only, everything else unchanged`, () => {
      const reinvoked = withOther(injectedPod(userPod(order), settings), where);
      const outcome = run(reinvoked, settings);
      expect(outcome).toMatchObject({ kind: 'inject', reason: 'init_order_restored', templates: ['proxy'] });
      if (outcome.kind !== 'inject') return;
      expect(outcome.ops.every((op) => op.op === 'move')).toBe(true);
      const restored = applyStrictly(reinvoked, outcome.ops);
      expect(initNames(restored)).toEqual(expected);
      const byName = (pod: Json) =>
        Object.fromEntries(
          (pod['spec'] as { initContainers: { name: string }[] }).initContainers.map((c) => [c.name, c]),
        );
      expect(byName(restored)).toEqual(byName(reinvoked));
      expect({ ...restored, spec: { ...(restored['spec'] as Json), initContainers: [] } }).toEqual({
        ...reinvoked,
        spec: { ...(reinvoked['spec'] as Json), initContainers: [] },
      });
      expect(run(restored, settings)).toMatchObject({ kind: 'skip', reason: 'already_injected' });
    });
  }

  it('leaves an order that still holds alone: first, and another appended behind', () => {
    const reinvoked = withOther(injectedPod(userPod('first')), 'back');
    expect(run(reinvoked)).toMatchObject({ kind: 'skip', reason: 'already_injected' });
  });

  it('leaves a pod that asks for no order as it is (default: as today)', () => {
    const reinvoked = withOther(injectedPod(userPod()), 'back');
    expect(initNames(reinvoked)).toEqual(['user-init', 'sidecar-init', 'other-webhooks-init']);
    expect(run(reinvoked)).toMatchObject({ kind: 'skip', reason: 'already_injected' });
  });
});
