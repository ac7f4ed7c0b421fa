import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decide } from '../../src/core/decide.js';
import { SETTINGS, applyStrictly, loadTemplateSet, makePod, type Json } from '../helpers/pods.js';

/**
 * The proxy's init container, run for real by `sh` with its rendered command, args and env, and
 * an `iptables` on PATH that records each call's argv (one element per field). What it records is
 * exactly what the image's iptables would be asked to do.
 */
const templates = loadTemplateSet();
const work = mkdtempSync(join(tmpdir(), 'proxy-init-'));
const LOG = join(work, 'calls.log');
writeFileSync(
  join(work, 'iptables'),
  `#!/bin/sh\nfor a in "$@"; do printf '[%s]' "$a"; done >> "$IPTABLES_LOG"\necho >> "$IPTABLES_LOG"\n`,
);
chmodSync(join(work, 'iptables'), 0o755);
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface InitContainer {
  command: string[];
  args: string[];
  env: { name: string; value: string }[];
}

function initContainerFor(annotations: Record<string, string>): InitContainer {
  const object = makePod({ annotations });
  const outcome = decide({
    object,
    namespace: 'demo',
    namespaceLabels: { known: true, labels: { 'istio-injection': 'enabled' } },
    templates,
    settings: { ...SETTINGS, nativeSidecars: false },
  });
  if (outcome.kind !== 'inject') throw new Error(`not injected: ${JSON.stringify(outcome)}`);
  const spec = applyStrictly(object, outcome.ops)['spec'] as Json;
  return (spec['initContainers'] as Json[]).find((c) => c['name'] === 'sidecar-init') as unknown as InitContainer;
}

/** Runs the container's process as the kubelet would (command + args, env), returns the iptables calls. */
function run(container: InitContainer): string[] {
  writeFileSync(LOG, '');
  const [file = '', ...rest] = container.command;
  const env = Object.fromEntries(container.env.map((e) => [e.name, e.value]));
  execFileSync(file, [...rest, ...container.args], {
    cwd: work,
    env: { ...env, IPTABLES_LOG: LOG, PATH: `${work}:/usr/bin:/bin` },
  });
  return readFileSync(LOG, 'utf8').trim().split('\n');
}

const nat = (chain: string, ...rest: string[]): string =>
  ['-t', 'nat', '-A', chain, ...rest].map((a) => `[${a}]`).join('');

describe("the proxy's iptables init container", () => {
  it('redirects inbound to 15006 and outbound to 15001, exempting the proxy UID and its own ports', () => {
    const calls = run(initContainerFor({}));
    expect(calls).toEqual([
      '[-t][nat][-N][SIDECAR_INBOUND]',
      nat('SIDECAR_INBOUND', '-p', 'tcp', '--dport', '15090', '-j', 'RETURN'),
      nat('SIDECAR_INBOUND', '-p', 'tcp', '--dport', '15021', '-j', 'RETURN'),
      nat('SIDECAR_INBOUND', '-p', 'tcp', '-j', 'REDIRECT', '--to-ports', '15006'),
      nat('PREROUTING', '-p', 'tcp', '-j', 'SIDECAR_INBOUND'),
      '[-t][nat][-N][SIDECAR_OUTBOUND]',
      nat('SIDECAR_OUTBOUND', '-m', 'owner', '--uid-owner', '1337', '-j', 'RETURN'),
      nat('SIDECAR_OUTBOUND', '-d', '127.0.0.1/32', '-j', 'RETURN'),
      nat('SIDECAR_OUTBOUND', '-p', 'tcp', '-j', 'REDIRECT', '--to-ports', '15001'),
      nat('OUTPUT', '-p', 'tcp', '-j', 'SIDECAR_OUTBOUND'),
    ]);
  });

  it('turns each excluded port and CIDR into its own RETURN rule, before the redirect', () => {
    const calls = run(
      initContainerFor({
        'sidecar.inject/exclude-inbound-ports': '9000,9001',
        'sidecar.inject/exclude-outbound-ports': '5432,6379',
        'sidecar.inject/exclude-outbound-cidrs': '10.0.0.0/8,169.254.169.254/32',
      }),
    );
    const returns = calls.filter((c) => c.endsWith('[-j][RETURN]'));
    expect(returns).toEqual([
      nat('SIDECAR_INBOUND', '-p', 'tcp', '--dport', '15090', '-j', 'RETURN'),
      nat('SIDECAR_INBOUND', '-p', 'tcp', '--dport', '15021', '-j', 'RETURN'),
      nat('SIDECAR_INBOUND', '-p', 'tcp', '--dport', '9000', '-j', 'RETURN'),
      nat('SIDECAR_INBOUND', '-p', 'tcp', '--dport', '9001', '-j', 'RETURN'),
      nat('SIDECAR_OUTBOUND', '-m', 'owner', '--uid-owner', '1337', '-j', 'RETURN'),
      nat('SIDECAR_OUTBOUND', '-d', '127.0.0.1/32', '-j', 'RETURN'),
      nat('SIDECAR_OUTBOUND', '-d', '10.0.0.0/8', '-j', 'RETURN'),
      nat('SIDECAR_OUTBOUND', '-d', '169.254.169.254/32', '-j', 'RETURN'),
      nat('SIDECAR_OUTBOUND', '-p', 'tcp', '--dport', '5432', '-j', 'RETURN'),
      nat('SIDECAR_OUTBOUND', '-p', 'tcp', '--dport', '6379', '-j', 'RETURN'),
    ]);
    expect(calls.indexOf(returns.at(-1) ?? '')).toBeLessThan(calls.findIndex((c) => c.includes('[15001]')));
  });

  it('passes the lists as argv elements after the fixed script, never inside it', () => {
    const container = initContainerFor({ 'sidecar.inject/exclude-outbound-ports': '5432' });
    expect(container.command).toEqual(['sh', '-c']);
    expect(container.args.slice(1)).toEqual(['sidecar-init', '', '5432', '']);
    expect(container.args[0]).not.toContain('5432');
  });

  it('treats a value as data even if it ever got past validation: one argv element, nothing executed', () => {
    // Bypasses the parameter check on purpose, to show the script itself never evaluates a value.
    const container = initContainerFor({});
    const marker = join(work, 'executed');
    const hostile = `8080;touch ${marker} $(touch ${marker}) \`touch ${marker}\``;
    const args = [...container.args.slice(0, 2), hostile, '', ''];
    const calls = run({ ...container, args });
    expect(existsSync(marker)).toBe(false);
    expect(calls).toContain(nat('SIDECAR_INBOUND', '-p', 'tcp', '--dport', hostile, '-j', 'RETURN'));
  });
});
