import { describe, expect, it } from 'vitest';
import type { Outcome } from '../../src/core/outcome.js';
import { annotatedParameters } from '../helpers/arbitraries.js';
import { applyStrictly, decideInDemo, loadTemplateSet, makePod, type Json } from '../helpers/pods.js';

/**
 * Pod authors are untrusted. Nothing they write in an annotation or in the pod's own metadata may
 * change the structure of a rendered container: no new field, capability, privileged flag or
 * container. Every hostile override is denied; hostile pod metadata renders as inert text.
 */
const templates = loadTemplateSet();
const ALL = 'proxy,logging,config,metrics,secrets';

function run(annotations: Record<string, string>, metadata: Json = {}, spec: Json = {}): Outcome {
  return decideInDemo(
    templates,
    makePod({ annotations: { 'sidecar.inject/templates': ALL, ...annotations }, metadata, spec }),
  );
}

const HOSTILE_VALUES = [
  '100m\nsecurityContext:\n  privileged: true',
  '100m"\n  privileged: true\n"',
  "100m'; privileged: true",
  '{{ params.cpu }}',
  '{{ pod.name }}',
  '$(SECRET_TOKEN)',
  '${HOME}',
  '`id`',
  '[privileged, true]',
  '{privileged: true}',
  '- name: evil\n  image: evil',
  '--privileged',
  '/var/log/../../etc',
  '/var/log/app\n- name: x',
  'http://evil.example/$(SECRET)',
  'http://evil.example/ x',
  'javascript:alert(1)',
  'file:///etc/passwd',
  'http://user:pass@evil.example/',
  '1e400',
  '99999999h',
  '-5s',
  'Infinity',
  '',
  ' '.repeat(5),
  'x'.repeat(5000),
  'none\n',
  'NONE',
  'null',
  '~',
  '80,81\n- name: x',
  '10.0.0.0/8,$(SECRET)',
  '10.0.0.0/8;iptables -F',
  'fd00::/8;ip6tables -F', // IPv6: shell or YAML text after a range, a zone, brackets, a bad prefix
  'fd00::/8,$(SECRET)',
  '::1/129',
  'fe80::1%eth0/64',
  '[::1]/128',
  'fd00::/8\n- name: x',
  '::ffff:10.0.0.0/104 ',
  Array.from({ length: 40 }, (_, i) => String(1000 + i)).join(','),
];

/** Every override annotation of every shipped template: each one gets the whole table. */
const OVERRIDES = annotatedParameters(templates).map((p) => p.annotation);
/** The empty list is a valid list value (no exclusions); every other hostile value is not. */
const LIST_TYPES = new Set(['port-list', 'cidr-list']);
const listAnnotations = new Set(
  annotatedParameters(templates)
    .filter((p) => LIST_TYPES.has(p.param.type))
    .map((p) => p.annotation),
);

/**
 * Plain words are valid Vault role names and secret paths; they stay data (JSON strings in the
 * agent's configuration), which the structure checks below and the override fuzz test hold to.
 */
const WORDS = new Set(['1e400', '99999999h', 'Infinity', 'NONE', 'null']);
const wordAnnotations = new Set(
  annotatedParameters(templates)
    .filter((p) => p.param.type === 'name' || p.param.type === 'secret-path')
    .map((p) => p.annotation),
);
const accepted = (annotation: string, value: string): boolean =>
  (listAnnotations.has(annotation) && value === '') || (wordAnnotations.has(annotation) && WORDS.has(value));

describe('hostile override values are denied with the annotation and the accepted form', () => {
  it('covers every parameter of every shipped template', () => {
    expect(OVERRIDES.length).toBeGreaterThanOrEqual(30);
    expect(OVERRIDES).toContain('sidecar.inject/exclude-outbound-cidrs');
  });
  for (const annotation of OVERRIDES) {
    for (const value of HOSTILE_VALUES.filter((v) => !accepted(annotation, v))) {
      it(`${annotation} = ${JSON.stringify(value.slice(0, 40))}`, () => {
        const result = run({ [annotation]: value });
        expect(result.kind).toBe('deny');
        if (result.kind !== 'deny') return;
        expect(result.reason).toBe('invalid_override');
        expect(result.message).toMatch(new RegExp(`^${annotation.replace('.', '\\.')}: invalid value .*, expected `));
      });
    }
  }
});

/**
 * Quantities are compared exactly, as Kubernetes reads them, against the proxy template's bounds:
 * cpu 10m..2 (default 100m) and not above cpu-limit 10m..4 (default 500m); memory 32Mi..2Gi
 * (default 128Mi) and not above memory-limit 32Mi..4Gi (default 256Mi).
 */
const QUANTITY_DECISIONS: [Record<string, string>, 'inject' | 'deny'][] = [
  [{ 'sidecar.inject/proxy-cpu': '1E' }, 'deny'],
  [{ 'sidecar.inject/proxy-cpu-limit': '1E' }, 'deny'],
  [{ 'sidecar.inject/proxy-memory-limit': '1E' }, 'deny'],
  [{ 'sidecar.inject/proxy-cpu': '1Ei', 'sidecar.inject/proxy-cpu-limit': '8Ei' }, 'deny'],
  [{ 'sidecar.inject/proxy-memory': '1Ei' }, 'deny'],
  [{ 'sidecar.inject/proxy-memory-limit': '8Ei' }, 'deny'],
  [{ 'sidecar.inject/proxy-memory-limit': '2Ei' }, 'deny'],
  [{ 'sidecar.inject/proxy-cpu-limit': '1e400' }, 'deny'],
  [{ 'sidecar.inject/proxy-memory-limit': '1e400' }, 'deny'],
  // Above 500m once rounded to a nano-unit as Kubernetes does; float64 reads it as 0.5.
  [{ 'sidecar.inject/proxy-cpu': '0.5000000000000000001', 'sidecar.inject/proxy-cpu-limit': '500m' }, 'deny'],
  [{ 'sidecar.inject/proxy-cpu': '0.5', 'sidecar.inject/proxy-cpu-limit': '500m' }, 'inject'],
  [{ 'sidecar.inject/proxy-cpu-limit': '0.5000000000000000001' }, 'inject'],
  [{ 'sidecar.inject/proxy-memory-limit': '1.5Gi' }, 'inject'],
  [{ 'sidecar.inject/proxy-memory': '1.5Gi', 'sidecar.inject/proxy-memory-limit': '1.5Gi' }, 'inject'],
  [{ 'sidecar.inject/proxy-memory': '1.5Gi' }, 'deny'],
  [{ 'sidecar.inject/proxy-cpu': '1.5Gi' }, 'deny'],
  [{ 'sidecar.inject/proxy-cpu-limit': '+1' }, 'inject'],
  [{ 'sidecar.inject/proxy-cpu': '+1', 'sidecar.inject/proxy-cpu-limit': '+1' }, 'inject'],
  [{ 'sidecar.inject/proxy-memory': '+1' }, 'deny'],
  [{ 'sidecar.inject/proxy-cpu': '1e-10' }, 'deny'],
  [{ 'sidecar.inject/proxy-memory-limit': '1e-10' }, 'deny'],
];

describe('hostile quantities are read exactly and checked against the bounds', () => {
  for (const [annotations, decision] of QUANTITY_DECISIONS) {
    it(`${JSON.stringify(annotations)} is ${decision === 'deny' ? 'denied' : 'injected'}`, () => {
      const result = run(annotations);
      expect(result.kind).toBe(decision);
      if (result.kind === 'deny') expect(result.reason).toBe('invalid_override');
      if (result.kind !== 'inject') return;
      const proxy = (injectedSpec(result)['containers'] as Json[]).find((c) => c['name'] === 'sidecar-proxy');
      const text = JSON.stringify(proxy?.['resources']);
      for (const value of Object.values(annotations)) expect(text).toContain(JSON.stringify(value));
    });
  }
});

/** Every key path of the rendered pod (values dropped), to compare structure only. */
function shape(value: unknown, path = ''): string[] {
  if (Array.isArray(value))
    return [`${path}[]#${value.length}`, ...value.flatMap((item, i) => shape(item, `${path}[${i}]`))];
  if (value !== null && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => shape(v, `${path}.${k}`));
  return [`${path}:${typeof value}`];
}

function injectedSpec(result: Outcome, metadata: Json = {}, spec: Json = {}): Json {
  if (result.kind !== 'inject') throw new Error(`expected injection, got ${JSON.stringify(result)}`);
  const object = makePod({ annotations: { 'sidecar.inject/templates': ALL }, metadata, spec });
  return applyStrictly(object, result.ops)['spec'] as Json;
}

describe('hostile pod metadata never changes the structure of a rendered container', () => {
  const baseline = shape(injectedSpec(run({})));
  const HOSTILE_NAMES = [
    'evil\nsecurityContext: {privileged: true}',
    'x$(SECRET)',
    '{{ params.cpu }}',
    'a\'b"c',
    'ok-name',
  ];
  for (const name of HOSTILE_NAMES) {
    it(`name, generateName and serviceAccountName ${JSON.stringify(name)}`, () => {
      const metadata = { name, generateName: name };
      const spec = { serviceAccountName: name };
      const rendered = injectedSpec(run({}, metadata, spec), metadata, spec);
      expect(shape(rendered)).toEqual(baseline);
      const added = [...(rendered['containers'] as Json[]), ...(rendered['initContainers'] as Json[])].filter((c) =>
        String(c['name']).startsWith('sidecar-'),
      );
      const text = JSON.stringify(added);
      expect(text).not.toContain('"privileged":true');
      expect(text).not.toContain('$(SECRET)');
      expect(text).not.toContain('{{');
    });
  }

  it('accepted override values land only where the template placed them', () => {
    const result = run({
      'sidecar.inject/config-url': 'https://cfg.example/a?b=c&d=(e)',
      'sidecar.inject/config-refresh': '5m',
      'sidecar.inject/exclude-inbound-ports': '9000,9001',
      'sidecar.inject/exclude-outbound-cidrs': '10.0.0.0/8',
      'sidecar.inject/metrics-path': '/a/b',
    });
    expect(shape(injectedSpec(result))).toEqual(baseline);
  });
});
