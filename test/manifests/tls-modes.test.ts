import { dirname } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/config.js';
import type { Json } from '../helpers/pods.js';
import { findKubectl } from './kubectl-binary.js';
import { renderInstall } from './render.js';

const kubectl = await findKubectl();
if ('missing' in kubectl) console.log(`SKIP manifests (TLS modes): ${kubectl.missing}`);
const binary = 'binary' in kubectl ? kubectl.binary : 'kubectl';

const defaults = ConfigSchema.parse({});
const byKind = (objects: Json[], kind: string): Json[] => objects.filter((o) => o['kind'] === kind);
const nameOf = (object: Json | undefined): unknown => (object?.['metadata'] as Json | undefined)?.['name'];
const container = (objects: Json[]): Json => {
  const deployment = byKind(objects, 'Deployment')[0] as Json;
  const spec = ((deployment['spec'] as Json)['template'] as Json)['spec'] as Json;
  return { ...((spec['containers'] as Json[])[0] as Json), volumes: spec['volumes'] };
};
const env = (objects: Json[]): Record<string, unknown> =>
  Object.fromEntries(
    ((container(objects)['env'] ?? []) as Json[]).map((e) => [e['name'], e['value'] ?? e['valueFrom']]),
  );

describe.skipIf('missing' in kubectl)('TLS modes of the installs', () => {
  const installs: Record<string, Json[]> = {};
  beforeAll(async () => {
    for (const target of ['manifests', 'manifests/files', 'manifests/cert-manager'])
      installs[target] = (await renderInstall(binary, target)).objects;
  });

  it('the default install is self-managed: replica identity and namespace from the pod, no mounted certificate', () => {
    const objects = installs['manifests'] ?? [];
    expect(env(objects)).toMatchObject({
      TLS_MODE: 'self-managed',
      POD_NAME: { fieldRef: { fieldPath: 'metadata.name' } },
      INJECTOR_NAMESPACE: { fieldRef: { fieldPath: 'metadata.namespace' } },
    });
    expect(env(objects)).not.toHaveProperty('TLS_CERT_FILE');
    expect((container(objects)['volumes'] as Json[]).map((v) => v['name'])).not.toContain('tls');
    for (const webhook of byKind(objects, 'MutatingWebhookConfiguration')[0]?.['webhooks'] as Json[])
      expect(webhook['clientConfig']).not.toHaveProperty('caBundle');
  });

  it("the code's defaults name the install's objects: Service, Secret (and its RBAC), webhook configuration", () => {
    const objects = installs['manifests'] ?? [];
    expect(nameOf(byKind(objects, 'Service')[0])).toBe(defaults.SERVICE_NAME);
    expect(nameOf(byKind(objects, 'MutatingWebhookConfiguration')[0])).toBe(defaults.WEBHOOK_CONFIGURATION_NAME);
    const role = byKind(objects, 'Role')[0] as Json;
    const named = (role['rules'] as Json[]).filter((rule) => rule['resourceNames']);
    expect(named.flatMap((rule) => rule['resourceNames'] as string[])).toEqual([defaults.TLS_SECRET_NAME]);
  });

  it.each(['manifests/files', 'manifests/cert-manager'])(
    '%s serves the Secret mounted where TLS_CERT_FILE and TLS_KEY_FILE point, without the self-managed RBAC',
    (target) => {
      const objects = installs[target] ?? [];
      const vars = env(objects);
      expect(vars['TLS_MODE']).toBe('files');
      const mount = ((container(objects)['volumeMounts'] ?? []) as Json[]).find((m) => m['name'] === 'tls') as Json;
      expect(dirname(String(vars['TLS_CERT_FILE']))).toBe(mount['mountPath']);
      expect(dirname(String(vars['TLS_KEY_FILE']))).toBe(mount['mountPath']);
      const volume = (container(objects)['volumes'] as Json[]).find((v) => v['name'] === 'tls') as Json;
      expect(volume['secret']).toEqual({ secretName: defaults.TLS_SECRET_NAME });
      expect(byKind(objects, 'Role')).toEqual([]);
      expect(byKind(objects, 'ClusterRole').map(nameOf)).toEqual(['sidecar-injector']);
    },
  );
});
