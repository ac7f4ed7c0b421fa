import { describe, expect, it } from 'vitest';
import { decide } from '../../src/core/decide.js';
import type { InjectionSettings } from '../../src/core/inject.js';
import { compileTemplates, type TemplateSet } from '../../src/core/templates.js';
import { SETTINGS, loadTemplateSet, makePod } from '../helpers/pods.js';

const templates = loadTemplateSet();
const enabled = { known: true as const, labels: { 'istio-injection': 'enabled' } };

function decideFor(pod: unknown, set: TemplateSet = templates, settings: Partial<InjectionSettings> = {}) {
  return decide({
    object: pod,
    namespace: 'demo',
    namespaceLabels: enabled,
    templates: set,
    settings: { ...SETTINGS, ...settings },
  });
}

function compiled(...texts: string[]): TemplateSet {
  const result = compileTemplates(texts.map((text, i) => ({ file: `t${i}.yaml`, text })));
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.templates;
}

const WINDOWS_READY = `name: agent
os: [linux, windows]
sidecars:
  - { name: sidecar-agent, image: example/agent:1.0 }
`;

describe('nothing to inject is never an injection', () => {
  it.each([',', ' , ', ',,,'])('sidecar.inject/templates %j skips as no_templates with a warning', (list) => {
    const outcome = decideFor(makePod({ annotations: { 'sidecar.inject/templates': list } }));
    expect(outcome).toMatchObject({ kind: 'skip', reason: 'no_templates' });
    expect(outcome.warnings).toEqual([
      `sidecar.inject/templates ${JSON.stringify(list)} names no template; nothing injected`,
    ]);
  });

  it('a template that renders nothing skips as no_templates, naming it', () => {
    const set = compiled('name: empty\n');
    const outcome = decideFor(makePod({ annotations: { 'sidecar.inject/templates': 'empty' } }), set);
    expect(outcome).toMatchObject({
      kind: 'skip',
      reason: 'no_templates',
      warnings: ['template "empty" adds nothing'],
    });
  });
});

describe('Windows pods', () => {
  const windowsPod = (templatesList: string) =>
    makePod({ annotations: { 'sidecar.inject/templates': templatesList }, spec: { os: { name: 'windows' } } });

  it('are skipped as windows_pod when a selected template supports only linux', () => {
    const set = new Map([...templates, ...compiled(WINDOWS_READY)]);
    expect(decideFor(windowsPod('agent,proxy'), set)).toMatchObject({
      kind: 'skip',
      reason: 'windows_pod',
      warnings: ['spec.os.name is windows; template "proxy" supports only linux'],
    });
  });

  it('get the sidecars of templates that list windows', () => {
    expect(decideFor(windowsPod('agent'), compiled(WINDOWS_READY))).toMatchObject({
      kind: 'inject',
      templates: ['agent'],
    });
  });

  it('linux pods are unaffected by os', () => {
    const pod = makePod({ annotations: { 'sidecar.inject/templates': 'proxy' }, spec: { os: { name: 'linux' } } });
    expect(decideFor(pod)).toMatchObject({ kind: 'inject' });
  });
});

describe('a pod asking for native sidecars', () => {
  const pod = makePod({ annotations: { 'sidecar.inject/native': 'true' } });

  it('gets classic ones with a warning where the cluster predates native sidecars', () => {
    const outcome = decideFor(pod, templates, { nativeSupported: false });
    expect(outcome).toMatchObject({ kind: 'inject', native: false });
    expect(outcome.warnings).toEqual([
      'sidecar.inject/native: "true" refused: this cluster predates native sidecars (Kubernetes 1.29); classic sidecars injected',
    ]);
  });

  it.each([true, undefined])('gets them where support is %s', (nativeSupported) => {
    const settings = nativeSupported === undefined ? {} : { nativeSupported };
    expect(decideFor(pod, templates, settings)).toMatchObject({ kind: 'inject', native: true, warnings: [] });
  });
});

describe('a review for pods whose kinds say something else is answered unchanged', () => {
  const podCreate = { operation: 'CREATE', resource: { group: '', version: 'v1', resource: 'pods' } };
  function decideRequest(pod: unknown, kind?: { group: string; version: string; kind: string }) {
    return decide({
      request: { ...podCreate, ...(kind ? { kind } : {}) },
      object: pod,
      namespace: 'demo',
      namespaceLabels: enabled,
      templates,
      settings: SETTINGS,
    });
  }

  it.each([
    ['request.kind apps/v1 Deployment', { group: 'apps', version: 'v1', kind: 'Deployment' }],
    ['request.kind v1 ConfigMap', { group: '', version: 'v1', kind: 'ConfigMap' }],
    ['request.kind v2 Pod', { group: '', version: 'v2', kind: 'Pod' }],
  ])('%s with resource pods skips as kind_mismatch', (_name, kind) => {
    expect(decideRequest(makePod(), kind)).toEqual({ kind: 'skip', reason: 'kind_mismatch', warnings: [] });
  });

  it('object.kind ConfigMap skips as kind_mismatch, never invalid_pod or a patch', () => {
    const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } };
    expect(decideRequest(configMap)).toMatchObject({ kind: 'skip', reason: 'kind_mismatch' });
    expect(decideRequest({ ...makePod(), kind: 'ConfigMap' })).toMatchObject({ kind: 'skip', reason: 'kind_mismatch' });
  });

  it('request.kind v1 Pod and object.kind Pod (or absent, as offline) are injected', () => {
    const pod = makePod();
    expect(decideRequest(pod, { group: '', version: 'v1', kind: 'Pod' })).toMatchObject({ kind: 'inject' });
    expect(decideRequest({ ...pod, kind: undefined })).toMatchObject({ kind: 'inject' });
  });
});
