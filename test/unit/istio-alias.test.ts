import { evaluate } from '@marcbachmann/cel-js';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { decide, type NamespaceLabels } from '../../src/core/decide.js';
import type { InjectionSettings } from '../../src/core/inject.js';
import { matchConditions, type MatchCondition } from '../../src/core/match-conditions.js';
import { podToggle } from '../../src/core/pod-toggle.js';
import { readPod, type PodView } from '../../src/core/pod.js';
import { SETTINGS, loadTemplateSet, makePod } from '../helpers/pods.js';

/** Istio's sidecar.istio.io/inject as an alias of sidecar.inject, and the namespace label key (issue 14 item 2). */
const templates = loadTemplateSet();
const enabled: NamespaceLabels = { known: true, labels: { 'istio-injection': 'enabled' } };
const unlabelled: NamespaceLabels = { known: true, labels: {} };
const ISTIO = 'sidecar.istio.io/inject';

function podOf(annotations: Record<string, string>, labels: Record<string, string> = {}) {
  return makePod({ annotations, metadata: { labels } });
}
function decision(pod: unknown, namespaceLabels = enabled, settings: InjectionSettings = SETTINGS) {
  return decide({ object: pod, namespace: 'demo', namespaceLabels, templates, settings });
}
function view(pod: unknown): PodView {
  const reading = readPod(pod);
  if (!reading.ok) throw new Error(reading.message);
  return reading.pod;
}

describe('the pod’s switch: sidecar.inject, then Istio’s label, then Istio’s annotation', () => {
  it('honours Istio’s opt-out by annotation and by label in an enabled namespace', () => {
    expect(decision(podOf({ [ISTIO]: 'false' })).reason).toBe('pod_opted_out');
    expect(decision(podOf({}, { [ISTIO]: 'false' })).reason).toBe('pod_opted_out');
  });

  it('honours Istio’s opt-in by annotation and by label in an unlabelled namespace', () => {
    expect(decision(podOf({ [ISTIO]: 'TRUE' }), unlabelled).reason).toBe('pod_opted_in');
    expect(decision(podOf({}, { [ISTIO]: 'true' }), unlabelled).reason).toBe('pod_opted_in');
  });

  it('lets ours beat Istio’s: sidecar.inject "true" with Istio’s "false" is injected, and the reverse skipped', () => {
    expect(decision(podOf({ 'sidecar.inject': 'true', [ISTIO]: 'false' }, { [ISTIO]: 'false' })).kind).toBe('inject');
    expect(decision(podOf({ 'sidecar.inject': 'false', [ISTIO]: 'true' }), unlabelled).reason).toBe('pod_opted_out');
  });

  it('lets Istio’s label beat Istio’s annotation, as Istio does', () => {
    expect(decision(podOf({ [ISTIO]: 'true' }, { [ISTIO]: 'false' })).reason).toBe('pod_opted_out');
    expect(decision(podOf({ [ISTIO]: 'false' }, { [ISTIO]: 'true' }), unlabelled).reason).toBe('pod_opted_in');
  });

  it('falls through an unreadable value of ours to Istio’s, keeping the warning', () => {
    const result = decision(podOf({ 'sidecar.inject': 'maybe', [ISTIO]: 'false' }));
    expect(result.reason).toBe('pod_opted_out');
    expect(result.warnings[0]).toMatch(/^annotation sidecar.inject: "maybe" is neither/);
    expect(podToggle(view(podOf({}, { [ISTIO]: 'nope' })), true).warning).toMatch(/^label sidecar.istio.io\/inject/);
  });

  it('ignores Istio’s key entirely when the alias is off', () => {
    const off = { ...SETTINGS, istioInjectAlias: false };
    expect(decision(podOf({ [ISTIO]: 'false' }, { [ISTIO]: 'false' }), enabled, off).kind).toBe('inject');
    expect(decision(podOf({ [ISTIO]: 'true' }), unlabelled, off).reason).toBe('namespace_not_enabled');
  });
});

describe('the CEL of both webhooks sends exactly the pods the core decides on, alias on and off', () => {
  const values = [undefined, 'true', 'false', ' False ', 'maybe'];
  const sent = (conditions: readonly MatchCondition[], object: unknown): boolean =>
    conditions.every((c) => evaluate(c.expression, { object }) === true);
  for (const istioAlias of [true, false]) {
    it(`agrees with podToggle() on all ${values.length ** 3} combinations (alias ${istioAlias ? 'on' : 'off'})`, () => {
      const conditions = matchConditions({ istioAlias });
      for (const own of values) {
        for (const label of values) {
          for (const annotation of values) {
            const annotations: Record<string, string> = {
              ...(own ? { 'sidecar.inject': own } : {}),
              ...(annotation ? { [ISTIO]: annotation } : {}),
            };
            const labels: Record<string, string> = label ? { [ISTIO]: label.trim() } : {};
            const toggle = podToggle(view(podOf(annotations, labels)), istioAlias).value;
            const object = { metadata: { annotations, labels } };
            const what = JSON.stringify({ annotations, labels });
            expect(sent(conditions.namespace, object), `namespace webhook ${what}`).toBe(toggle !== 'false');
            expect(sent(conditions.optIn, object), `opt-in webhook ${what}`).toBe(toggle === 'true');
          }
        }
      }
    });
  }

  it('sends an injected pod again only when it asks for an init order (reinvocation)', () => {
    const { namespace } = matchConditions({ istioAlias: true });
    const status = { 'sidecar.inject/status': '{}' };
    expect(sent(namespace, { metadata: { annotations: status } })).toBe(false);
    expect(sent(namespace, { metadata: { annotations: { ...status, 'sidecar.inject/init-order': 'last' } } })).toBe(
      true,
    );
  });
});

describe('the namespace label key is a setting', () => {
  const custom = { ...SETTINGS, namespaceLabel: 'example.com/sidecar-injection' };

  it('reads the configured key and ignores istio-injection then', () => {
    const labelled: NamespaceLabels = { known: true, labels: { 'example.com/sidecar-injection': 'enabled' } };
    expect(decision(makePod(), labelled, custom).reason).toBe('namespace_enabled');
    expect(decision(makePod(), enabled, custom).reason).toBe('namespace_not_enabled');
  });

  it('is validated as a label key when the configuration is loaded', () => {
    const ok = loadConfig({ NAMESPACE_LABEL: 'example.com/sidecar-injection', ISTIO_INJECT_ALIAS: 'false' });
    expect(ok.ok && [ok.config.NAMESPACE_LABEL, ok.config.ISTIO_INJECT_ALIAS]).toEqual([
      'example.com/sidecar-injection',
      'false',
    ]);
    for (const bad of ['has space', "quote'", 'a/b/c', '-lead', `${'x'.repeat(64)}`]) {
      const result = loadConfig({ NAMESPACE_LABEL: bad });
      expect(result.ok, bad).toBe(false);
      expect(!result.ok && result.errors[0]).toMatch(/^NAMESPACE_LABEL: a label key/);
    }
  });
});
