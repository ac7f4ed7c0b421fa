import { access } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../config.js';
import { createLogger } from '../log.js';
import { ListenError, StartupError, startService } from '../service.js';
import { generateCerts, serviceNames, writeCerts } from '../tls.js';

const DEV_LABELS_FILE = 'test/fixtures/namespace-labels.yaml';
const DEV_REVIEW = 'test/fixtures/reviews/pod-create-enabled.json';

/**
 * `serve` is what the container runs. `serve --dev` (npm start) also works on a fresh clone with
 * no cluster: it creates development certificates if the files are missing and reads namespace
 * labels from the sample file unless NAMESPACE_LABELS_FILE says otherwise.
 */
export async function runServe(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { dev: { type: 'boolean', default: false } } });
  const env = { ...process.env };
  if (values.dev && !env['NAMESPACE_LABELS_FILE']) env['NAMESPACE_LABELS_FILE'] = DEV_LABELS_FILE;
  const loaded = loadConfig(env);
  if (!loaded.ok) {
    process.stderr.write(`sidecar-injector: invalid configuration\n${loaded.errors.map((e) => `  ${e}`).join('\n')}\n`);
    return 1;
  }
  const config = loaded.config;
  const log = createLogger(config.LOG_LEVEL);
  if (values.dev) await ensureDevCerts(config, (message) => log.info(message));
  try {
    const service = await startService(config, log);
    // Before announcing the port: a SIGTERM right after must find its handler.
    handleSignals(service.shutdown, log);
    log.info({ port: service.port, metricsPort: service.metricsPort, templates: config.DEFAULT_TEMPLATES }, 'serving');
    if (values.dev) process.stdout.write(tryItCommand(config, service.port));
    return 0;
  } catch (error) {
    const problems = error instanceof StartupError ? error.problems : [(error as Error).message];
    if (error instanceof ListenError) process.stderr.write(`sidecar-injector: cannot start: ${error.message}\n`);
    else process.stderr.write(`sidecar-injector: cannot start\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
    log.flush();
    // Whatever did start (a listener, the informer) must not keep a half-started process alive.
    process.exit(1);
  }
}

async function ensureDevCerts(config: Config, say: (message: string) => void): Promise<void> {
  const present = await Promise.all(
    [config.TLS_CERT_FILE, config.TLS_KEY_FILE].map((f) =>
      access(f).then(
        () => true,
        () => false,
      ),
    ),
  );
  if (present.every(Boolean)) return;
  if (config.TLS_CERT_FILE !== 'certs/tls.crt' || config.TLS_KEY_FILE !== 'certs/tls.key') return;
  const dnsNames = [...serviceNames('sidecar-injector', 'sidecar-injector'), 'localhost'];
  await writeCerts('certs', await generateCerts({ dnsNames, ipAddresses: ['127.0.0.1'] }));
  say('generated a development CA and serving certificate in certs/');
}

function tryItCommand(config: Config, port: number): string {
  const decode =
    `node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s).response;` +
    `console.log(JSON.stringify({...r,patch:r.patch&&JSON.parse(Buffer.from(r.patch,"base64"))},null,2))})'`;
  const certDir = config.TLS_CERT_FILE.replace(/[^/]+$/, '');
  return `\nTry it:\n  curl -sS --cacert ${certDir}ca.crt -H 'Content-Type: application/json' --data-binary @${DEV_REVIEW} https://localhost:${port}/mutate | ${decode}\n\n`;
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
