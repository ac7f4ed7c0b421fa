import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { injectedContainer, runAsKubelet } from '../helpers/kubelet-run.js';

/**
 * The proxy container's start, run for real by `sh` with its rendered command, args and env, and
 * an `envoy` on PATH that prints its argv as JSON: which bootstrap Envoy gets, decided from the
 * pod's addresses (status.podIPs), exactly as the image's envoy would get it.
 */
const work = mkdtempSync(join(tmpdir(), 'proxy-start-'));
writeFileSync(
  join(work, 'envoy'),
  `#!${process.execPath}\nprocess.stdout.write(JSON.stringify(process.argv.slice(2)));\n`,
);
chmodSync(join(work, 'envoy'), 0o755);
afterAll(() => rmSync(work, { recursive: true, force: true }));

const proxy = injectedContainer('sidecar-proxy');
const [ipv4Bootstrap, dualStackBootstrap] = proxy.args.filter((arg) => arg.startsWith('{'));

function envoyArgv(podIps: string): string[] {
  return JSON.parse(runAsKubelet(proxy, podIps, work)) as string[];
}

describe("the proxy container's start", () => {
  it('renders two bootstraps, the second the first plus [::] listeners', () => {
    expect(ipv4Bootstrap).toBeDefined();
    expect(dualStackBootstrap).toContain('"additional_addresses"');
    expect(ipv4Bootstrap).not.toContain('"::"');
  });

  it.each([
    ['an IPv4-only pod', '10.244.1.7', () => ipv4Bootstrap],
    ['a dual-stack pod', '10.244.1.7,fd00:10:244:1::7', () => dualStackBootstrap],
    ['an IPv6-only pod', 'fd00:10:244:1::7', () => dualStackBootstrap],
    ['a pod whose addresses are not known (empty)', '', () => ipv4Bootstrap],
  ])('gives Envoy the right bootstrap in %s', (_name, podIps, bootstrap) => {
    expect(envoyArgv(podIps)).toEqual(['--disable-hot-restart', '--concurrency', '2', '--config-yaml', bootstrap()]);
  });
});
