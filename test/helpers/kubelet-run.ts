import { execFileSync } from 'node:child_process';
import { decide } from '../../src/core/decide.js';
import { SETTINGS, applyStrictly, loadTemplateSet, makePod, type Json } from './pods.js';

/** A rendered container as far as starting its process goes. */
export interface StartedContainer {
  command: string[];
  args: string[];
  env: { name: string; value?: string; valueFrom?: { fieldRef: { fieldPath: string } } }[];
}

const templates = loadTemplateSet();

/** The container `name` of a pod injected (classic mode) with the given annotations. */
export function injectedContainer(name: string, annotations: Record<string, string> = {}): StartedContainer {
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
  const all = [...((spec['initContainers'] as Json[]) ?? []), ...((spec['containers'] as Json[]) ?? [])];
  const found = all.find((c) => c['name'] === name);
  if (!found) throw new Error(`no container ${name}`);
  return found as unknown as StartedContainer;
}

/**
 * Starts the container's process as the kubelet would: command + args, its env, the downward
 * API's status.podIPs as `podIps`, and `path` first on PATH (where the tests' recording stand-ins
 * for iptables, ip6tables or envoy are). Returns stdout.
 */
export function runAsKubelet(container: StartedContainer, podIps: string, path: string, env: NodeJS.ProcessEnv = {}) {
  const [file = '', ...rest] = container.command;
  const downward: Record<string, string> = { 'status.podIPs': podIps };
  const own = Object.fromEntries(
    container.env.map((e) => [e.name, e.value ?? downward[e.valueFrom?.fieldRef.fieldPath ?? ''] ?? '']),
  );
  return execFileSync(file, [...rest, ...container.args], {
    cwd: path,
    env: { ...own, ...env, PATH: `${path}:/usr/bin:/bin` },
    encoding: 'utf8',
  });
}
