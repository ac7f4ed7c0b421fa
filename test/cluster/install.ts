import { copyFileSync, cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Json, Kubectl } from '../e2e/kubectl.js';
import { repositoryRoot } from '../e2e/root.js';
import { kubeconfig } from './pki.js';

export const WEBHOOK_CONFIGURATION = 'MutatingWebhookConfiguration';

/**
 * `kubectl kustomize manifests/files` (TLS_MODE=files: the local process serves the mounted
 * files; manifests/ itself is self-managed) exactly as a user renders it, in a scratch copy whose certs/
 * holds the run's webhook certificates (so the caBundle is the run's, through the same
 * kustomize replacement users get).
 */
export async function renderManifests(kubectl: Kubectl, dir: string, tlsDir: string): Promise<Json[]> {
  const root = repositoryRoot();
  for (const folder of ['manifests', 'templates']) cpSync(join(root, folder), join(dir, folder), { recursive: true });
  mkdirSync(join(dir, 'certs'), { recursive: true });
  copyFileSync(join(root, 'certs/kustomization.yaml'), join(dir, 'certs/kustomization.yaml'));
  for (const file of ['ca.crt', 'tls.crt', 'tls.key']) copyFileSync(join(tlsDir, file), join(dir, 'certs', file));
  const text = await kubectl.ok(['kustomize', join(dir, 'manifests/files')]);
  return parseAllDocuments(text).map((doc) => doc.toJS() as Json);
}

/**
 * The rendered configuration changed only in clientConfig: the API server cannot reach a Service
 * here, so it calls the local process by URL, as envtest does. Selectors, matchConditions, failure
 * policies, reinvocation and timeouts stay exactly what users install.
 */
export function pointedAt(configuration: Json, url: string): Json {
  const webhooks = (configuration['webhooks'] as Json[]).map((webhook) => {
    const caBundle = String((webhook['clientConfig'] as Json)['caBundle']).replace(/\s+/g, '');
    return { ...webhook, clientConfig: { url, caBundle } };
  });
  return { ...configuration, webhooks };
}

/**
 * Applies everything but the Deployment (the webhook runs as a local process instead) and the
 * webhook configuration (applied once the process is ready). Returns the two left out.
 */
export async function applyInstall(kubectl: Kubectl, objects: Json[]): Promise<{ configuration: Json }> {
  const skip = new Set(['Deployment', WEBHOOK_CONFIGURATION]);
  const rest = objects.filter((o) => !skip.has(String(o['kind'])));
  await kubectl.ok(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: rest }) });
  const configuration = objects.find((o) => o['kind'] === WEBHOOK_CONFIGURATION);
  if (!configuration) throw new Error('kubectl kustomize manifests/files rendered no MutatingWebhookConfiguration');
  return { configuration };
}

/**
 * A kubeconfig with the injector's own ServiceAccount token: the webhook reads namespaces with
 * exactly the RBAC of manifests/base/rbac.yaml, as it does in a cluster.
 */
export async function serviceAccountKubeconfig(
  kubectl: Kubectl,
  server: string,
  caFile: string,
  file: string,
): Promise<void> {
  const token = (
    await kubectl.ok(['-n', 'sidecar-injector', 'create', 'token', 'sidecar-injector', '--duration=24h'])
  ).trim();
  writeFileSync(file, kubeconfig(server, caFile, token, 'sidecar-injector'), { mode: 0o600 });
}
