import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { MutatingWebhookConfiguration } from 'kubernetes-models/admissionregistration.k8s.io/v1/MutatingWebhookConfiguration';
import { generateCerts, serviceNames, writeCerts, type GeneratedCerts } from '../../src/tls.js';
import { ROOT, type Json } from './pods.js';

const MODELS: Record<string, new (value: never) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/Service': Service,
  'v1/Secret': Secret,
  'v1/ConfigMap': ConfigMap,
  'apps/v1/Deployment': Deployment,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'admissionregistration.k8s.io/v1/MutatingWebhookConfiguration': MutatingWebhookConfiguration,
};

/** Validates against the Kubernetes OpenAPI schema; throws naming the object and the field. */
export function validateObject(object: Json): void {
  const key = `${object['apiVersion']}/${object['kind']}`;
  const Model = MODELS[key];
  if (!Model) throw new Error(`no schema for ${key}`);
  try {
    new Model(object as never).validate();
  } catch (error) {
    const name = (object['metadata'] as Json | undefined)?.['name'];
    throw new Error(`${key} ${String(name)}: ${(error as Error).message}`, { cause: error });
  }
}

export function parseDocuments(text: string): Json[] {
  return parseAllDocuments(text)
    .map((doc) => doc.toJS() as Json | null)
    .filter((doc): doc is Json => doc !== null);
}

export function hasKubectl(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface RenderedInstall {
  objects: Json[];
  certs: GeneratedCerts;
}

/** Copies the install into a scratch dir, runs the certs step there, and renders it with kustomize. */
export async function renderInstall(overlay = 'manifests'): Promise<RenderedInstall> {
  const dir = mkdtempSync(join(tmpdir(), 'sidecar-injector-install-'));
  for (const folder of ['manifests', 'templates']) cpSync(join(ROOT, folder), join(dir, folder), { recursive: true });
  cpSync(join(ROOT, 'certs/kustomization.yaml'), join(dir, 'certs/kustomization.yaml'));
  const certs = await generateCerts({ dnsNames: serviceNames('sidecar-injector', 'sidecar-injector') });
  await writeCerts(join(dir, 'certs'), certs);
  const text = execFileSync('kubectl', ['kustomize', join(dir, overlay)], { encoding: 'utf8' });
  return { objects: parseDocuments(text).map(unwrapBase64), certs };
}

/**
 * kustomize wraps base64 values at 70 columns. The API server's Go decoder ignores those
 * newlines; the OpenAPI "byte" format does not, so they are joined before validation.
 */
function unwrapBase64(object: Json): Json {
  const join = (value: unknown): unknown => (typeof value === 'string' ? value.replace(/\s/g, '') : value);
  if (object['kind'] === 'Secret' && object['data']) {
    object['data'] = Object.fromEntries(Object.entries(object['data'] as Json).map(([k, v]) => [k, join(v)]));
  }
  if (object['kind'] === 'MutatingWebhookConfiguration') {
    for (const webhook of (object['webhooks'] ?? []) as Json[]) {
      const clientConfig = webhook['clientConfig'] as Json;
      if (clientConfig['caBundle'] !== undefined) clientConfig['caBundle'] = join(clientConfig['caBundle']);
    }
  }
  return object;
}

/** The raw YAML files, for checks that need no kustomize. */
export function manifestFiles(): { file: string; objects: Json[] }[] {
  const base = join(ROOT, 'manifests/base');
  return readdirSync(base)
    .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
    .map((file) => ({ file, objects: parseDocuments(readFileSync(join(base, file), 'utf8')) }));
}
