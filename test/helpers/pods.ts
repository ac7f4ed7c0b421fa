import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fastJsonPatch, { type Operation } from 'fast-json-patch';
import { Pod } from 'kubernetes-models/v1/Pod';
import { decide } from '../../src/core/decide.js';
import type { Outcome } from '../../src/core/outcome.js';
import { compileTemplates, type TemplateSet } from '../../src/core/templates.js';
import type { InjectionSettings } from '../../src/core/inject.js';
import { isTemplateFile } from '../../src/templates/files.js';

export const ROOT = new URL('../../', import.meta.url).pathname;

export type Json = Record<string, unknown>;

/** A pod the way the API server sends it at the mutating stage: defaulted, empty lists absent. */
export function makePod(overrides: { annotations?: Record<string, string>; spec?: Json; metadata?: Json } = {}): Json {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'app',
      namespace: 'demo',
      ...(overrides.annotations ? { annotations: overrides.annotations } : {}),
      ...overrides.metadata,
    },
    spec: {
      containers: [
        {
          name: 'app',
          image: 'nginx:1.27',
          ports: [{ containerPort: 8080, protocol: 'TCP' }],
          volumeMounts: [{ name: 'data', mountPath: '/data' }],
        },
      ],
      volumes: [{ name: 'data', emptyDir: {} }],
      serviceAccountName: 'default',
      ...overrides.spec,
    },
  };
}

export function makeReview(object: unknown, request: Json = {}): Json {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: '0f6d2c1e-1111-4222-8333-444455556666',
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      requestKind: { group: '', version: 'v1', kind: 'Pod' },
      requestResource: { group: '', version: 'v1', resource: 'pods' },
      namespace: 'demo',
      operation: 'CREATE',
      userInfo: { username: 'tester' },
      object,
      oldObject: null,
      dryRun: false,
      options: { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1' },
      ...request,
    },
  };
}

export function loadTemplateSet(dir = join(ROOT, 'templates')): TemplateSet {
  const sources = readdirSync(dir)
    .filter(isTemplateFile)
    .sort()
    .map((file) => ({ file, text: readFileSync(join(dir, file), 'utf8') }));
  const result = compileTemplates(sources);
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.templates;
}

export const SETTINGS: InjectionSettings = {
  injectorNamespace: 'sidecar-injector',
  defaultTemplates: ['proxy'],
  nativeSidecars: false,
};

/**
 * Applies the patch the strict way (every op validated, nothing mutated in place) and checks the
 * result the way the API server would: the Kubernetes schema, then the uniqueness rules the
 * schema cannot express.
 */
export function applyStrictly(pod: unknown, ops: readonly Operation[]): Json {
  const patched = fastJsonPatch.applyPatch(structuredClone(pod), structuredClone(ops as Operation[]), true, false)
    .newDocument as Json;
  assertValidPod(patched);
  return patched;
}

export function assertValidPod(pod: Json): void {
  new Pod(pod as never).validate();
  const spec = pod['spec'] as {
    containers?: { name: string }[];
    initContainers?: { name: string }[];
    volumes?: { name: string }[];
  };
  const names = [...(spec.containers ?? []), ...(spec.initContainers ?? [])].map((c) => c.name);
  if (new Set(names).size !== names.length) throw new Error(`duplicate container names: ${names.join(', ')}`);
  const volumes = (spec.volumes ?? []).map((v) => v.name);
  if (new Set(volumes).size !== volumes.length) throw new Error(`duplicate volume names: ${volumes.join(', ')}`);
}

export function decodePatch(base64: string): Operation[] {
  return JSON.parse(Buffer.from(base64, 'base64').toString('utf8')) as Operation[];
}

/** A namespace enabled for injection that also says where Vault is, so the secrets template resolves. */
export const VAULT_NAMESPACE_LABELS: Readonly<Record<string, string>> = {
  'istio-injection': 'enabled',
  'sidecar.inject/vault-host': 'vault.vault.svc',
  'sidecar.inject/vault-role': 'web',
};

/** The one decision for `object` in namespace `demo`, labelled `labels` (Vault's by default), with SETTINGS. */
export function decideInDemo(
  templates: TemplateSet,
  object: Json,
  labels: Readonly<Record<string, string>> = VAULT_NAMESPACE_LABELS,
  settings: InjectionSettings = SETTINGS,
): Outcome {
  return decide({ object, namespace: 'demo', namespaceLabels: { known: true, labels }, templates, settings });
}
