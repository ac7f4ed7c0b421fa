import { beforeAll, describe, expect, it } from 'vitest';
import { errored, injected } from '../../src/core/outcome.js';
import { createLogger } from '../../src/log.js';
import { createMetrics } from '../../src/metrics.js';
import { observeRequests } from '../../src/observe.js';
import type { Json } from '../helpers/pods.js';
import { findKubectl } from './kubectl-binary.js';
import { renderInstall } from './render.js';

const kubectl = await findKubectl();
if ('missing' in kubectl) console.log(`SKIP manifests (alerts): ${kubectl.missing}`);
const binary = 'binary' in kubectl ? kubectl.binary : 'kubectl';

/** An install of one's own with the optional component, as README says to write it. */
const OVERLAY = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../manifests
components:
  - ../manifests/alerts
`;

/**
 * The series the code exports, read from its own registry after one request of each kind the
 * alerts select went through the code's own observer: names, label names and label values come
 * from the code, never from a copy.
 */
async function exportedSeries(): Promise<{ name: string; labels: Partial<Record<string, string | number>> }[]> {
  const metrics = createMetrics();
  const observe = observeRequests(createLogger('silent'), metrics);
  observe({ outcome: errored('internal_error', 'boom') }, 0.002);
  observe({ outcome: injected('namespace_enabled', [], { templates: ['proxy'], native: true }) }, 0.002);
  metrics.certExpiry.set(Date.now() / 1000);
  const all = await metrics.registry.getMetricsAsJSON();
  return all.flatMap((metric) =>
    metric.values.map((value) => ({
      name: (value as { metricName?: string }).metricName ?? metric.name,
      labels: value.labels,
    })),
  );
}

describe.skipIf('missing' in kubectl)('the alerts component (manifests/alerts)', () => {
  let objects: Json[] = [];
  beforeAll(async () => {
    objects = (await renderInstall(binary, 'mine', { 'mine/kustomization.yaml': OVERLAY })).objects;
  });
  const one = (kind: string): Json => objects.find((o) => o['kind'] === kind) as Json;
  const rules = (): Json[] =>
    ((one('PrometheusRule')['spec'] as Json)['groups'] as Json[]).flatMap((group) => group['rules'] as Json[]);

  it('adds a PrometheusRule and a ServiceMonitor in the install namespace, labelled like the rest', () => {
    for (const kind of ['PrometheusRule', 'ServiceMonitor']) {
      expect(one(kind)['metadata']).toMatchObject({
        namespace: 'sidecar-injector',
        labels: { 'app.kubernetes.io/name': 'sidecar-injector', 'app.kubernetes.io/part-of': 'sidecar-injector' },
      });
    }
    const monitor = one('ServiceMonitor')['spec'] as Json;
    const service = one('Service');
    expect((monitor['selector'] as Json)['matchLabels']).toEqual({ 'app.kubernetes.io/name': 'sidecar-injector' });
    expect((service['metadata'] as Json)['labels']).toMatchObject({ 'app.kubernetes.io/name': 'sidecar-injector' });
    const ports = ((service['spec'] as Json)['ports'] as Json[]).map((p) => p['name']);
    for (const endpoint of monitor['endpoints'] as Json[]) expect(ports).toContain(endpoint['port']);
  });

  it('alerts on certificate expiry under 14 days, on the failure ratio and on injection p99', () => {
    const exprs = Object.fromEntries(rules().map((rule) => [rule['alert'], String(rule['expr'])]));
    expect(exprs['SidecarInjectorCertificateExpiresSoon']).toMatch(/ - time\(\) < 14 \* 86400$/);
    expect(exprs['SidecarInjectorRequestFailures']).toMatch(/result="error".*\/.*_requests_total\[5m\]/s);
    expect(exprs['SidecarInjectorSlowInjection']).toMatch(/^histogram_quantile\(0\.99,/);
    for (const rule of rules())
      expect(rule).toMatchObject({ for: expect.any(String), labels: { severity: 'warning' } });
  });

  it('selects only series the code exports, with label names and values it produces', async () => {
    const series = await exportedSeries();
    const selectors = rules().flatMap((rule) => [
      ...String(rule['expr']).matchAll(/\b(sidecar_injector_[a-z0-9_]+)(?:\{([^}]*)\})?/g),
    ]);
    expect(selectors.length).toBeGreaterThanOrEqual(4);
    for (const [, name, matchers = ''] of selectors) {
      const wanted = Object.fromEntries([...matchers.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
      const found = series.filter(
        (s) => s.name === name && Object.entries(wanted).every(([label, value]) => String(s.labels[label]) === value),
      );
      expect(found.length, `${name}{${matchers}} matches no series the code exports`).toBeGreaterThan(0);
    }
  });
});
