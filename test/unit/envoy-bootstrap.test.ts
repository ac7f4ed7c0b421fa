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

/** The proxy's bootstraps as injected: its arguments that are JSON documents (IPv4, then dual-stack). */
function bootstrapsOf(container: Json): Json[] {
  const args = (container['args'] as string[] | undefined) ?? [];
  return args.filter((arg) => arg.startsWith('{')).map((arg) => JSON.parse(arg) as Json);
}

/** Every bootstrap the golden files hold: the proxy exactly as it is injected. */
function goldenBootstraps(): Json[] {
  const cases = join(ROOT, 'test/golden/cases');
  return readdirSync(cases).flatMap((name) => {
    const file = join(cases, name, 'expected.yaml');
    if (!existsSync(file)) return [];
    const spec = ((parse(readFileSync(file, 'utf8')) as Json)['pod'] as Json)['spec'] as Json;
    const containers = [...((spec['containers'] as Json[]) ?? []), ...((spec['initContainers'] as Json[]) ?? [])];
    return containers.filter((c) => c['name'] === 'sidecar-proxy').flatMap(bootstrapsOf);
  });
}

type Listener = { name: string; address: Json; additional_addresses?: { address: Json }[] };
const listenersOf = (bootstrap: Json): Listener[] =>
  (bootstrap['static_resources'] as { listeners: Listener[] }).listeners;

describe("the proxy's Envoy bootstrap against Envoy's API (v1.32.3)", () => {
  it('every bootstrap in the golden files is a valid Bootstrap', () => {
    const documents = goldenBootstraps();
    expect(documents.length).toBeGreaterThan(5);
    const result = validate(documents);
    expect(result.lines.filter((line) => !line.endsWith(': ok'))).toEqual([]);
    expect(result.status).toBe(0);
  });

  it('the second bootstrap binds every public listener on [::] too, on the same port; the first never binds IPv6', () => {
    const [ipv4, dual] = goldenBootstraps();
    const sockets = (listener: Listener): string[] =>
      [listener.address, ...(listener.additional_addresses ?? []).map((a) => a.address)].map((a) => {
        const socket = a['socket_address'] as { address: string; port_value: number };
        return `${socket.address} ${socket.port_value}`;
      });
    expect(
      listenersOf(ipv4 as Json)
        .flatMap(sockets)
        .filter((s) => s.includes(':')),
    ).toEqual([]);
    expect(Object.fromEntries(listenersOf(dual as Json).map((l) => [l.name, sockets(l)]))).toEqual({
      inbound: ['0.0.0.0 15006', ':: 15006'],
      outbound: ['0.0.0.0 15001', ':: 15001'],
      stats: ['0.0.0.0 15090', ':: 15090'],
      health: ['0.0.0.0 15021', ':: 15021'],
    });
    expect({ ...dual, static_resources: undefined }).toEqual({ ...ipv4, static_resources: undefined });
  });

  it('rejects a listener address that is no IP literal, or one address named twice (Envoy fails to bind)', () => {
    const dual = JSON.stringify(goldenBootstraps()[1]);
    const broken = [
      dual.replace('"address":"::","port_value":15006', '"address":"localhost","port_value":15006'),
      dual.replace('"address":"::","port_value":15006', '"address":"0.0.0.0","port_value":15006'),
    ].map((t) => JSON.parse(t) as unknown);
    const result = validate(broken);
    expect(result.status).toBe(1);
    expect(result.lines).toEqual([
      'document 1: listener inbound: address "localhost" is not an IP literal',
      'document 2: listener inbound: 0.0.0.0:15006 named twice',
    ]);
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
    expect(!result.ok && result.errors[0]).toMatch(/^proxy\.yaml: sidecars\[0\]\.args\[2\]\.\$json\./);
  });

  it('reject two listeners of the dual-stack bootstrap on one [::] port, naming the socket', () => {
    const text = proxyText.replace("address: '::', port_value: 15090", "address: '::', port_value: 15021");
    const result = compileTemplates([{ file: 'proxy.yaml', text }]);
    expect(!result.ok && result.errors).toEqual([
      'proxy.yaml: sidecars[0].args[3].$json.listener address [::]:15021 is defined twice',
    ]);
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
