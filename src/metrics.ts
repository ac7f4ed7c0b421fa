import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { TemplateSource } from './core/templates.js';
import { sourceHash } from './template-files.js';

/** The few metrics an operator needs. Label values are closed sets (results, reasons, kinds). */
export interface Metrics {
  registry: Registry;
  requests: Counter<'result'>;
  skips: Counter<'reason'>;
  duration: Histogram<'result'>;
  certExpiry: Gauge;
  reloads: Counter<'kind' | 'result'>;
  namespaceLookups: Counter<'result'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    requests: new Counter({
      name: 'sidecar_injection_requests_total',
      help: 'Admission requests by result: injected, skipped, denied, error, invalid.',
      labelNames: ['result'],
      registers: [registry],
    }),
    skips: new Counter({
      name: 'sidecar_injection_skips_total',
      help: 'Pods not injected, by reason.',
      labelNames: ['reason'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'sidecar_injection_duration_seconds',
      help: 'Time from the request body being read to the answer being written.',
      labelNames: ['result'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    certExpiry: new Gauge({
      name: 'sidecar_injector_certificate_expiry_timestamp_seconds',
      help: 'When the serving certificate in use expires (Unix time).',
      registers: [registry],
    }),
    reloads: new Counter({
      name: 'sidecar_injector_reloads_total',
      help: 'Certificate and template reloads by kind and result (success, failure).',
      labelNames: ['kind', 'result'],
      registers: [registry],
    }),
    namespaceLookups: new Counter({
      name: 'sidecar_injector_namespace_lookups_total',
      help: 'Namespace label lookups by result: cache, live, unavailable.',
      labelNames: ['result'],
      registers: [registry],
    }),
  };
}

export interface ActiveTemplateInfo {
  names: string[];
  sources: readonly TemplateSource[];
}

/** Plain HTTP on METRICS_PORT: /metrics for Prometheus, /debug/templates for operators. */
export function createMetricsServer(metrics: Metrics, templates: () => ActiveTemplateInfo): Server {
  return createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/metrics') {
      void metrics.registry.metrics().then((text) => {
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(text);
      });
    } else if (req.method === 'GET' && req.url === '/debug/templates') {
      const active = templates();
      const sources = active.sources.map((source) => ({ file: source.file, sha256: sourceHash(source.text) }));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ templates: [...active.names].sort(), sources }));
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found: GET /metrics, GET /debug/templates');
    }
  });
}
