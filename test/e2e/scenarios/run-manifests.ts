import type { Json } from '../kubectl.js';
import { pod } from './context.js';
import { ENABLED } from './injection.js';

/**
 * The objects of the "templates run" e2e, as plain data: the kind suite (real kubelet) and the
 * control-plane tier (kwok) apply exactly these, so a typo or an object the API server or
 * PodSecurity rejects fails on this machine too, not only on kind.
 */

// Real published images, pinned. The templates pin their own sidecar images.
export const AGNHOST = 'registry.k8s.io/e2e-test-images/agnhost:2.53';
export const CURL = 'docker.io/curlimages/curl:8.11.1';
export const VAULT = 'docker.io/hashicorp/vault:1.18.3';

export const PROXY_NS = 'e2e-run-proxy';
export const RESTRICTED_NS = 'e2e-run-restricted';
export const VAULT_NS = 'e2e-run-vault';
/** What the Vault agent must write into the app's /vault/secrets/db. */
export const SECRET_VALUE = 'e2e-s3cret-value';
export const LOG_LINE = 'e2e-log-line-from-the-app';

export const RESTRICTED_LABELS = {
  ...ENABLED,
  'pod-security.kubernetes.io/enforce': 'restricted',
  'sidecar.inject/vault-host': `vault.${VAULT_NS}.svc`,
  'sidecar.inject/vault-scheme': 'http',
};

/** A restricted pod whose app container runs `image` with `command` (a shell for exec, a server). */
export function appPod(name: string, annotations: Record<string, string>, image: string, command: string[]): Json {
  const object = pod(name, annotations);
  const spec = object['spec'] as { containers: Json[] };
  spec.containers = [{ ...spec.containers[0], image, command }];
  return object;
}

/** Keeps the app alive so the pod stays Ready and can be exec'd into. */
const IDLE = ['sh', '-c', 'while true; do sleep 3600; done'];

/** A Service with an address of each family where the cluster has both (kind), one where it has one. */
function service(name: string, ns: string, port: number, targetPort: number): Json {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns },
    spec: { selector: { app: name }, ipFamilyPolicy: 'PreferDualStack', ports: [{ name: 'http', port, targetPort }] },
  };
}

function labelled(object: Json, ns: string, labels: Record<string, string>): Json {
  return { ...object, metadata: { ...(object['metadata'] as Json), namespace: ns, labels } };
}

/** The HTTP app behind the proxy (agnhost netexec answers /hostname with the pod's name), its Service and a client Job. */
export function proxyObjects(): Json[] {
  const server = appPod('web', {}, AGNHOST, ['/agnhost', 'netexec', '--http-port=8080']);
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: PROXY_NS },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: server['spec'] },
    },
  };
  // The client is injected too: its requests leave through its own proxy (outbound 15001) and
  // enter the server through the server's (inbound 15006), once over IPv4 and once over IPv6
  // (kind-config.yaml makes the cluster dual-stack). Each prints the body, then the status.
  const url = `http://web.${PROXY_NS}.svc/hostname`;
  const bothFamilies = 'for family in -4 -6; do curl -sS --retry 5 --retry-connrefused -w "$1" "$family" "$2"; done';
  const client = appPod('client', {}, CURL, ['sh', '-c', bothFamilies, 'client', '\\n%{http_code}\\n', url]);
  const job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'client', namespace: PROXY_NS },
    spec: { backoffLimit: 2, template: { spec: { ...(client['spec'] as Json), restartPolicy: 'Never' } } },
  };
  return [deployment, service('web', PROXY_NS, 80, 8080), job];
}

/** The config source, outside the mesh (it is what the config template fetches from). */
export function configSource(): Json[] {
  const source = appPod('config-source', { 'sidecar.inject': 'false' }, AGNHOST, [
    '/agnhost',
    'netexec',
    '--http-port=8080',
  ]);
  return [
    labelled(source, RESTRICTED_NS, { app: 'config-source' }),
    service('config-source', RESTRICTED_NS, 8080, 8080),
  ];
}

/** One pod per restricted-fitting template, in a namespace enforcing restricted. */
export function restrictedPods(): Json[] {
  // A line every 5 s: fluent-bit finds the file on its own schedule and may start tailing at its end.
  const logging = ['sh', '-c', `while true; do echo ${LOG_LINE} >> /var/log/app/app.log; sleep 5; done`];
  const pods = [
    appPod('logging', { 'sidecar.inject/templates': 'logging' }, CURL, logging),
    appPod(
      'config',
      {
        'sidecar.inject/templates': 'config',
        'sidecar.inject/config-url': `http://config-source.${RESTRICTED_NS}.svc:8080/hostname`,
      },
      CURL,
      IDLE,
    ),
    appPod('metrics', { 'sidecar.inject/templates': 'metrics' }, CURL, IDLE),
    appPod(
      'secrets',
      {
        'sidecar.inject/templates': 'secrets',
        'sidecar.inject/vault-role': 'web',
        'sidecar.inject/secret-db': 'secret/data/web/db',
      },
      CURL,
      IDLE,
    ),
  ];
  return pods.map((p) => labelled(p, RESTRICTED_NS, { app: (p['metadata'] as { name: string }).name }));
}

/** A Vault dev server (in memory, root token "root") whose service account may review tokens. */
export function vaultObjects(): Json[] {
  const server = appPod('vault', {}, VAULT, [
    'vault',
    'server',
    '-dev',
    '-dev-root-token-id=root',
    '-dev-listen-address=0.0.0.0:8200',
  ]);
  const spec = server['spec'] as { containers: Json[]; securityContext: Json; serviceAccountName?: string };
  spec.securityContext = { ...spec.securityContext, runAsUser: 100, runAsGroup: 1000 };
  spec.serviceAccountName = 'vault';
  spec.containers = [
    {
      ...spec.containers[0],
      ports: [{ containerPort: 8200 }],
      // The setup's `kubectl exec vault ...` calls inherit these: the dev server and its root token.
      env: [
        { name: 'HOME', value: '/tmp' },
        { name: 'VAULT_ADDR', value: 'http://127.0.0.1:8200' },
        { name: 'VAULT_TOKEN', value: 'root' },
      ],
      readinessProbe: { httpGet: { path: '/v1/sys/health', port: 8200 }, periodSeconds: 2 },
    },
  ];
  const account = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'vault', namespace: VAULT_NS } };
  // Vault's kubernetes auth calls the TokenReview API with its own token to check the agent's.
  const binding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'e2e-run-vault-tokenreview' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:auth-delegator' },
    subjects: [{ kind: 'ServiceAccount', name: 'vault', namespace: VAULT_NS }],
  };
  return [account, binding, labelled(server, VAULT_NS, { app: 'vault' }), service('vault', VAULT_NS, 8200, 8200)];
}

/** `vault` CLI calls, run in the Vault pod: kubernetes auth, a KV secret, a policy and a role for the pod. */
export function vaultSetup(): Array<{ argv: string[]; input?: string }> {
  return [
    { argv: ['vault', 'auth', 'enable', 'kubernetes'] },
    // In a pod, Vault takes the CA and its reviewer token from its own service account mount.
    { argv: ['vault', 'write', 'auth/kubernetes/config', 'kubernetes_host=https://kubernetes.default.svc'] },
    { argv: ['vault', 'kv', 'put', 'secret/web/db', `password=${SECRET_VALUE}`] },
    { argv: ['vault', 'policy', 'write', 'web', '-'], input: 'path "secret/data/web/*" { capabilities = ["read"] }\n' },
    {
      argv: [
        'vault',
        'write',
        'auth/kubernetes/role/web',
        'bound_service_account_names=default',
        `bound_service_account_namespaces=${RESTRICTED_NS}`,
        'policies=web',
        'ttl=10m',
      ],
    },
  ];
}
