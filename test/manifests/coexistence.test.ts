import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { flagsFromConfiguration } from '../../src/cli/installed-flags.js';
import { matchConditions } from '../../src/core/match-conditions.js';
import { ROOT, type Json } from '../helpers/pods.js';
import { findKubectl } from './kubectl-binary.js';
import { renderInstall } from './render.js';

/** The overlay README "Beside Istio" shows: its own namespace label key and the alias off. */
const README_OVERLAY =
  /### Beside Istio[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readFileSync(join(ROOT, 'README.md'), 'utf8'))?.[1] ?? '';
const KEY = /name: NAMESPACE_LABEL\n\s+value: (\S+)/.exec(README_OVERLAY)?.[1] ?? '';

const kubectl = await findKubectl();
if ('missing' in kubectl) console.log(`SKIP manifests (beside Istio): ${kubectl.missing}`);
const binary = 'binary' in kubectl ? kubectl.binary : 'kubectl';

type Webhook = { matchConditions: unknown; namespaceSelector: { matchExpressions: { key: string }[] } };
const webhooksOf = (objects: Json[]): Webhook[] =>
  objects.find((o) => o['kind'] === 'MutatingWebhookConfiguration')?.['webhooks'] as Webhook[];
function envOf(objects: Json[]): Record<string, unknown> {
  const deployment = objects.find((o) => o['kind'] === 'Deployment') as {
    spec: { template: { spec: { containers: { name: string; env: { name: string; value?: string }[] }[] } } };
  };
  const webhook = deployment.spec.template.spec.containers.find((c) => c.name === 'webhook');
  return Object.fromEntries((webhook?.env ?? []).map((e) => [e.name, e.value]));
}

describe.skipIf('missing' in kubectl)('living beside Istio: one setting moves the webhook and its manifests', () => {
  let plain: Json[] = [];
  let beside: Json[] = [];

  beforeAll(async () => {
    const files = { 'beside-istio/kustomization.yaml': README_OVERLAY };
    [plain, beside] = await Promise.all([
      renderInstall(binary).then((r) => r.objects),
      renderInstall(binary, 'beside-istio', files).then((r) => r.objects),
    ]);
  });

  it('README names a label key of its own, not Istio’s', () => {
    expect(KEY).toMatch(/^[a-z0-9.-]+\/[a-z0-9-]+$/);
    expect(KEY).not.toBe('istio-injection');
  });

  it('the default install reads istio-injection and Istio’s switch, in the Deployment and the CEL alike', () => {
    expect(envOf(plain)).toMatchObject({ NAMESPACE_LABEL: 'istio-injection', ISTIO_INJECT_ALIAS: 'true' });
    const [namespace, optIn] = webhooksOf(plain);
    expect(namespace?.namespaceSelector.matchExpressions[0]?.key).toBe('istio-injection');
    expect(optIn?.namespaceSelector.matchExpressions[0]?.key).toBe('istio-injection');
    expect(namespace?.matchConditions).toEqual(matchConditions({ istioAlias: true }).namespace);
    expect(optIn?.matchConditions).toEqual(matchConditions({ istioAlias: true }).optIn);
  });

  it('the README overlay moves both namespaceSelectors to its key and drops Istio’s switch from env and CEL', () => {
    expect(envOf(beside)).toMatchObject({ NAMESPACE_LABEL: KEY, ISTIO_INJECT_ALIAS: 'false' });
    const [namespace, optIn] = webhooksOf(beside);
    expect(namespace?.namespaceSelector.matchExpressions[0]).toEqual({ key: KEY, operator: 'In', values: ['enabled'] });
    expect(optIn?.namespaceSelector.matchExpressions[0]).toEqual({ key: KEY, operator: 'DoesNotExist' });
    expect(namespace?.matchConditions).toEqual(matchConditions({ istioAlias: false }).namespace);
    expect(optIn?.matchConditions).toEqual(matchConditions({ istioAlias: false }).optIn);
  });

  it('status and live explain read the key and the alias back from either installed configuration', () => {
    const configurationOf = (objects: Json[]): Json | undefined =>
      objects.find((o) => o['kind'] === 'MutatingWebhookConfiguration');
    expect(flagsFromConfiguration(configurationOf(plain))).toEqual({
      'namespace-label': 'istio-injection',
      'istio-alias': 'true',
    });
    expect(flagsFromConfiguration(configurationOf(beside))).toEqual({ 'namespace-label': KEY, 'istio-alias': 'false' });
    expect(flagsFromConfiguration(undefined)).toEqual({});
  });
});
