import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { envoyBootstrapProblems } from '../../src/core/envoy-bootstrap.js';
import { compileTemplates } from '../../src/core/templates.js';
import { ROOT, type Json } from '../helpers/pods.js';

/**
 * The proxy's bootstrap, checked against Envoy's own API definitions at the image's version
 * (go-control-plane/envoy v1.32.3 for envoyproxy/envoy:v1.32.3): field names and types, enums,
 * every typed_config and every validation rule Envoy declares. This is a schema check: Envoy
 * itself (`--mode validate`) cannot run here, so what only a running Envoy checks is not covered.
 */
const VALIDATOR_SOURCE = join(ROOT, 'test/envoy-validate');
let validator = '';

beforeAll(() => {
  validator = join(mkdtempSync(join(tmpdir(), 'envoy-validate-')), 'envoy-validate');
  execFileSync('go', ['build', '-o', validator, '.'], { cwd: VALIDATOR_SOURCE, stdio: 'inherit' });
}, 600_000);

function validate(documents: readonly unknown[]): { status: number | null; lines: string[] } {
  const input = documents.map((d) => JSON.stringify(d)).join('\n') + '\n';
  const run = spawnSync(validator, [], { input, encoding: 'utf8' });
  return { status: run.status, lines: run.stdout.trim().split('\n') };
}

/** Every bootstrap the golden files hold: the proxy exactly as it is injected. */
function goldenBootstraps(): Json[] {
  const cases = join(ROOT, 'test/golden/cases');
  return readdirSync(cases).flatMap((name) => {
    const file = join(cases, name, 'expected.yaml');
    if (!existsSync(file)) return [];
    const spec = ((parse(readFileSync(file, 'utf8')) as Json)['pod'] as Json)['spec'] as Json;
    const containers = [...((spec['containers'] as Json[]) ?? []), ...((spec['initContainers'] as Json[]) ?? [])];
    return containers.flatMap((c) => {
      const args = (c['args'] as string[] | undefined) ?? [];
      const at = args.indexOf('--config-yaml');
      return at >= 0 ? [JSON.parse(args[at + 1] ?? '') as Json] : [];
    });
  });
}

describe("the proxy's Envoy bootstrap against Envoy's API (v1.32.3)", () => {
  it('every bootstrap in the golden files is a valid Bootstrap', () => {
    const documents = goldenBootstraps();
    expect(documents.length).toBeGreaterThan(5);
    const result = validate(documents);
    expect(result.lines.filter((line) => !line.endsWith(': ok'))).toEqual([]);
    expect(result.status).toBe(0);
  });

  it('rejects an unknown field, a bad enum, a missing required field inside a typed_config', () => {
    const [valid] = goldenBootstraps();
    const text = JSON.stringify(valid);
    const broken = [
      text.replace('"stat_prefix":"inbound"', '"stat_prefx":"inbound"'),
      text.replace('CLUSTER_PROVIDED', 'CLUSTER_PROVIDE'),
      text.replace('"stat_prefix":"inbound",', ''),
      text.replace('"port_value":15006', '"port_value":70000'),
      text.replace('OriginalDst"', 'NoSuchFilter"'),
    ].map((t) => JSON.parse(t) as unknown);
    const result = validate(broken);
    expect(result.status).toBe(1);
    expect(result.lines.filter((line) => line.endsWith(': ok'))).toEqual([]);
    expect(result.lines[0]).toContain('unknown field "stat_prefx"');
    expect(result.lines[2]).toContain('StatPrefix: value length must be at least 1');
  });
});

describe('the bootstrap checks made when templates load', () => {
  const proxyText = readFileSync(join(ROOT, 'templates/proxy.yaml'), 'utf8');

  it('accept the shipped proxy template', () => {
    expect(compileTemplates([{ file: 'proxy.yaml', text: proxyText }]).ok).toBe(true);
  });

  it.each([
    [
      'a route to an undefined cluster',
      'cluster: outbound_passthrough',
      'cluster: nowhere',
      'no cluster named nowhere',
    ],
    ['two listeners on one port', 'port_value: 15090', 'port_value: 15021', 'listener address 0.0.0.0:15021'],
    ['a port out of range', 'port_value: 15006', 'port_value: 70000', 'port_value'],
    [
      'a malformed type URL',
      "'@type': type.googleapis.com/envoy.extensions.filters.http.router.v3.Router",
      "'@type': router",
      'not an Envoy v3 type URL',
    ],
  ])('reject %s, naming the field', (_name, from, to, message) => {
    const result = compileTemplates([{ file: 'proxy.yaml', text: proxyText.replace(from, to) }]);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.join('\n')).toContain(message);
    expect(!result.ok && result.errors[0]).toMatch(/^proxy\.yaml: sidecars\[0\]\.args\[4\]\.\$json\./);
  });

  it('reports every problem of a document, not the first only', () => {
    const document = {
      static_resources: {
        listeners: [
          { name: 'a', address: { socket_address: { address: '0.0.0.0', port_value: 1 } } },
          { name: 'a', address: { socket_address: { address: '0.0.0.0', port_value: 1 } } },
        ],
        clusters: [{ name: 'c' }, { name: 'c' }],
      },
    };
    expect(envoyBootstrapProblems(document)).toEqual([
      'listener name a is defined twice',
      'listener address 0.0.0.0:1 is defined twice',
      'cluster name c is defined twice',
    ]);
  });
});
