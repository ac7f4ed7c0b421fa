import { describe, expect, it } from 'vitest';
import { decide, type NamespaceLabels } from '../../src/core/decide.js';
import { SETTINGS, loadTemplateSet, makePod } from '../helpers/pods.js';

const templates = loadTemplateSet();

const enabled: NamespaceLabels = { known: true, labels: { 'istio-injection': 'enabled' } };
const disabled: NamespaceLabels = { known: true, labels: { 'istio-injection': 'disabled' } };
const unlabelled: NamespaceLabels = { known: true, labels: {} };
const unknown: NamespaceLabels = { known: false, why: 'API server unreachable' };

function decideFor(pod: unknown, namespaceLabels: NamespaceLabels, namespace = 'demo') {
  const outcome = decide({ object: pod, namespace, namespaceLabels, templates, settings: SETTINGS });
  return { ...outcome, inject: outcome.kind === 'inject' };
}

describe('decide: namespace label x pod annotation truth table', () => {
  const cases: [string, NamespaceLabels, string | undefined, boolean, string][] = [
    ['enabled namespace, no annotation', enabled, undefined, true, 'namespace_enabled'],
    ['enabled namespace, opt-in', enabled, 'true', true, 'namespace_enabled'],
    ['enabled namespace, opt-out', enabled, 'false', false, 'pod_opted_out'],
    ['enabled namespace, opt-out in capitals', enabled, 'FALSE', false, 'pod_opted_out'],
    ['disabled namespace, no annotation', disabled, undefined, false, 'namespace_disabled'],
    ['disabled namespace, opt-in still skipped', disabled, 'true', false, 'namespace_disabled'],
    ['disabled namespace, opt-out', disabled, 'false', false, 'pod_opted_out'],
    ['unlabelled namespace, no annotation', unlabelled, undefined, false, 'namespace_not_enabled'],
    ['unlabelled namespace, opt-in', unlabelled, 'True', true, 'pod_opted_in'],
    ['unlabelled namespace, opt-out', unlabelled, 'false', false, 'pod_opted_out'],
    ['unreadable labels: the selector matched, inject', unknown, undefined, true, 'namespace_unknown_selector_matched'],
    ['unreadable labels, opt-in', unknown, 'true', true, 'pod_opted_in'],
    ['unreadable labels, opt-out', unknown, 'false', false, 'pod_opted_out'],
  ];
  for (const [name, labels, annotation, inject, reason] of cases) {
    it(`${name} -> ${inject ? 'inject' : 'skip'} (${reason})`, () => {
      const pod = makePod(annotation === undefined ? {} : { annotations: { 'sidecar.inject': annotation } });
      expect(decideFor(pod, labels)).toMatchObject({ inject, reason });
    });
  }

  it('treats a value other than true/false as absent and reports it as a warning', () => {
    const decision = decideFor(makePod({ annotations: { 'sidecar.inject': 'yes please' } }), unlabelled);
    expect(decision).toMatchObject({ inject: false, reason: 'namespace_not_enabled' });
    expect(decision.warnings[0]).toMatch(/sidecar.inject.*neither "true" nor "false"/);
  });

  it('ignores an enabled label value other than enabled/disabled', () => {
    expect(decideFor(makePod(), { known: true, labels: { 'istio-injection': 'maybe' } })).toMatchObject({
      inject: false,
      reason: 'namespace_not_enabled',
    });
  });
});

describe('decide: pods that are never injected', () => {
  for (const namespace of ['kube-system', 'kube-public', 'kube-node-lease', 'sidecar-injector']) {
    it(`skips the ${namespace} namespace even when the pod opts in`, () => {
      const pod = makePod({ annotations: { 'sidecar.inject': 'true' } });
      expect(decideFor(pod, enabled, namespace)).toMatchObject({ inject: false, reason: 'namespace_ignored' });
    });
  }

  it('skips hostNetwork pods', () => {
    expect(decideFor(makePod({ spec: { hostNetwork: true } }), enabled)).toMatchObject({ reason: 'host_network' });
  });

  it('skips mirror pods', () => {
    const pod = makePod({ annotations: { 'kubernetes.io/config.mirror': 'abc' } });
    expect(decideFor(pod, enabled)).toMatchObject({ reason: 'mirror_pod' });
  });

  it('skips pods whose containers are null, as the API server sends an empty list', () => {
    expect(decideFor(makePod({ spec: { containers: null } }), enabled)).toMatchObject({ reason: 'no_containers' });
  });

  it('skips pods that already carry the status annotation', () => {
    const pod = makePod({ annotations: { 'sidecar.inject/status': '{}' } });
    expect(decideFor(pod, enabled)).toMatchObject({ inject: false, reason: 'already_injected' });
  });
});
