import { homedir } from 'node:os';
import { parseArgs } from 'node:util';
import { warmUp } from '../core/warm-up.js';
import { injectionSettings, loadConfig, type Config } from '../config.js';
import { closeGracefully, createHttpsServer, listen, ListenError, serverLimits } from '../http/server.js';
import { serveMutate } from '../http/mutate.js';
import { createOpsServer } from '../http/ops-server.js';
import { loadKubeConfig, nativeSidecars, type NativeSidecars } from '../kube/cluster-facts.js';
import type { NamespaceSource } from '../kube/namespace-source.js';
import { startNamespaceSource } from '../kube/namespaces.js';
import { unlabelledNamespaces } from '../kube/namespaces-file.js';
import { createLogger, type Logger } from '../log.js';
import { createMetrics, type Metrics } from '../metrics.js';
import { observeReloads } from '../observe.js';
import { StartupError } from '../startup-error.js';
import { templateStore, type TemplateStore } from '../templates/store.js';
import { certificateSourceFor } from './certificate-source.js';
import { requestParts } from './request-parts.js';
import type { CertificateSource } from '../tls/source.js';
import { ensureDevCerts, tryItCommand } from './dev.js';

/** `serve` is what the container runs; `serve --dev` is npm start (see dev.ts). */
export async function runServe(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      dev: { type: 'boolean', default: false },
      'namespace-labels': { type: 'string' },
      review: { type: 'string' },
    },
  });
  const env = { ...process.env };
  if (values.dev) env['NAMESPACE_LABELS_FILE'] ||= values['namespace-labels'] ?? '';
  const loaded = loadConfig(env);
  if (!loaded.ok) {
    process.stderr.write(`sidecar-injector: invalid configuration\n${loaded.errors.map((e) => `  ${e}`).join('\n')}\n`);
    return 1;
  }
  const log = createLogger(loaded.config.LOG_LEVEL);
  try {
    if (values.dev) await ensureDevCerts(loaded.config, (message) => log.info(message));
    const webhook = await startWebhook(loaded.config, log, values.dev ? { devMode: true } : {});
    // Before announcing the port: a SIGTERM right after must find its handler.
    handleSignals(webhook.shutdown, log);
    log.info({ port: webhook.port, metricsPort: webhook.metricsPort }, 'serving');
    if (values.dev) process.stdout.write(tryItCommand(loaded.config, webhook.port, values.review));
    return 0;
  } catch (error) {
    process.stderr.write(startFailure(error));
    log.flush();
    // Whatever did start (a listener, the informer) must not keep a half-started process alive.
    process.exit(1);
  }
}

function startFailure(error: unknown): string {
  if (error instanceof ListenError) return `sidecar-injector: cannot start: ${error.message}\n`;
  const problems = error instanceof StartupError ? error.problems : [(error as Error).message];
  return `sidecar-injector: cannot start\n${problems.map((p) => `  ${p}`).join('\n')}\n`;
}

export interface WebhookOverrides {
  namespaces?: NamespaceSource;
  /** No cluster and no labels file: every namespace is unlabelled (serve --dev). */
  devMode?: boolean;
}

export interface RunningWebhook {
  port: number;
  metricsPort: number;
  metrics: Metrics;
  /** SIGTERM: not ready at once, keep serving for SHUTDOWN_DELAY, then drain and close. */
  shutdown(): Promise<void>;
  /** Re-reads certificates and templates now instead of waiting for the next poll. */
  reloadNow(): Promise<void>;
}

interface Parts {
  certs: CertificateSource;
  templates: TemplateStore;
  namespaces: NamespaceSource;
  native: NativeSidecars;
}

/** The composition root: builds each part with its own constructor, then wires the servers. */
export async function startWebhook(
  config: Config,
  log: Logger,
  overrides: WebhookOverrides = {},
): Promise<RunningWebhook> {
  const metrics = createMetrics();
  const parts = await startParts(config, log, metrics, overrides);
  let draining = false;
  const request = requestParts(config, log, metrics, parts);
  const server = createHttpsServer(
    {
      mutate: (req, res) => void serveMutate(req, res, request),
      notReady: () => notReady(parts, draining),
    },
    parts.certs.current(),
    serverLimits(config),
    (state) => metrics.evictions.inc({ state }),
  );
  parts.certs.onRotate((pair) => server.setSecureContext({ cert: pair.cert, key: pair.key }));
  const ops = opsServer(metrics, parts.templates);
  const port = await listen(server, config.PORT, 'PORT');
  const metricsPort = await listen(ops, config.METRICS_PORT, 'METRICS_PORT');
  const stopParts = (): void =>
    [parts.certs, parts.templates, parts.namespaces, request.idle].forEach((part) => part.stop());
  return {
    port,
    metricsPort,
    metrics,
    reloadNow: async () => void (await Promise.all([parts.certs.check(), parts.templates.check()])),
    shutdown: async () => {
      draining = true;
      log.info({ delaySeconds: config.SHUTDOWN_DELAY }, 'shutting down: not ready, draining');
      await new Promise((resolve) => setTimeout(resolve, config.SHUTDOWN_DELAY * 1000));
      await Promise.all([closeGracefully(server, 25_000), closeGracefully(ops, 1_000)]);
      stopParts();
      log.info('stopped');
    },
  };
}

async function startParts(config: Config, log: Logger, metrics: Metrics, overrides: WebhookOverrides): Promise<Parts> {
  const report = observeReloads(log, metrics);
  const intervalMs = config.RELOAD_INTERVAL * 1000;
  const loadKube = (): ReturnType<typeof loadKubeConfig> => loadKubeConfig(process.env, homedir());
  const certs = await certificateSourceFor(config, { report, log, kubeConfig: loadKube });
  const setExpiry = (notAfter: Date): void => metrics.certExpiry.set(notAfter.getTime() / 1000);
  certs.onRotate((pair) => setExpiry(pair.notAfter));
  setExpiry((await certs.start()).notAfter);
  const templates = templateStore({
    dir: config.TEMPLATES_DIR,
    required: config.DEFAULT_TEMPLATES,
    intervalMs,
    report,
  });
  await templates.start();
  const kubeConfig = config.NAMESPACE_LABELS_FILE || overrides.devMode ? undefined : await loadKube();
  const namespaces =
    overrides.namespaces ??
    (overrides.devMode && !config.NAMESPACE_LABELS_FILE ? unlabelledNamespaces() : undefined) ??
    (await startNamespaceSource({
      file: config.NAMESPACE_LABELS_FILE,
      kubeConfig,
      log,
      lookupTimeoutMs: config.NAMESPACE_LOOKUP_TIMEOUT_MS,
      onLookup: (result) => metrics.namespaceLookups.inc({ result }),
    }));
  const native = await nativeSidecars(config.NATIVE_SIDECARS, kubeConfig);
  if (config.NATIVE_SIDECARS === 'auto')
    log.info({ serverVersion: native.version, native: native.native }, 'NATIVE_SIDECARS=auto resolved');
  warmUp(templates.current(), injectionSettings(config, native)); // before the port opens (warm-up.ts says why)
  return { certs, templates, namespaces, native };
}

/** /metrics (the template-set hash read at scrape time, so it is always the active set's) and /debug/templates. */
function opsServer(metrics: Metrics, templates: TemplateStore): ReturnType<typeof createOpsServer> {
  return createOpsServer({
    metrics: async () => {
      metrics.templateSet.reset();
      metrics.templateSet.set({ hash: templates.hash() }, 1);
      return { contentType: metrics.registry.contentType, text: await metrics.registry.metrics() };
    },
    templates: () => templates.describe(),
  });
}

function notReady(parts: Parts, draining: boolean): string[] {
  return [
    ...(draining ? ['shutting down'] : []),
    ...(parts.namespaces.ready() ? [] : [`namespace source (${parts.namespaces.kind}) not synced`]),
    ...(parts.certs.healthy() ? [] : ['the serving certificate has expired or the caBundle does not trust it yet']),
  ];
}

function handleSignals(shutdown: () => Promise<void>, log: { info: (m: string) => void; flush: () => void }): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.info(`${signal} again: exiting now`);
      log.flush();
      process.exit(1);
    }
    stopping = true;
    void shutdown().then(() => {
      log.flush();
      process.exit(0);
    });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
