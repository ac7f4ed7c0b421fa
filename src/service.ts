import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { admit, type AdmissionContext, type AdmissionResult } from './admission.js';
import { fingerprintCertFiles, readCertificatePair } from './cert-store.js';
import type { Config } from './config.js';
import type { TemplateSet } from './core/templates.js';
import type { Logger } from './log.js';
import { createMetrics, createMetricsServer, type Metrics } from './metrics.js';
import { createNamespaceSource } from './namespaces/create.js';
import { supportsNativeSidecars, type NamespaceSource } from './namespaces/source.js';
import { watchForChanges } from './reload.js';
import { closeGracefully, createApp, createHttpsServer, type HttpHandlers } from './server.js';
import { fingerprintSources, loadTemplates, readTemplateSources } from './template-files.js';
import type { TemplateSource } from './core/templates.js';

export class StartupError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/** One line naming the port and the cause; the process must exit. */
export class ListenError extends Error {}

export interface ServiceOverrides {
  namespaces?: NamespaceSource;
}

export interface RunningService {
  port: number;
  metricsPort: number;
  metrics: Metrics;
  /** SIGTERM: not ready at once, keep serving for SHUTDOWN_DELAY, then drain and close. */
  shutdown(): Promise<void>;
  /** Re-reads certificates and templates now instead of waiting for the next poll. */
  reloadNow(): Promise<void>;
}

interface ActiveTemplates {
  set: TemplateSet;
  sources: TemplateSource[];
}

export async function startService(
  config: Config,
  log: Logger,
  overrides: ServiceOverrides = {},
): Promise<RunningService> {
  const metrics = createMetrics();
  const certFiles = { certFile: config.TLS_CERT_FILE, keyFile: config.TLS_KEY_FILE };
  const pair = await readCertificatePair(certFiles).catch((error: Error) => {
    throw new StartupError([`TLS: ${error.message}`]);
  });
  metrics.certExpiry.set(pair.notAfter.getTime() / 1000);
  let templates = await readTemplatesOrThrow(config);
  const namespaces = overrides.namespaces ?? (await createNamespaceSource(config, log, metrics));
  if (namespaces.kind === 'file') await namespaces.start();
  else
    void namespaces
      .start()
      .catch((error: Error) => log.error({ err: error.message }, 'namespace source failed to start'));
  const nativeSidecars = await resolveNativeSidecars(config, namespaces, log);

  let draining = false;
  const context: AdmissionContext = {
    namespaces,
    templates: () => templates.set,
    settings: {
      injectorNamespace: config.INJECTOR_NAMESPACE,
      defaultTemplates: config.DEFAULT_TEMPLATES,
      nativeSidecars,
    },
  };
  const handlers: HttpHandlers = {
    admit: (body) => admit(body, context),
    notReady: () => [
      ...(draining ? ['shutting down'] : []),
      ...(namespaces.ready() ? [] : [`namespace source (${namespaces.kind}) not synced`]),
    ],
    onResult: (result, seconds) => recordResult({ log, metrics }, result, seconds),
  };
  const server = createHttpsServer(createApp(handlers), pair, handlers);
  await listen(server, config.PORT, 'PORT');

  const metricsServer = createMetricsServer(metrics, () => ({
    names: [...templates.set.keys()],
    sources: templates.sources,
  }));
  await listen(metricsServer, config.METRICS_PORT, 'METRICS_PORT').catch((error: Error) => {
    server.close();
    throw error;
  });

  const certWatcher = watchForChanges(
    {
      dirs: [dirname(certFiles.certFile), dirname(certFiles.keyFile)],
      intervalMs: config.RELOAD_INTERVAL * 1000,
      fingerprint: () => fingerprintCertFiles(certFiles),
      onChange: async () => {
        const next = await readCertificatePair(certFiles);
        server.setSecureContext({ cert: next.cert, key: next.key });
        metrics.certExpiry.set(next.notAfter.getTime() / 1000);
        metrics.reloads.inc({ kind: 'certificate', result: 'success' });
        log.info({ subject: next.subject, notAfter: next.notAfter.toISOString() }, 'certificate reloaded');
      },
      onError: (error) => {
        metrics.reloads.inc({ kind: 'certificate', result: 'failure' });
        log.error({ err: error.message }, 'certificate reload failed; keeping the current certificate');
      },
    },
    await fingerprintCertFiles(certFiles),
  );
  const templateWatcher = watchForChanges(
    {
      dirs: [config.TEMPLATES_DIR],
      intervalMs: config.RELOAD_INTERVAL * 1000,
      // Reading is enough to notice a change; compiling waits for onChange.
      fingerprint: async () => fingerprintSources(await readTemplateSources(config.TEMPLATES_DIR)),
      onChange: async () => {
        templates = await readTemplatesOrThrow(config);
        metrics.reloads.inc({ kind: 'templates', result: 'success' });
        log.info({ templates: [...templates.set.keys()] }, 'templates reloaded');
      },
      onError: (error) => {
        metrics.reloads.inc({ kind: 'templates', result: 'failure' });
        log.error({ err: error.message }, 'template reload failed; keeping the last good set');
      },
    },
    fingerprintSources(templates.sources),
  );

  return {
    port: (server.address() as AddressInfo).port,
    metricsPort: (metricsServer.address() as AddressInfo).port,
    metrics,
    reloadNow: async () => {
      await Promise.all([certWatcher.check(), templateWatcher.check()]);
    },
    shutdown: async () => {
      draining = true;
      log.info({ delaySeconds: config.SHUTDOWN_DELAY }, 'shutting down: not ready, draining');
      await sleep(config.SHUTDOWN_DELAY * 1000);
      certWatcher.stop();
      templateWatcher.stop();
      await Promise.all([
        closeGracefully(server, 25_000),
        closeGracefully(metricsServer as unknown as HttpsServer, 1_000),
      ]);
      namespaces.stop();
      log.info('stopped');
    },
  };
}

async function readTemplatesOrThrow(config: Config): Promise<ActiveTemplates> {
  const { sources, result } = await loadTemplates(config.TEMPLATES_DIR).catch((error: Error) => {
    throw new StartupError([`TEMPLATES_DIR ${config.TEMPLATES_DIR}: ${error.message}`]);
  });
  if (!result.ok) throw new StartupError(result.errors.map((e) => `template ${e}`));
  const missing = config.DEFAULT_TEMPLATES.filter((name) => !result.templates.has(name));
  if (missing.length > 0) {
    throw new StartupError([
      `DEFAULT_TEMPLATES: ${missing.join(', ')} not in ${config.TEMPLATES_DIR} (have ${[...result.templates.keys()].join(', ')})`,
    ]);
  }
  return { set: result.templates, sources };
}

async function resolveNativeSidecars(config: Config, namespaces: NamespaceSource, log: Logger): Promise<boolean> {
  if (config.NATIVE_SIDECARS !== 'auto') return config.NATIVE_SIDECARS === 'true';
  if (!namespaces.serverVersion) return false;
  const version = await namespaces.serverVersion().catch(() => undefined);
  const native = supportsNativeSidecars(version);
  log.info({ serverVersion: version, native }, 'NATIVE_SIDECARS=auto resolved');
  return native;
}

function recordResult(shell: { log: Logger; metrics: Metrics }, result: AdmissionResult, seconds: number): void {
  shell.metrics.requests.inc({ result: result.kind });
  shell.metrics.duration.observe({ result: result.kind }, seconds);
  if (result.kind === 'skipped') shell.metrics.skips.inc({ reason: result.reason });
  const fields = result.fields;
  fields['ms'] = Math.round(seconds * 1e5) / 100;
  if (result.kind === 'error') shell.log.error(fields, 'admission failed');
  else if (result.kind === 'invalid') shell.log.warn(fields, 'bad admission request');
  else shell.log.info(fields, 'admission');
}

/** A listener that cannot bind is fatal: a half-started process would pass its liveness probe. */
function listen(server: HttpServer | HttpsServer, port: number, variable: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException): void =>
      reject(new ListenError(`${variable}: cannot listen on port ${port}: ${error.message}`));
    server.once('error', fail);
    server.listen(port, () => {
      server.off('error', fail);
      resolve();
    });
  });
}
