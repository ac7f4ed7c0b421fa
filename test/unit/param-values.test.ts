import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Outcome } from '../../src/core/outcome.js';
import { checkedDefaults, resolveParams, type ParameterOwner } from '../../src/core/param-values.js';
import { Parameter } from '../../src/core/params.js';
import { parameterMaps } from '../helpers/arbitraries.js';
import {
  VAULT_NAMESPACE_LABELS,
  applyStrictly,
  decideInDemo,
  loadTemplateSet,
  makePod,
  type Json,
} from '../helpers/pods.js';

/** Map-valued and namespace-label parameters, through the secrets template and the one decision. */
const templates = loadTemplateSet();

function run(annotations: Record<string, string>, labels: Record<string, string> = VAULT_NAMESPACE_LABELS): Outcome {
  return decideInDemo(
    templates,
    makePod({ annotations: { 'sidecar.inject/templates': 'secrets', ...annotations } }),
    labels,
  );
}

/** The agent configuration the sidecar gets, parsed. */
function agentConfig(outcome: Outcome): Json {
  if (outcome.kind !== 'inject') throw new Error(`not injected: ${JSON.stringify(outcome)}`);
  const pod = applyStrictly(makePod({ annotations: {} }), outcome.ops);
  const spec = pod['spec'] as Json;
  const all = [...((spec['initContainers'] as Json[]) ?? []), ...((spec['containers'] as Json[]) ?? [])];
  const agent = all.find((c) => c['name'] === 'sidecar-vault-agent') as Json;
  const env = (agent['env'] as { name: string; value: string }[]).find((e) => e.name === 'VAULT_CONFIG');
  return JSON.parse(env?.value ?? '{}') as Json;
}

const templatesOf = (config: Json) => config['template'] as { destination: string; contents: string }[];

describe('a map parameter (sidecar.inject/secret-<name>)', () => {
  it('renders one file per annotation with the prefix, in key order, each value inside the agent template', () => {
    const config = agentConfig(
      run({ 'sidecar.inject/secret-db': 'secret/data/web/db', 'sidecar.inject/secret-api': 'kv/web/api' }),
    );
    expect(templatesOf(config).map((t) => t.destination)).toEqual(['/vault/secrets/api', '/vault/secrets/db']);
    expect(templatesOf(config)[1]?.contents).toContain('[[ with secret "secret/data/web/db" ]]');
  });

  it('renders no file, and still the agent, when the pod gives no entry', () => {
    expect(templatesOf(agentConfig(run({})))).toEqual([]);
  });

  it.each([
    ['sidecar.inject/secret-DB', 'secret/db'],
    ['sidecar.inject/secret-a.b', 'secret/db'],
    ['sidecar.inject/secret-', 'secret/db'],
    ['sidecar.inject/secret--x', 'secret/db'],
    ['sidecar.inject/secret-' + 'a'.repeat(64), 'secret/db'],
  ])('denies the name part %s, which is not a DNS label', (annotation, value) => {
    const outcome = run({ [annotation]: value });
    expect(outcome).toMatchObject({ kind: 'deny', reason: 'invalid_override' });
    if (outcome.kind === 'deny') expect(outcome.message).toContain('must be a DNS label');
  });

  it.each([
    '../etc/passwd',
    '/abs/path',
    'secret/data/web/db"',
    'secret/$(TOKEN)',
    'secret/ db',
    'secret/db\n- x',
    '-flag',
    '[[ .Data ]]',
    '{{ pod.name }}',
    '',
    'x'.repeat(300),
  ])('denies the hostile value %j, naming the annotation and the accepted form', (value) => {
    const outcome = run({ 'sidecar.inject/secret-db': value });
    expect(outcome).toMatchObject({ kind: 'deny', reason: 'invalid_override' });
    if (outcome.kind === 'deny')
      expect(outcome.message).toMatch(/^sidecar\.inject\/secret-db: invalid value .*, expected a secret path/);
  });

  it('denies more entries than the bound (16), whatever they are', () => {
    const many = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`sidecar.inject/secret-s${i}`, 'kv/x']));
    const outcome = run(many);
    expect(outcome).toMatchObject({ kind: 'deny', reason: 'invalid_override' });
    if (outcome.kind === 'deny') expect(outcome.message).toContain('17 entries, at most 16 allowed');
  });
});

describe('namespace-label parameters and required settings', () => {
  it("takes Vault's host and role from the namespace labels", () => {
    const config = agentConfig(run({}));
    expect(config['vault']).toEqual({ address: 'https://vault.vault.svc:8200' });
    expect((config['auto_auth'] as Json)['method']).toMatchObject({ config: { role: 'web' } });
  });

  it("lets the pod's annotation name its role, but never where Vault is", () => {
    const config = agentConfig(
      run({ 'sidecar.inject/vault-role': 'billing', 'sidecar.inject/vault-host': 'evil.example' }),
    );
    expect((config['auto_auth'] as Json)['method']).toMatchObject({ config: { role: 'billing' } });
    expect(config['vault']).toEqual({ address: 'https://vault.vault.svc:8200' });
  });

  it('denies with missing_setting, naming the namespace label, when the namespace does not say where Vault is', () => {
    const outcome = run({ 'sidecar.inject/vault-role': 'web' }, { 'istio-injection': 'enabled' });
    expect(outcome).toMatchObject({ kind: 'deny', reason: 'missing_setting' });
    if (outcome.kind === 'deny')
      expect(outcome.message).toBe(
        "template secrets needs the namespace label sidecar.inject/vault-host (a DNS name such as vault.vault.svc: the Vault server's DNS name)",
      );
  });

  it('denies an invalid namespace label value as invalid_override, naming the label', () => {
    const outcome = run({}, { ...VAULT_NAMESPACE_LABELS, 'sidecar.inject/vault-scheme': 'ftp' });
    expect(outcome).toMatchObject({ kind: 'deny', reason: 'invalid_override' });
    if (outcome.kind === 'deny')
      expect(outcome.message).toContain('namespace label sidecar.inject/vault-scheme: invalid value "ftp"');
  });
});

describe('defaults checked once, when the templates load', () => {
  // Defaults above their ceiling: what notAbove says of two defaults must not change either.
  const inverted: ParameterOwner = {
    name: 'inverted',
    parameters: [
      { name: 'cpu', annotation: 'sidecar.inject/x-cpu', type: 'quantity', default: '2', notAbove: 'cpuLimit' },
      { name: 'cpuLimit', annotation: 'sidecar.inject/x-cpu-limit', type: 'quantity', default: '1', none: true },
    ].map((p) => Parameter.parse(p)),
  };
  const owners: ParameterOwner[] = [
    ...templates.values(),
    { ...inverted, defaults: checkedDefaults(inverted.parameters) },
  ];
  const unchecked = owners.map(({ name, parameters }) => ({ name, parameters }));

  it('resolves every pod to the same values and messages as checking the defaults per request', () => {
    const labels = fc.constantFrom(undefined, VAULT_NAMESPACE_LABELS, { 'sidecar.inject/vault-scheme': 'ftp' });
    fc.assert(
      fc.property(parameterMaps(templates), labels, (annotations, namespace) => {
        expect(resolveParams(owners, annotations, namespace)).toEqual(resolveParams(unchecked, annotations, namespace));
      }),
      { numRuns: 150 },
    );
  });

  it('keeps a default that is above the default of its ceiling an invalid_override', () => {
    const resolved = resolveParams(owners.slice(-1), {}, undefined);
    expect(resolved).toMatchObject({ ok: false, reason: 'invalid_override' });
    expect(checkedDefaults(inverted.parameters).get('cpu')).toEqual({ value: '2', magnitude: 2_000_000_000n });
  });
});
