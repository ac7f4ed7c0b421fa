import type { Json, Kubectl } from '../kubectl.js';

/** Stopping and starting the webhook (a local process, or the kind Deployment scaled to 0 and back). */
export interface WebhookControl {
  stop(): Promise<void>;
  start(): Promise<void>;
  /**
   * A new serving certificate from the same CA, swapped in like a kubelet Secret volume (..data).
   * Returns the fingerprint served before and a probe of the one served now.
   */
  rotateCertificate?(): Promise<{ before: string; after: () => Promise<string> }>;
  /** The webhook's own /metrics text (Prometheus format), where the harness can reach its metrics port. */
  metrics?(): Promise<string>;
  /** Restarts the webhook with these configuration variables on top of its own ({} restores them). */
  restartWith?(env: Readonly<Record<string, string>>): Promise<void>;
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** What a scenario may use: only a KUBECONFIG (through kubectl) and, where present, local controls. */
export interface ScenarioContext {
  kubectl: Kubectl;
  /** The built `sidecar-injector` CLI, with the same KUBECONFIG: its prediction of what the webhook does. */
  cli(args: readonly string[], input?: string): Promise<string>;
  injectorNamespace: string;
  clock: Clock;
  say(line: string): void;
  webhook?: WebhookControl;
  /** A second mutating webhook the API server can reach, for reinvocation. */
  appendWebhook?: { url: string; caBundle: string };
  /** Where measured figures are written (test/bench/results). */
  resultsDir?: string;
}

/** `kubelet`: containers really run (kind), so probes, exec, logs and pod-to-pod traffic exist. */
export type Capability = 'webhook' | 'rotation' | 'appendWebhook' | 'settings' | 'kubelet';

export interface Scenario {
  /** Says the behaviour; it is the test's name. */
  name: string;
  needs?: readonly Capability[];
  /** Left out where the provider offers this: a weaker stand-in for a scenario that needs it. */
  unless?: Capability;
  /** Returns a line of what was seen (printed with the result). */
  run(ctx: ScenarioContext): Promise<string>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/** Calls `attempt` until it returns a value, or fails naming what was awaited and the last answer. */
export async function poll<T>(
  ctx: ScenarioContext,
  what: string,
  timeoutMs: number,
  attempt: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = ctx.clock.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await attempt();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (ctx.clock.now() >= deadline) {
      const why = last instanceof Error ? `: ${last.message}` : '';
      throw new Error(`${what}: not within ${Math.round(timeoutMs / 1000)} s${why}`);
    }
    await ctx.clock.sleep(500);
  }
}

const LABEL = 'sidecar-injector-e2e';

/** A namespace owned by the scenarios (labelled so a re-run on a kept kind cluster can find it). */
export async function namespace(
  ctx: ScenarioContext,
  name: string,
  labels: Record<string, string> = {},
): Promise<string> {
  await ctx.kubectl.submit(['apply'], {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { [LABEL]: 'true', ...labels } },
  });
  // The ServiceAccount admission plugin refuses pods until the namespace's default account exists.
  await poll(ctx, `default ServiceAccount in ${name}`, 60_000, async () => {
    const result = await ctx.kubectl.run(['-n', name, 'get', 'serviceaccount', 'default']);
    return result.code === 0 ? true : undefined;
  });
  return name;
}

export async function deleteScenarioNamespaces(ctx: ScenarioContext): Promise<void> {
  await ctx.kubectl.ok(['delete', 'namespace', '-l', `${LABEL}=true`, '--wait=true', '--timeout=180s']);
}

/** A pod that passes the `restricted` Pod Security level, so it is admissible in any namespace. */
export function pod(name: string, annotations: Record<string, string> = {}): Json {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, annotations },
    spec: {
      securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'app',
          image: 'registry.k8s.io/pause:3.10',
          ports: [{ containerPort: 8080 }],
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
        },
      ],
    },
  };
}

export function inNamespace(object: Json, ns: string): Json {
  return { ...object, metadata: { ...(object['metadata'] as Json), namespace: ns } };
}

type Container = { name: string; restartPolicy?: string };
const containers = (podObject: Json, field: 'containers' | 'initContainers'): Container[] =>
  ((podObject['spec'] as Json | undefined)?.[field] as Container[] | undefined) ?? [];

export const names = (podObject: Json, field: 'containers' | 'initContainers'): string[] =>
  containers(podObject, field).map((c) => c.name);

/** Where the proxy ended up: a classic container or a native (restartPolicy Always) init container. */
export function proxyOf(podObject: Json): Container | undefined {
  return [...containers(podObject, 'containers'), ...containers(podObject, 'initContainers')].find(
    (c) => c.name === 'sidecar-proxy',
  );
}

export function annotationsOf(object: Json): Record<string, string> {
  return ((object['metadata'] as Json | undefined)?.['annotations'] as Record<string, string> | undefined) ?? {};
}

export const isInjected = (podObject: Json): boolean =>
  proxyOf(podObject) !== undefined && annotationsOf(podObject)['sidecar.inject/status'] !== undefined;

/** One line describing a stored pod, for failure messages. */
export function describePod(podObject: Json): string {
  return `init=${JSON.stringify(names(podObject, 'initContainers'))} containers=${JSON.stringify(names(podObject, 'containers'))}`;
}

/**
 * Polls a server-side dry run of a throwaway opt-in pod in `default` until it comes back injected:
 * after a rollout or a configuration change the API server may not reach the webhook yet.
 */
export async function untilInjecting(ctx: ScenarioContext, timeoutMs = 60_000): Promise<void> {
  const probe = inNamespace(pod('probe', { 'sidecar.inject': 'true' }), 'default');
  await poll(ctx, 'a server-side dry run coming back injected', timeoutMs, async () => {
    const answer = await ctx.kubectl.submit(['create', '--dry-run=server'], probe);
    return isInjected(answer) ? true : undefined;
  });
}
