import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The few metrics an operator needs, all named sidecar_injector_* (never a name istiod exports).
 * Label values are closed sets: decisions, reasons from the reasons table, reload kinds.
 */
export interface Metrics {
  registry: Registry;
  requests: Counter<'result' | 'dry_run'>;
  skips: Counter<'reason'>;
  duration: Histogram<'result'>;
  certExpiry: Gauge;
  reloads: Counter<'kind' | 'result'>;
  namespaceLookups: Counter<'result'>;
  templateSet: Gauge<'hash'>;
  evictions: Counter<'state'>;
}

// eslint-disable-next-line max-lines-per-function -- a declarative table of metric definitions
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    requests: new Counter({
      name: 'sidecar_injector_requests_total',
      help: 'Admission requests by result (inject, skip, deny, error) and whether they were dry runs.',
      labelNames: ['result', 'dry_run'],
      registers,
    }),
    skips: new Counter({
      name: 'sidecar_injector_skips_total',
      help: 'Pods not injected, by reason.',
      labelNames: ['reason'],
      registers,
    }),
    duration: new Histogram({
      name: 'sidecar_injector_request_duration_seconds',
      help: 'Time from the request body being read to the answer being written.',
      labelNames: ['result'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    certExpiry: new Gauge({
      name: 'sidecar_injector_certificate_expiry_timestamp_seconds',
      help: 'When the serving certificate in use expires (Unix time).',
      registers,
    }),
    reloads: new Counter({
      name: 'sidecar_injector_reloads_total',
      help: 'Certificate and template reloads by kind and result (success, failure).',
      labelNames: ['kind', 'result'],
      registers,
    }),
    namespaceLookups: new Counter({
      name: 'sidecar_injector_namespace_lookups_total',
      help: 'Namespace label lookups by result: cache, live, unavailable.',
      labelNames: ['result'],
      registers,
    }),
    templateSet: new Gauge({
      name: 'sidecar_injector_template_set_info',
      help: 'Always 1; the hash label is the SHA-256 of the active template set (join with the status annotation).',
      labelNames: ['hash'],
      registers,
    }),
    evictions: new Counter({
      name: 'sidecar_injector_connections_evicted_total',
      help: 'Connections closed at MAX_CONNECTIONS to admit a new one, by state (fresh, idle, busy), or new ones refused at MAX_CONNECTIONS_PER_SOURCE (new).',
      labelNames: ['state'],
      registers,
    }),
  };
}
