import { existsSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { KubernetesObject } from '@kubernetes/client-node';
import { findPodSites } from '../core/workloads.js';
import { apiErrorMessage, connect, type Cluster } from './cluster.js';
import { InputError, buildContext } from './context.js';
import { evaluate } from './evaluate.js';
import { completedFlags } from './installed-flags.js';
import { liveReport, type LiveExplanation } from './explain-report.js';
import { runCommand } from './command.js';
import { servingCertificateExpiry } from './serving-cert.js';
import { judgeWebhooks, type Configuration, type PodFacts, type WebhookVerdict } from './webhooks-live.js';

/** `explain deploy/web -n NS`: the live object, judged as the API server and the webhook would. */
const KINDS: Record<string, [apiVersion: string, kind: string]> = {
  ...aliases(['pod', 'pods', 'po'], ['v1', 'Pod']),
  ...aliases(['deploy', 'deployment', 'deployments'], ['apps/v1', 'Deployment']),
  ...aliases(['sts', 'statefulset', 'statefulsets'], ['apps/v1', 'StatefulSet']),
  ...aliases(['ds', 'daemonset', 'daemonsets'], ['apps/v1', 'DaemonSet']),
  ...aliases(['rs', 'replicaset', 'replicasets'], ['apps/v1', 'ReplicaSet']),
  ...aliases(['rc', 'replicationcontroller', 'replicationcontrollers'], ['v1', 'ReplicationController']),
  ...aliases(['job', 'jobs'], ['batch/v1', 'Job']),
  ...aliases(['cj', 'cronjob', 'cronjobs'], ['batch/v1', 'CronJob']),
};

function aliases(names: string[], target: [string, string]): Record<string, [string, string]> {
  return Object.fromEntries(names.map((name) => [name, target]));
}

/** `kind/name` naming a live object, unless a file of that name exists (files win, as in kubectl). */
export function isLiveReference(argument: string): boolean {
  const [kind, name, extra] = argument.split('/');
  return (
    extra === undefined && Boolean(name) && KINDS[kind?.toLowerCase() ?? ''] !== undefined && !existsSync(argument)
  );
}

export interface LiveOptions {
  namespace?: string | undefined;
  webhookConfiguration: string;
  injectorNamespace: string;
  values: Record<string, string | undefined>;
}

export async function explainLive(reference: string, options: LiveOptions): Promise<LiveExplanation> {
  const cluster = await connect();
  const [kindName = '', name = ''] = reference.split('/');
  const [apiVersion, kind] = KINDS[kindName.toLowerCase()] ?? ['v1', 'Pod'];
  const namespace = options.namespace ?? currentNamespace(cluster);
  const what = `${kind}/${name} in ${namespace}`;
  const object = await readOrExplain(cluster.read<KubernetesObject>(apiVersion, kind, name, namespace), what);
  const site = findPodSites(object)[0];
  if (!site) throw new InputError(`${kind}/${name} has no pod template`);
  const pod = withNamespace(site.pod, namespace);
  const ns = await readOrExplain(
    cluster.read<KubernetesObject>('v1', 'Namespace', namespace),
    `namespace ${namespace}`,
  );
  const namespaceLabels = ns.metadata?.labels ?? {};
  // Listed once: our configuration completes the flags, and every one is judged for the pod.
  const configurations = await cluster.list<Configuration>(
    'admissionregistration.k8s.io/v1',
    'MutatingWebhookConfiguration',
  );
  const ours = configurations.find((c) => c.metadata?.name === options.webhookConfiguration);
  const given = { ...options.values, 'namespace-labels': undefined };
  const context = await buildContext(completedFlags(ours, given));
  try {
    const decision = await evaluate(context, pod, namespace, site.nameHint);
    const webhooks = await webhooksFor(cluster, options, configurations, { namespaceLabels, pod });
    return {
      object: `${kind}/${name}`,
      namespace,
      decision,
      sentToUs: webhooks.verdicts.some((w) => w.ours && w.called),
      webhooks: webhooks.verdicts,
      podSecurity: podSecurityOf(namespaceLabels),
      servingCertificateExpires: webhooks.certificateExpires,
    };
  } finally {
    context.stop();
  }
}

/** Every installed mutating webhook judged for the pod, and our serving certificate's expiry. */
async function webhooksFor(
  cluster: Cluster,
  options: LiveOptions,
  configurations: readonly Configuration[],
  facts: PodFacts,
): Promise<{ verdicts: WebhookVerdict[]; certificateExpires: string }> {
  const verdicts = await judgeWebhooks(configurations, facts, options.webhookConfiguration);
  const ours = configurations.find((c) => c.metadata?.name === options.webhookConfiguration) as
    { webhooks?: { clientConfig?: { url?: string } }[] } | undefined;
  const secret = { name: 'sidecar-injector-tls', namespace: options.injectorNamespace };
  const clientConfig = ours?.webhooks?.[0]?.clientConfig;
  return { verdicts, certificateExpires: await servingCertificateExpiry(cluster, clientConfig, secret, new Date()) };
}

async function readOrExplain<T>(read: Promise<T>, what: string): Promise<T> {
  try {
    return await read;
  } catch (error) {
    throw new InputError(`cannot read ${what}: ${apiErrorMessage(error)}`);
  }
}

function withNamespace(pod: unknown, namespace: string): Record<string, unknown> {
  const object = (pod ?? {}) as Record<string, unknown>;
  const metadata = (object['metadata'] ?? {}) as Record<string, unknown>;
  return { ...object, metadata: { ...metadata, namespace } };
}

/** The namespace's Pod Security labels: enforce, warn and audit levels and versions. */
function podSecurityOf(labels: Record<string, string>): Record<string, string> {
  const prefix = 'pod-security.kubernetes.io/';
  return Object.fromEntries(
    Object.entries(labels)
      .filter(([k]) => k.startsWith(prefix))
      .map(([k, v]) => [k.slice(prefix.length), v]),
  );
}

export function currentNamespace(cluster: Cluster): string {
  const name = cluster.kubeConfig.getCurrentContext();
  return cluster.kubeConfig.getContextObject(name)?.namespace || 'default';
}

/** The command: same flags as file explain, plus the configuration that is ours. */
export function runLiveExplain(
  reference: string,
  args: string[],
  options: NonNullable<ParseArgsConfig['options']>,
): Promise<number> {
  return runCommand('explain', async () => {
    const { values } = parseArgs({
      args,
      options: { ...options, 'webhook-configuration': { type: 'string', default: 'sidecar-injector' } },
      strict: true,
      allowPositionals: true,
    });
    const flags = values as Record<string, string | undefined>;
    const explanation = await explainLive(reference, {
      namespace: flags['namespace'],
      webhookConfiguration: flags['webhook-configuration'] ?? 'sidecar-injector',
      injectorNamespace: flags['injector-namespace'] ?? 'sidecar-injector',
      values: flags,
    });
    const json = flags['output'] === 'json';
    process.stdout.write(json ? `${JSON.stringify(explanation, null, 2)}\n` : liveReport(explanation));
  });
}
