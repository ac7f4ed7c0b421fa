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
