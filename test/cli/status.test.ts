import { describe, expect, it } from 'vitest';
import { freshness } from '../../src/core/freshness.js';
import { topOwner } from '../../src/core/owners.js';
import { templateHash, templateImages } from '../../src/core/template-hash.js';
import type { Template, TemplateSet } from '../../src/core/templates.js';
import { loadTemplateSet } from '../helpers/pods.js';
import { cli } from './run-cli.js';

/** The pure half of `sidecar-injector status`: how a pod stands, and whose it is. */
const templates = loadTemplateSet();
const proxy = templates.get('proxy') as Template;
const never = (): never => {
  throw new Error('a pod with a status annotation needs no decision');
};

function statusFor(entries: Record<string, { hash?: string; images?: string[] }>): Record<string, string> {
  const status = Object.fromEntries(Object.entries(entries).map(([name, extra]) => [name, { sidecars: [], ...extra }]));
  return { 'sidecar.inject/status': JSON.stringify({ version: 1, native: false, templates: status }) };
}

function withProxy(change: (template: Template) => Template): TemplateSet {
  return new Map([...templates].map(([name, t]) => [name, name === 'proxy' ? change(t) : t]));
}

describe('template hash', () => {
  it('is stable for the same content and changes with an image', () => {
    expect(templateHash(proxy)).toBe(templateHash({ ...proxy }));
    expect(templateHash(proxy)).toMatch(/^[0-9a-f]{12}$/);
    const bumped = {
      ...proxy.parts,
      sidecars: proxy.parts.sidecars.map((c) => ({ ...(c as object), image: 'envoy:new' })),
    };
    expect(templateHash({ ...proxy, parts: bumped })).not.toBe(templateHash(proxy));
    expect(templateImages(proxy).length).toBeGreaterThan(0);
  });
});

describe('freshness', () => {
  it('is current when every template the pod got hashes as today', () => {
    const annotations = statusFor({ proxy: { hash: proxy.hash } });
    expect(proxy.hash).toBe(templateHash(proxy));
    expect(freshness(annotations, templates, never)).toEqual({ state: 'current', templates: ['proxy'] });
  });

  it('is outdated naming the template and the image change', () => {
    const annotations = statusFor({ proxy: { hash: templateHash(proxy), images: templateImages(proxy) } });
    const bumped = withProxy((t) => {
      const parts = { ...t.parts, sidecars: t.parts.sidecars.map((c) => ({ ...(c as object), image: 'envoy:v2' })) };
      return { ...t, parts, hash: templateHash({ ...t, parts }), images: templateImages({ parts }) };
    });
    const result = freshness(annotations, bumped, never);
    expect(result).toMatchObject({ state: 'outdated', templates: ['proxy'] });
    expect(result.state === 'outdated' && result.changes[0]).toMatch(/^proxy: image .* -> .*envoy:v2/);
  });

  it('is outdated when the template was removed or the pod predates hashes', () => {
    expect(freshness(statusFor({ gone: { hash: 'x' } }), templates, never)).toMatchObject({
      state: 'outdated',
      changes: ['gone: template no longer exists'],
    });
    expect(freshness(statusFor({ proxy: {} }), templates, never)).toMatchObject({
      changes: ['proxy: injected before templates were hashed'],
    });
  });

  it('is missing when today would inject a pod without sidecars, skipped with the reason otherwise', () => {
    expect(freshness({}, templates, () => ({ kind: 'inject', reason: 'namespace_enabled' }))).toEqual({
      state: 'missing',
      reason: 'namespace_enabled',
    });
    expect(freshness({}, templates, () => ({ kind: 'skip', reason: 'pod_opted_out' }))).toEqual({
      state: 'skipped',
      reason: 'pod_opted_out',
    });
  });
});

describe('owners', () => {
  const owned = (kind: string, name: string) => ({ metadata: { ownerReferences: [{ kind, name, controller: true }] } });

  it('climbs from a pod through its ReplicaSet to the Deployment, and through a Job to its CronJob', () => {
    const parents = new Map([
      ['ReplicaSet/web-5d9c', owned('Deployment', 'web')],
      ['Job/nightly-29', owned('CronJob', 'nightly')],
    ]);
    const parentOf = (ref: { kind: string; name: string }) => parents.get(`${ref.kind}/${ref.name}`);
    expect(topOwner(owned('ReplicaSet', 'web-5d9c'), parentOf)).toEqual({ kind: 'Deployment', name: 'web' });
    expect(topOwner(owned('Job', 'nightly-29'), parentOf)).toEqual({ kind: 'CronJob', name: 'nightly' });
    expect(topOwner(owned('StatefulSet', 'db'), parentOf)).toEqual({ kind: 'StatefulSet', name: 'db' });
    expect(topOwner({ metadata: { name: 'bare' } }, parentOf)).toEqual({ kind: 'Pod', name: 'bare' });
  });
});

describe('sidecar-injector status and live explain without a cluster', () => {
  const env: NodeJS.ProcessEnv = { ...process.env, KUBECONFIG: '/nonexistent/kubeconfig', HOME: '/nonexistent' };
  delete env['KUBERNETES_SERVICE_HOST'];

  it('exit 2 saying there is no kubeconfig', async () => {
    for (const args of [
      ['status', '-A'],
      ['explain', 'deploy/web', '-n', 'demo'],
    ]) {
      const result = await cli(args, undefined, env);
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(
        /^sidecar-injector (status|explain): no kubeconfig: set KUBECONFIG or create ~\/.kube\/config\n$/,
      );
    }
  });

  it('refuse -n with -A, and --dry-run without --restart', async () => {
    expect((await cli(['status', '-n', 'a', '-A'], undefined, env)).stderr).toContain('-n and -A exclude each other');
    expect((await cli(['status', '--dry-run'], undefined, env)).stderr).toContain('--dry-run goes with --restart');
  });
});
