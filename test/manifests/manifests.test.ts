import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { connect, createServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { evaluate } from '@marcbachmann/cel-js';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileTemplates } from '../../src/core/templates.js';
import { selectorMatches, type LabelSelector } from '../../src/core/webhook-match.js';
import { manifestFiles, validateObject } from '../helpers/manifests.js';
import type { Json } from '../helpers/pods.js';
import { findKubectl } from './kubectl-binary.js';
import { renderInstall, type RenderedInstall } from './render.js';

const SERVICE_DNS = 'sidecar-injector.sidecar-injector.svc';
const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

describe('every manifest file is schema-valid on its own', () => {
  for (const { file, objects } of manifestFiles()) {
    it(`${file}`, () => {
      expect(objects.length).toBeGreaterThan(0);
      for (const object of objects) validateObject(object);
    });
  }
});

const kubectl = await findKubectl();
if ('missing' in kubectl) console.log(`SKIP manifests (rendered): ${kubectl.missing}`);
const binary = 'binary' in kubectl ? kubectl.binary : 'kubectl';

type Webhook = Json & {
  name: string;
  clientConfig: Json;
  rules: Json[];
  namespaceSelector: LabelSelector;
  matchConditions?: { name: string; expression: string }[];
};

describe.skipIf('missing' in kubectl)('the rendered install (kubectl kustomize manifests/)', () => {
  let install: RenderedInstall;
  const find = (kind: string): Json[] => install.objects.filter((o) => o['kind'] === kind);
  const one = (kind: string): Json => {
    const found = find(kind);
    expect(found, kind).toHaveLength(1);
    return found[0] as Json;
  };
  const webhooks = (): Webhook[] => one('MutatingWebhookConfiguration')['webhooks'] as Webhook[];
  const podSpec = (): Json => ((one('Deployment')['spec'] as Json)['template'] as Json)['spec'] as Json;

  beforeAll(async () => {
    install = await renderInstall(binary);
  });

  it('renders only schema-valid objects, and no Secret: the webhook makes its own certificate', () => {
    expect(install.objects.map((o) => o['kind']).sort()).toEqual([
      'ClusterRole',
      'ClusterRole',
      'ClusterRoleBinding',
      'ClusterRoleBinding',
      'ConfigMap',
      'Deployment',
      'MutatingWebhookConfiguration',
      'Namespace',
      'NetworkPolicy',
      'PodDisruptionBudget',
      'Role',
      'RoleBinding',
      'Service',
      'ServiceAccount',
    ]);
    for (const object of install.objects) validateObject(object);
  });

  it('names each webhook with at least 3 dot-separated segments, uniquely', () => {
    const names = webhooks().map((w) => w.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name.split('.').length).toBeGreaterThanOrEqual(3);
  });

  it('sends only CREATE of pods, in v1, with no side effects, a short timeout and reinvocation', () => {
    for (const webhook of webhooks()) {
      expect(webhook['admissionReviewVersions']).toEqual(['v1']);
      expect(webhook['sideEffects']).toBe('None');
      expect(webhook['timeoutSeconds']).toBeLessThanOrEqual(10);
      expect(webhook['reinvocationPolicy']).toBe('IfNeeded');
      expect(['Fail', 'Ignore']).toContain(webhook['failurePolicy']);
      expect(webhook.rules).toEqual([
        { operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: 'Namespaced' },
      ]);
    }
  });

  it('points at the Service, whose targetPort is the container port, on a DNS-1123 path', () => {
    const service = one('Service');
    const servicePort = ((service['spec'] as Json)['ports'] as Json[]).find((p) => p['port'] === 443) as Json;
    const container = (podSpec()['containers'] as Json[])[0] as Json;
    const containerPort = (container['ports'] as Json[]).find(
      (p) => p['name'] === servicePort['targetPort'] || p['containerPort'] === servicePort['targetPort'],
    ) as Json;
    const env = Object.fromEntries((container['env'] as Json[]).map((e) => [e['name'], e['value']]));
    expect(String(containerPort['containerPort'])).toBe(env['PORT']);
    for (const webhook of webhooks()) {
      const ref = webhook.clientConfig['service'] as Json;
      expect(ref).toMatchObject({
        name: (service['metadata'] as Json)['name'],
        namespace: (service['metadata'] as Json)['namespace'],
        port: 443,
      });
      const segments = String(ref['path']).split('/').slice(1);
      for (const segment of segments) expect(segment).toMatch(DNS_1123_SUBDOMAIN);
    }
  });

  it('never selects kube-system, kube-public, kube-node-lease or the injector namespace', () => {
    const namespaces = ['kube-system', 'kube-public', 'kube-node-lease', 'sidecar-injector'];
    for (const webhook of webhooks()) {
      for (const name of namespaces) {
        for (const injection of [undefined, 'enabled']) {
          const labels: Record<string, string> = {
            'kubernetes.io/metadata.name': name,
            ...(injection ? { 'istio-injection': injection } : {}),
          };
          expect(selectorMatches(webhook.namespaceSelector, labels), `${webhook.name} selects ${name}`).toBe(false);
        }
      }
    }
  });

  it('routes enabled namespaces to the first webhook and unlabelled ones to the opt-in webhook', () => {
    const [byNamespace, optIn] = webhooks() as [Webhook, Webhook];
    const enabled = { 'kubernetes.io/metadata.name': 'shop', 'istio-injection': 'enabled' };
    const plain = { 'kubernetes.io/metadata.name': 'shop' };
    const disabled = { 'kubernetes.io/metadata.name': 'shop', 'istio-injection': 'disabled' };
    expect([
      selectorMatches(byNamespace.namespaceSelector, enabled),
      selectorMatches(optIn.namespaceSelector, enabled),
    ]).toEqual([true, false]);
    expect([
      selectorMatches(byNamespace.namespaceSelector, plain),
      selectorMatches(optIn.namespaceSelector, plain),
    ]).toEqual([false, true]);
    expect([
      selectorMatches(byNamespace.namespaceSelector, disabled),
      selectorMatches(optIn.namespaceSelector, disabled),
    ]).toEqual([false, false]);
  });

  it('uses matchConditions so opted-out and already-injected pods are never sent (CEL evaluated)', () => {
    const [byNamespace, optIn] = webhooks() as [Webhook, Webhook];
    const pods: [Json, boolean, boolean][] = [
      [{ metadata: {} }, true, false],
      [{ metadata: { annotations: { other: 'x' } } }, true, false],
      [{ metadata: { annotations: { 'sidecar.inject': 'false' } } }, false, false],
      [{ metadata: { annotations: { 'sidecar.inject': 'False' } } }, false, false],
      [{ metadata: { annotations: { 'sidecar.inject': 'true' } } }, true, true],
      [{ metadata: { annotations: { 'sidecar.inject': 'TRUE' } } }, true, true],
      [{ metadata: { annotations: { 'sidecar.inject': 'true', 'sidecar.inject/status': '{}' } } }, false, false],
    ];
    const sent = (webhook: Webhook, object: Json): boolean =>
      (webhook.matchConditions ?? []).every((c) => evaluate(c.expression, { object }) === true);
    for (const [object, toNamespaceHook, toOptInHook] of pods) {
      expect([sent(byNamespace, object), sent(optIn, object)], JSON.stringify(object)).toEqual([
        toNamespaceHook,
        toOptInHook,
      ]);
    }
  });

  it('with files (manifests/files), carries a caBundle that verifies the serving certificate in a real TLS handshake', async () => {
    const files = await renderInstall(binary, 'manifests/files');
    const secret = files.objects.find((o) => o['kind'] === 'Secret') as Json;
    const config = files.objects.find((o) => o['kind'] === 'MutatingWebhookConfiguration') as Json;
    const webhooks = (): Webhook[] => config['webhooks'] as Webhook[];
    const data = secret['data'] as Record<string, string>;
    for (const webhook of webhooks())
      expect(String(webhook.clientConfig['caBundle']).replace(/\s/g, '')).toBe(data['ca.crt']);
    const ca = Buffer.from(String(webhooks()[0]?.clientConfig['caBundle']).replace(/\s/g, ''), 'base64').toString(
      'utf8',
    );
    const cert = Buffer.from(data['tls.crt'] ?? '', 'base64').toString('utf8');
    const key = Buffer.from(data['tls.key'] ?? '', 'base64').toString('utf8');
    const leaf = new X509Certificate(cert);
    expect(leaf.verify(new X509Certificate(ca).publicKey)).toBe(true);
    expect(leaf.checkHost(SERVICE_DNS)).toBe(SERVICE_DNS);
    expect(leaf.toLegacyObject().ext_key_usage).toContain('1.3.6.1.5.5.7.3.1');
    expect(secret['type']).toBe('kubernetes.io/tls');
    const server = createServer({ cert, key }, (socket) => socket.end());
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const socket = connect({
      host: '127.0.0.1',
      port: (server.address() as AddressInfo).port,
      ca,
      servername: SERVICE_DNS,
    });
    await once(socket, 'secureConnect');
    expect(socket.authorized).toBe(true);
    socket.destroy();
    server.close();
  });

  it('grants no more RBAC than the code uses: namespaces to read, its Secret and Leases, its own caBundle', () => {
    const rules = (kind: string, name: string): unknown =>
      find(kind).find((o) => (o['metadata'] as Json)['name'] === name)?.['rules'];
    expect(rules('ClusterRole', 'sidecar-injector')).toEqual([
      { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] },
    ]);
    expect(rules('ClusterRole', 'sidecar-injector-webhook-ca')).toEqual([
      {
        apiGroups: ['admissionregistration.k8s.io'],
        resources: ['mutatingwebhookconfigurations'],
        resourceNames: [(one('MutatingWebhookConfiguration')['metadata'] as Json)['name']],
        verbs: ['get', 'patch'],
      },
    ]);
    expect(rules('Role', 'sidecar-injector-certificates')).toEqual([
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
      {
        apiGroups: [''],
        resources: ['secrets'],
        resourceNames: ['sidecar-injector-tls'],
        verbs: ['get', 'list', 'watch', 'update'],
      },
      {
        apiGroups: ['coordination.k8s.io'],
        resources: ['leases'],
        verbs: ['get', 'list', 'create', 'update', 'delete'],
      },
    ]);
    for (const binding of [...find('ClusterRoleBinding'), ...find('RoleBinding')])
      expect(binding['subjects']).toEqual([
        { kind: 'ServiceAccount', name: 'sidecar-injector', namespace: 'sidecar-injector' },
      ]);
  });

  it('runs at least 2 hardened replicas spread across nodes, with probes and a PDB', () => {
    const deployment = one('Deployment');
    expect((deployment['spec'] as Json)['replicas']).toBeGreaterThanOrEqual(2);
    const spec = podSpec();
    expect(spec['securityContext']).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect((spec['topologySpreadConstraints'] as Json[])[0]).toMatchObject({ topologyKey: 'kubernetes.io/hostname' });
    const container = (spec['containers'] as Json[])[0] as Json;
    expect(container['securityContext']).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(container['readinessProbe']).toMatchObject({ httpGet: { path: '/readyz', scheme: 'HTTPS' } });
    expect(container['livenessProbe']).toMatchObject({ httpGet: { path: '/healthz', scheme: 'HTTPS' } });
    expect(container['resources']).toMatchObject({ requests: { cpu: expect.any(String), memory: expect.any(String) } });
    const pdb = one('PodDisruptionBudget');
    expect(((pdb['spec'] as Json)['selector'] as Json)['matchLabels']).toEqual(
      ((deployment['spec'] as Json)['selector'] as Json)['matchLabels'],
    );
  });

  it('ships the templates as a ConfigMap that compiles as a set', () => {
    const data = one('ConfigMap')['data'] as Record<string, string>;
    const result = compileTemplates(Object.entries(data).map(([file, text]) => ({ file, text })));
    expect(result.ok && [...result.templates.keys()].sort()).toEqual([
      'config',
      'logging',
      'metrics',
      'proxy',
      'secrets',
    ]);
  });

  it('renders the cert-manager overlay with the inject-ca-from annotation and no generated Secret', async () => {
    const overlay = await renderInstall(binary, 'manifests/cert-manager');
    const config = overlay.objects.find((o) => o['kind'] === 'MutatingWebhookConfiguration') as Json;
    expect((config['metadata'] as Json)['annotations']).toEqual({
      'cert-manager.io/inject-ca-from': 'sidecar-injector/sidecar-injector-tls',
    });
    expect(overlay.objects.filter((o) => o['kind'] === 'Secret')).toHaveLength(0);
    expect(overlay.objects.filter((o) => ['Role', 'RoleBinding'].includes(String(o['kind'])))).toEqual([]);
    expect(overlay.objects.filter((o) => o['kind'] === 'ClusterRole')).toHaveLength(1);
    expect(
      overlay.objects.filter((o) => String(o['apiVersion']).startsWith('cert-manager.io/')).map((o) => o['kind']),
    ).toEqual(['Certificate', 'Certificate', 'Issuer', 'Issuer']);
    for (const object of overlay.objects)
      if (!String(object['apiVersion']).startsWith('cert-manager.io/')) validateObject(object);
  });
});
