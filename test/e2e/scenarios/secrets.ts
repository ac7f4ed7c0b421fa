import type { Json } from '../kubectl.js';
import { annotationsOf, assert, inNamespace, names, namespace, pod, type Scenario } from './context.js';
import { ENABLED } from './injection.js';

const SECRETS = {
  'sidecar.inject/templates': 'secrets',
  'sidecar.inject/vault-role': 'web',
  'sidecar.inject/secret-db': 'secret/data/web/db',
  'sidecar.inject/secret-api': 'secret/data/web/api',
};

/**
 * The secrets template on the real API server: stored injected in a namespace enforcing
 * restricted that says where Vault is, and refused with missing_setting where it does not. No
 * Vault server runs here: what is proven is admission and storage, not that the agent logs in.
 */
export const secrets: Scenario = {
  name: 'the secrets template is stored injected under PodSecurity restricted, and denied naming the missing Vault setting',
  async run(ctx) {
    const vault = {
      'sidecar.inject/vault-host': 'vault.vault.svc',
      'pod-security.kubernetes.io/enforce': 'restricted',
    };
    const ns = await namespace(ctx, 'e2e-secrets', { ...ENABLED, ...vault });
    const stored = await ctx.kubectl.submit(['create'], inNamespace(pod('agent', SECRETS), ns));
    const all = [...names(stored, 'initContainers'), ...names(stored, 'containers')];
    assert(all.includes('sidecar-vault-init') && all.includes('sidecar-vault-agent'), `stored: ${all.join(',')}`);
    const spec = stored['spec'] as Json;
    const app = (spec['containers'] as Json[]).find((c) => c['name'] === 'app') as Json;
    const mount = (app['volumeMounts'] as Json[]).find((m) => m['name'] === 'sidecar-vault-secrets');
    assert(mount?.['readOnly'] === true, `app mount: ${JSON.stringify(mount)}`);
    assert(annotationsOf(stored)['sidecar.inject/status']?.includes('"secrets"'), 'no status');
    const bare = await namespace(ctx, 'e2e-secrets-unset', ENABLED);
    const refused = await ctx.kubectl.run(['-n', bare, 'create', '-f', '-'], {
      input: JSON.stringify(inNamespace(pod('agent', SECRETS), bare)),
    });
    assert(refused.code !== 0, 'a pod was stored in a namespace that does not say where Vault is');
    assert(/namespace label sidecar\.inject\/vault-host/.test(refused.stderr), `refused: ${refused.stderr.trim()}`);
    return `stored with ${all.filter((n) => n.startsWith('sidecar-')).join(',')}; unset: ${refused.stderr.trim().slice(0, 200)}`;
  },
};
