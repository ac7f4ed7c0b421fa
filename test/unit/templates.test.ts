import { describe, expect, it } from 'vitest';
import { compileTemplates } from '../../src/core/templates.js';
import { compileRenderer } from '../../src/core/render.js';

const minimal = (body: string): string => `name: t\nsidecars:\n  - name: s\n    image: x\n${body}`;

describe('compileTemplates', () => {
  it('compiles a minimal template', () => {
    expect(compileTemplates([{ file: 't.yaml', text: minimal('') }]).ok).toBe(true);
  });

  it.each([
    ['not YAML', 'name: [', 't.yaml: not valid YAML'],
    ['an unknown top-level field', minimal('privileged: true'), 't.yaml: (root): Unrecognized key: "privileged"'],
    [
      'a bad container name',
      'name: t\nsidecars:\n  - name: Bad_Name\n    image: x',
      't.yaml: sidecars.0.name: a DNS-1123 label',
    ],
    [
      'an unknown placeholder',
      minimal('    args: ["{{ params.nope }}"]'),
      't.yaml: sidecars[0].args[0]: unknown placeholder params.nope',
    ],
    [
      'a malformed placeholder',
      minimal('    args: ["{{ pod.name }"]'),
      't.yaml: sidecars[0].args[0]: malformed placeholder',
    ],
    [
      'a schema type error after rendering',
      minimal('    ports: [{ containerPort: "80" }]'),
      't.yaml: sidecars[0]: ports.0.containerPort must be integer',
    ],
    [
      'a probe on a run-to-completion init container',
      'name: t\ninitContainers:\n  - name: i\n    image: x\n    readinessProbe: {}',
      't.yaml: initContainers.0.readinessProbe: not allowed on an init container',
    ],
    [
      'a default outside its bounds',
      minimal('parameters:\n  - { name: cpu, annotation: sidecar.inject/cpu, type: quantity, default: 4, max: 2 }'),
      't.yaml: parameters.0.default: expected a Kubernetes quantity',
    ],
  ])('rejects %s, naming the file and the field', (_name, text, message) => {
    const result = compileTemplates([{ file: 't.yaml', text }]);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.join('\n')).toContain(message);
  });

  it('rejects two templates adding the same container', () => {
    const result = compileTemplates([
      { file: 'a.yaml', text: 'name: a\nsidecars: [{ name: s, image: x }]' },
      { file: 'b.yaml', text: 'name: b\nsidecars: [{ name: s, image: x }]' },
    ]);
    expect(!result.ok && result.errors).toEqual(['templates a and b both add container s']);
  });

  it('refuses YAML aliases, so a template cannot blow up on expansion', () => {
    const result = compileTemplates([
      { file: 't.yaml', text: 'name: t\nx: &a [1]\nsidecars: [{ name: s, image: x, args: *a }]' },
    ]);
    expect(result.ok).toBe(false);
  });
});

describe('compileRenderer', () => {
  const values = {
    pod: { name: 'web', namespace: 'demo', serviceAccount: 'sa', ports: '80' },
    params: { n: 3, s: 'a$(B)' },
  };

  it('substitutes inside string leaves only and keeps a lone numeric placeholder a number', () => {
    expect(compileRenderer({ a: ['{{ pod.name }}-x', '{{params.n}}'], b: 1, c: true })(values)).toEqual({
      a: ['web-x', 3],
      b: 1,
      c: true,
    });
  });

  it('escapes $( so Kubernetes never expands it', () => {
    expect(compileRenderer('{{ params.s }}')(values)).toBe('a$$(B)');
  });
});

describe('compileRenderer: the renderer-owned node forms', () => {
  const values = {
    pod: { name: 'web', namespace: 'demo', serviceAccount: 'sa', ports: '80' },
    params: { port: 15001, text: 'x"}, "evil": {"', limit: null },
  };

  it('renders a $json node into one JSON string, values escaped as JSON data', () => {
    const rendered = compileRenderer({
      args: ['--config-yaml', { $json: { port: '{{ params.port }}', name: '{{ params.text }}' } }],
    })(values) as { args: string[] };
    expect(rendered.args[1]).toBe('{"port":15001,"name":"x\\"}, \\"evil\\": {\\""}');
    expect(JSON.parse(rendered.args[1] ?? '')).toEqual({ port: 15001, name: 'x"}, "evil": {"' });
  });

  it('renders a static $json node once, to the same frozen string', () => {
    const render = compileRenderer({ a: { $json: { b: [1, 2] }, $schema: 'none' } });
    expect(render(values)).toEqual({ a: '{"b":[1,2]}' });
  });

  it('leaves out a key (or list item) whose whole value is a parameter set to none', () => {
    const render = compileRenderer({
      limits: { cpu: '{{ params.limit }}', memory: '1Gi' },
      list: ['{{ params.limit }}'],
    });
    expect(render(values)).toEqual({ limits: { memory: '1Gi' }, list: [] });
  });

  it.each([
    ['an unknown $ key', '    args: [{ $yaml: {} }]', 'must be { $json: <document>, $schema?: <name> }'],
    ['a $json node with another key', '    args: [{ $json: {}, extra: 1 }]', 'must be { $json'],
    [
      'an unknown schema',
      '    args: [{ $json: {}, $schema: nginx }]',
      'unknown schema nginx; known: envoy-bootstrap-v3',
    ],
  ])('refuses %s at load', (_name, body, message) => {
    const result = compileTemplates([{ file: 't.yaml', text: minimal(body) }]);
    expect(!result.ok && result.errors.join('\n')).toContain(message);
  });
});
