import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { injectedContainer, runAsKubelet, type StartedContainer } from '../helpers/kubelet-run.js';

/**
 * The proxy's init container, run for real by `sh` with its rendered command, args and env, and
 * an `iptables` and an `ip6tables` on PATH that record each call's argv (one element per field),
 * each in its own log. What they record is exactly what the image's tools would be asked to do.
 */
const work = mkdtempSync(join(tmpdir(), 'proxy-init-'));
const TOOLS = ['iptables', 'ip6tables'] as const;
for (const tool of TOOLS) {
  writeFileSync(
    join(work, tool),
    `#!/bin/sh\nfor a in "$@"; do printf '[%s]' "$a"; done >> "$CALLS/${tool}.log"\necho >> "$CALLS/${tool}.log"\n`,
  );
  chmodSync(join(work, tool), 0o755);
}
afterAll(() => rmSync(work, { recursive: true, force: true }));

const IPV4_POD = '10.244.1.7';
const DUAL_STACK_POD = '10.244.1.7,fd00:10:244:1::7';
const initContainerFor = (annotations: Record<string, string>): StartedContainer =>
  injectedContainer('sidecar-init', annotations);

/** Runs the init container with the recording tools; returns each tool's calls. */
function run(container: StartedContainer, podIps = IPV4_POD): Record<(typeof TOOLS)[number], string[]> {
  for (const tool of TOOLS) writeFileSync(join(work, `${tool}.log`), '');
  runAsKubelet(container, podIps, work, { CALLS: work });
  const calls = (tool: string): string[] =>
    readFileSync(join(work, `${tool}.log`), 'utf8')
      .split('\n')
      .filter(Boolean);
  return { iptables: calls('iptables'), ip6tables: calls('ip6tables') };
}

const nat = (chain: string, ...rest: string[]): string =>
  ['-t', 'nat', '-A', chain, ...rest].map((a) => `[${a}]`).join('');

/** The rules of one family with no exclusions, its loopback range exempt. */
const defaults = (loopback: string): string[] => [
  '[-t][nat][-N][SIDECAR_INBOUND]',
  nat('SIDECAR_INBOUND', '-p', 'tcp', '--dport', '15090', '-j', 'RETURN'),
  nat('SIDECAR_INBOUND', '-p', 'tcp', '--dport', '15021', '-j', 'RETURN'),
  nat('SIDECAR_INBOUND', '-p', 'tcp', '-j', 'REDIRECT', '--to-ports', '15006'),
  nat('PREROUTING', '-p', 'tcp', '-j', 'SIDECAR_INBOUND'),
  '[-t][nat][-N][SIDECAR_OUTBOUND]',
  nat('SIDECAR_OUTBOUND', '-m', 'owner', '--uid-owner', '1337', '-j', 'RETURN'),
  nat('SIDECAR_OUTBOUND', '-d', loopback, '-j', 'RETURN'),
  nat('SIDECAR_OUTBOUND', '-p', 'tcp', '-j', 'REDIRECT', '--to-ports', '15001'),
  nat('OUTPUT', '-p', 'tcp', '-j', 'SIDECAR_OUTBOUND'),
];

describe("the proxy's iptables init container", () => {
  it('redirects inbound to 15006 and outbound to 15001, exempting the proxy UID and its own ports', () => {
    const calls = run(initContainerFor({}));
    expect(calls.iptables).toEqual(defaults('127.0.0.1/32'));
  });

  it('programs only iptables in an IPv4-only pod: no ip6tables call at all', () => {
    expect(run(initContainerFor({}), IPV4_POD).ip6tables).toEqual([]);
  });

  it('programs ip6tables with the same rules (::1 exempt) in a dual-stack or IPv6-only pod', () => {
    const dual = run(initContainerFor({}), DUAL_STACK_POD);
    expect(dual.iptables).toEqual(defaults('127.0.0.1/32'));
    expect(dual.ip6tables).toEqual(defaults('::1/128'));
    expect(run(initContainerFor({}), 'fd00:10:244:1::7').ip6tables).toEqual(defaults('::1/128'));
  });

  it('turns each excluded port and CIDR into its own RETURN rule, before the redirect', () => {
    const calls = run(
      initContainerFor({
        'sidecar.inject/exclude-inbound-ports': '9000,9001',
        'sidecar.inject/exclude-outbound-ports': '5432,6379',
        'sidecar.inject/exclude-outbound-cidrs': '10.0.0.0/8,169.254.169.254/32',
      }),
    ).iptables;
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

  it('gives each excluded range to the tool of its family, and ports to both', () => {
    const calls = run(
      initContainerFor({
        'sidecar.inject/exclude-outbound-ports': '5432',
        'sidecar.inject/exclude-outbound-cidrs': '10.0.0.0/8,fd00::/8,::ffff:10.0.0.0/104,169.254.169.254/32',
      }),
      DUAL_STACK_POD,
    );
    const outbound = (lines: string[]): string[] =>
      lines.filter((c) => c.startsWith(nat('SIDECAR_OUTBOUND', '-d')) || c.includes('[--dport][5432]'));
    expect(outbound(calls.iptables)).toEqual([
      nat('SIDECAR_OUTBOUND', '-d', '127.0.0.1/32', '-j', 'RETURN'),
      nat('SIDECAR_OUTBOUND', '-d', '10.0.0.0/8', '-j', 'RETURN'),
      nat('SIDECAR_OUTBOUND', '-d', '169.254.169.254/32', '-j', 'RETURN'),
      nat('SIDECAR_OUTBOUND', '-p', 'tcp', '--dport', '5432', '-j', 'RETURN'),
    ]);
    expect(outbound(calls.ip6tables)).toEqual([
      nat('SIDECAR_OUTBOUND', '-d', '::1/128', '-j', 'RETURN'),
      nat('SIDECAR_OUTBOUND', '-d', 'fd00::/8', '-j', 'RETURN'),
      nat('SIDECAR_OUTBOUND', '-d', '::ffff:10.0.0.0/104', '-j', 'RETURN'),
      nat('SIDECAR_OUTBOUND', '-p', 'tcp', '--dport', '5432', '-j', 'RETURN'),
    ]);
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
    const args = [...container.args.slice(0, 2), hostile, '', `fd00::/8;touch ${marker}`];
    const calls = run({ ...container, args }, DUAL_STACK_POD);
    expect(existsSync(marker)).toBe(false);
    expect(calls.iptables).toContain(nat('SIDECAR_INBOUND', '-p', 'tcp', '--dport', hostile, '-j', 'RETURN'));
    expect(calls.ip6tables).toContain(nat('SIDECAR_OUTBOUND', '-d', `fd00::/8;touch ${marker}`, '-j', 'RETURN'));
  });
});
