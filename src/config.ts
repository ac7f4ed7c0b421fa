import { z } from 'zod';
import type { InjectionSettings } from './core/inject.js';

/**
 * MAX_CONNECTIONS' default. Measured on Node 20: ~40 KB of RSS per idle TLS connection after a
 * request (2,000 idle took a bare HTTPS server from 46 to 124 MB). 1,024 is ~40 MB on top of the
 * ~150 MB peak under load, inside the Deployment's 256Mi limit; the API server itself needs only a
 * few pooled connections per replica.
 */
export const DEFAULT_MAX_CONNECTIONS = 1024;
/**
 * A quarter of the cap: one pod flooding connections keeps three quarters free for the others; an
 * API server opens one per concurrent admission call, far fewer than 256 even in a burst.
 */
export const DEFAULT_MAX_CONNECTIONS_PER_SOURCE = 256;

/**
 * The environment contract, validated once at start. Every variable is documented in the README;
 * every problem is reported at once, then the process exits, and the result is frozen.
 */
// 0 asks the OS for a free port (tests); the manifests always set one.
const port = z.coerce.number().int().min(0).max(65535);
const seconds = z.coerce.number().min(0).max(600);
// A Kubernetes label key: an optional DNS-subdomain prefix and a name of at most 63 characters.
const labelKey = z
  .string()
  .max(317)
  .regex(
    /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/,
    'a label key ([prefix/]name)',
  );

const dnsLabel = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a DNS label (lower case, digits, -)');
/** A comma-separated list, items trimmed, empty items dropped. */
const splitList = (value: string): string[] =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

/** TLS_MODE=self-managed: where the certificate lives and how long it lives (seconds). */
const selfManagedTls = {
  TLS_MODE: z.enum(['files', 'self-managed']).default('files'),
  SERVICE_NAME: dnsLabel.default('sidecar-injector'),
  TLS_SECRET_NAME: dnsLabel.default('sidecar-injector-tls'),
  WEBHOOK_CONFIGURATION_NAME: dnsLabel.default('sidecar-injector'),
  TLS_EXTRA_NAMES: z.string().default('').transform(splitList),
  TLS_CA_LIFETIME: z.coerce.number().int().min(10).max(631_152_000).default(157_680_000),
  TLS_CERT_LIFETIME: z.coerce.number().int().min(5).max(63_072_000).default(31_536_000),
  TLS_LEASE_DURATION: z.coerce.number().int().min(1).max(300).default(15),
  POD_NAME: z.string().min(1).max(253).optional(),
};

export const ConfigSchema = z.object({
  PORT: port.default(8443),
  METRICS_PORT: port.default(9090),
  TLS_CERT_FILE: z.string().min(1).default('certs/tls.crt'),
  TLS_KEY_FILE: z.string().min(1).default('certs/tls.key'),
  TEMPLATES_DIR: z.string().min(1).default('templates/'),
  NAMESPACE_LABELS_FILE: z.string().min(1).optional(),
  INJECTOR_NAMESPACE: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a namespace name')
    .default('sidecar-injector'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DEFAULT_TEMPLATES: z.string().default('proxy').transform(splitList),
  NATIVE_SIDECARS: z.enum(['auto', 'true', 'false']).default('auto'),
  NAMESPACE_LABEL: labelKey.default('istio-injection'),
  ISTIO_INJECT_ALIAS: z.enum(['true', 'false']).default('true'),
  SHUTDOWN_DELAY: seconds.default(5),
  RELOAD_INTERVAL: z.coerce.number().min(0.1).max(3600).default(10),
  NAMESPACE_LOOKUP_TIMEOUT_MS: z.coerce.number().int().min(50).max(5000).default(800),
  MAX_CONNECTIONS: z.coerce.number().int().min(1).max(100_000).default(DEFAULT_MAX_CONNECTIONS),
  MAX_CONNECTIONS_PER_SOURCE: z.coerce.number().int().min(1).max(100_000).default(DEFAULT_MAX_CONNECTIONS_PER_SOURCE),
  PARSE_BUDGET_MIB: z.coerce.number().min(1).max(1024).default(16),
  ...selfManagedTls,
});

type Frozen<T> = { readonly [K in keyof T]: T[K] extends readonly (infer E)[] ? readonly E[] : T[K] };
export type Config = Frozen<z.infer<typeof ConfigSchema>>;

export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] };

/** Only the variables the schema names are read, so the rest of the environment cannot leak in. */
export function loadConfig(env: NodeJS.ProcessEnv): ConfigResult {
  const known = Object.fromEntries(
    Object.keys(ConfigSchema.shape)
      .filter((key) => env[key] !== undefined && env[key] !== '')
      .map((key) => [key, env[key]]),
  );
  const parsed = ConfigSchema.safeParse(known);
  if (!parsed.success) {
    return { ok: false, errors: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) };
  }
  return { ok: true, config: deepFreeze(parsed.data) };
}

function deepFreeze<T extends object>(value: T): T {
  for (const member of Object.values(value)) if (typeof member === 'object' && member !== null) deepFreeze(member);
  return Object.freeze(value);
}

/** What the core needs of the configuration; `serve` and the CLI build it the same way. */
export function injectionSettings(
  config: Config,
  cluster: { native: boolean; supported?: boolean },
): InjectionSettings {
  return {
    injectorNamespace: config.INJECTOR_NAMESPACE,
    defaultTemplates: config.DEFAULT_TEMPLATES,
    nativeSidecars: cluster.native,
    ...(cluster.supported === undefined ? {} : { nativeSupported: cluster.supported }),
    namespaceLabel: config.NAMESPACE_LABEL,
    istioInjectAlias: config.ISTIO_INJECT_ALIAS === 'true',
  };
}
