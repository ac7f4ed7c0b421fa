import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { servingNames } from '../../src/cli/self-managed-source.js';
import { loadConfig } from '../../src/config.js';
import { SELECTOR_OPERATORS, selectorMatches, type LabelSelector } from '../../src/core/webhook-match.js';
import { ROOT, type Json } from '../helpers/pods.js';
import { findKubectl } from './kubectl-binary.js';
import { renderInstall } from './render.js';

const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const RECOMMENDED = {
  'app.kubernetes.io/name': 'sidecar-injector',
  'app.kubernetes.io/instance': 'sidecar-injector',
  'app.kubernetes.io/version': VERSION,
  'app.kubernetes.io/component': 'admission-webhook',
  'app.kubernetes.io/part-of': 'sidecar-injector',
  'app.kubernetes.io/managed-by': 'kustomize',
};
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'MutatingWebhookConfiguration']);

/** The overlay README "Install in another namespace" tells users to write, and its namespace. */
const README_OVERLAY =
  /### Install in another namespace[\s\S]*?```yaml\n([\s\S]*?)```/.exec(
    readFileSync(join(ROOT, 'README.md'), 'utf8'),
  )?.[1] ?? '';
const OTHER = /^namespace: (\S+)$/m.exec(README_OVERLAY)?.[1] ?? '';
const overlay = (resource: string): string => README_OVERLAY.replace('  - ../manifests\n', `  - ../${resource}\n`);

describe('the namespace is named in one place', () => {
  const files = listFiles(join(ROOT, 'manifests')).map((file) => ({
    file: relative(ROOT, file),
    text: readFileSync(file, 'utf8'),
  }));

  it('README shows an overlay that moves the install', () => {
    expect(OTHER).toMatch(/^[a-z0-9-]+$/);
    expect(OTHER).not.toBe('sidecar-injector');
    expect(overlay('manifests/cert-manager')).toContain('  - ../manifests/cert-manager\n');
  });

  it('manifests/base/kustomization.yaml, and no other file', () => {
    const naming = files.filter(({ text }) => /sidecar-injector\.sidecar-injector|[\s'"]sidecar-injector\//.test(text));
    expect(naming.map((f) => f.file)).toEqual([]);
    const declaring = files.filter(({ text }) => /namespace:\s*['"]?sidecar-injector\b/.test(text));
    expect(declaring.map((f) => f.file)).toEqual(['manifests/base/kustomization.yaml']);
  });
});

const kubectl = await findKubectl();
if ('missing' in kubectl) console.log(`SKIP manifests (namespace): ${kubectl.missing}`);
const binary = 'binary' in kubectl ? kubectl.binary : 'kubectl';

describe.skipIf('missing' in kubectl)('every install, in its own namespace or another', () => {
  const installs: Record<string, Json[]> = {};

  beforeAll(async () => {
    const files = {
      'other/kustomization.yaml': overlay('manifests'),
      'other-cm/kustomization.yaml': overlay('manifests/cert-manager'),
    };
    const [plain, certManager, other, otherCertManager] = await Promise.all([
      renderInstall(binary),
      renderInstall(binary, 'manifests/cert-manager'),
      renderInstall(binary, 'other', files),
      renderInstall(binary, 'other-cm', files),
    ]);
    Object.assign(installs, {
      'sidecar-injector': plain.objects,
      'sidecar-injector (cert-manager)': certManager.objects,
      other: other.objects,
      'other (cert-manager)': otherCertManager.objects,
    });
  });

  const cases: [string, string][] = [
    ['sidecar-injector', 'sidecar-injector'],
    ['sidecar-injector (cert-manager)', 'sidecar-injector'],
    ['other', OTHER],
    ['other (cert-manager)', OTHER],
  ];

  describe.each(cases)('%s', (install, namespace) => {
    const objects = (): Json[] => installs[install] ?? [];
    const webhooks = (): Json[] =>
      objects().find((o) => o['kind'] === 'MutatingWebhookConfiguration')?.['webhooks'] as Json[];

    it('creates the namespace and puts every namespaced object in it', () => {
      expect(
        objects()
          .filter((o) => o['kind'] === 'Namespace')
          .map(nameOf),
      ).toEqual([namespace]);
      for (const object of objects().filter((o) => !CLUSTER_SCOPED.has(String(o['kind']))))
        expect(metadata(object)['namespace'], `${String(object['kind'])} ${nameOf(object)}`).toBe(namespace);
    });

    it('binds the ServiceAccount of that namespace, in every binding', () => {
      const bindings = objects().filter((o) => ['ClusterRoleBinding', 'RoleBinding'].includes(String(o['kind'])));
      expect(bindings.length).toBeGreaterThan(0);
      for (const binding of bindings)
        expect(binding['subjects'], nameOf(binding)).toEqual([
          { kind: 'ServiceAccount', name: 'sidecar-injector', namespace },
        ]);
    });

    it('points both webhooks at the Service in that namespace and never selects that namespace', () => {
      expect(webhooks()).toHaveLength(2);
      for (const webhook of webhooks()) {
        expect((webhook['clientConfig'] as Json)['service']).toMatchObject({ name: 'sidecar-injector', namespace });
        const selector = webhook['namespaceSelector'] as LabelSelector;
        for (const injection of [{}, { 'istio-injection': 'enabled' }] as Record<string, string>[])
          expect(selectorMatches(selector, { 'kubernetes.io/metadata.name': namespace, ...injection })).toBe(false);
      }
      const enabledElsewhere = { 'kubernetes.io/metadata.name': 'shop', 'istio-injection': 'enabled' };
      expect(selectorMatches((webhooks()[0] as Json)['namespaceSelector'] as LabelSelector, enabledElsewhere)).toBe(
        true,
      );
    });

    it("uses only label-selector operators the core's matcher evaluates (the tests above rely on it)", () => {
      const operators = collectOperators(objects());
      expect(operators.length).toBeGreaterThan(0);
      for (const operator of operators) expect(SELECTOR_OPERATORS).toContain(operator);
    });

    it('labels every object, and the pods, with the recommended app.kubernetes.io labels', () => {
      const deployment = objects().find((o) => o['kind'] === 'Deployment') as Json;
      const template = (deployment['spec'] as Json)['template'] as Json;
      for (const object of [...objects(), template]) {
        const labels = (metadata(object)['labels'] ?? {}) as Record<string, string>;
        expect(labels, `${String(object['kind'])} ${nameOf(object)}`).toEqual(expect.objectContaining(RECOMMENDED));
      }
      const image = String((((template['spec'] as Json)['containers'] as Json[])[0] as Json)['image']);
      expect(image.split(':').at(-1)).toBe(RECOMMENDED['app.kubernetes.io/version']);
    });

    it('leaves no placeholder and no reference to another namespace in any string', () => {
      const strings = collectStrings(objects());
      expect(strings.filter((s) => s.includes('set-by-kustomize'))).toEqual([]);
      const qualified = strings.filter((s) =>
        /^sidecar-injector\.[a-z0-9-]+\.svc|^[a-z0-9-]+\/sidecar-injector-/.test(s),
      );
      for (const value of qualified)
        expect(value).toMatch(new RegExp(`^sidecar-injector\\.${namespace}\\.svc|^${namespace}/`));
    });
  });

  describe.each(cases.filter(([install]) => !install.includes('cert-manager')))('%s', (install, namespace) => {
    it('self-managed: the certificate the replicas issue names the Service in that namespace', () => {
      const objects = installs[install] ?? [];
      const deployment = objects.find((o) => o['kind'] === 'Deployment') as Json;
      const pod = (deployment['spec'] as Json)['template'] as Json;
      const container = (((pod['spec'] as Json)['containers'] as Json[])[0] ?? {}) as Json;
      const env = Object.fromEntries(
        (container['env'] as Json[]).map((e) => [e['name'], e['value'] ?? fieldOf(deployment, e['valueFrom'] as Json)]),
      );
      const loaded = loadConfig(env);
      if (!loaded.ok) throw new Error(loaded.errors.join('; '));
      const { config } = loaded;
      expect(config.TLS_MODE).toBe('self-managed');
      const webhooks = (objects.find((o) => o['kind'] === 'MutatingWebhookConfiguration') as Json)[
        'webhooks'
      ] as Json[];
      const service = (webhooks[0]?.['clientConfig'] as Json)['service'] as Json;
      expect(servingNames(config).dnsNames).toContain(`${String(service['name'])}.${namespace}.svc`);
    });
  });

  describe.each(cases.filter(([install]) => install.includes('cert-manager')))('%s', (install, namespace) => {
    it('issues the certificate for the Service in that namespace', () => {
      const certificate = installs[install]?.find(
        (o) => o['kind'] === 'Certificate' && nameOf(o) === 'sidecar-injector-tls',
      );
      expect((certificate?.['spec'] as Json)['dnsNames']).toEqual([
        `sidecar-injector.${namespace}.svc`,
        `sidecar-injector.${namespace}.svc.cluster.local`,
      ]);
      const config = installs[install]?.find((o) => o['kind'] === 'MutatingWebhookConfiguration') as Json;
      expect(metadata(config)['annotations']).toEqual({
        'cert-manager.io/inject-ca-from': `${namespace}/sidecar-injector-tls`,
      });
    });
  });
});

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

/** The operator of every matchExpressions entry, wherever a selector sits in the objects. */
function collectOperators(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(collectOperators);
  if (!value || typeof value !== 'object') return [];
  const own = ((value as Json)['matchExpressions'] ?? []) as { operator: string }[];
  return [...own.map((e) => e.operator), ...Object.values(value).flatMap(collectOperators)];
}

function collectStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(collectStrings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(collectStrings);
  return [];
}

const metadata = (object: Json): Json => object['metadata'] as Json;

/** A downward-API value as the kubelet resolves it for a pod of this Deployment (its namespace). */
function fieldOf(deployment: Json, valueFrom: Json | undefined): string | undefined {
  const path = (valueFrom?.['fieldRef'] as Json | undefined)?.['fieldPath'];
  if (path === 'metadata.namespace') return String(metadata(deployment)['namespace']);
  if (path === 'metadata.name') return `${nameOf(deployment)}-pod`;
  return undefined;
}
const nameOf = (object: Json): string => String(metadata(object)['name']);
