import { isCidr } from './cidr.js';
import { parseQuantity } from './quantity.js';

/**
 * The forms a parameter value may take. Each type has a closed character set: no whitespace,
 * quotes, braces, `$` or backslashes can pass any of them, so a value cannot smuggle YAML,
 * template syntax, shell syntax or `$(VAR)` expansion into a container even where a template puts
 * it in args or a script's environment.
 */
export const PARAMETER_TYPES = [
  'quantity',
  'duration',
  'path',
  'url',
  'integer',
  'hostname',
  'secret-path',
  'port-list',
  'cidr-list',
  'name',
  'choice',
] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

/**
 * A checked value and the number used to compare it with its bounds and its ceiling. Quantities
 * measure in exact nano-units (bigint); number and bigint compare exactly in JS.
 */
export interface Measured {
  value: string | number;
  size: number | bigint;
}

/** Most values fit comfortably; the longest is a URL. Longer text is refused before any parsing. */
export const MAX_VALUE_LENGTH = 2048;
/** A list parameter's default bound on its number of elements. */
export const DEFAULT_MAX_ITEMS = 32;

const DURATION = /^([0-9]{1,6})(s|m|h)$/;
const DURATION_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600 };
const PATH = /^(\/[A-Za-z0-9._-]+)+\/?$/;
// RFC 3986 characters minus `$`, quotes and anything a shell or Kubernetes expands.
const URL_CHARS = /^[A-Za-z0-9\-._~:/?#[\]@!&()*+,;=%]+$/;
// RFC 1123 subdomain, as Kubernetes validates Service DNS names.
const HOSTNAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;
// Vault paths as `vault kv` writes them: segments of letters, digits, "_", "-" and ".".
// No segment starts with "-" or ".": a path never reads as a flag or a relative step.
const SECRET_PATH = /^[A-Za-z0-9_][A-Za-z0-9_.-]*(\/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$/;
const PORT = /^[1-9][0-9]{0,4}$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export const TYPE_FORMS: Record<ParameterType, string> = {
  quantity: 'a Kubernetes quantity such as 250m or 512Mi',
  duration: 'a duration such as 30s, 5m or 1h',
  path: 'an absolute path of letters, digits, ".", "_" and "-" with no ".." segment',
  url: 'an http:// or https:// URL',
  integer: 'an integer',
  hostname: 'a DNS name such as vault.vault.svc',
  'secret-path': 'a secret path such as secret/data/web/db (letters, digits, ".", "_", "-" and "/")',
  'port-list': 'comma-separated TCP ports (1-65535) such as 8080,9090',
  'cidr-list': 'comma-separated IPv4 or IPv6 CIDRs such as 10.0.0.0/8,fd00::/8',
  name: 'a name of letters, digits, ".", "_" and "-" (at most 128)',
  choice: 'one of',
};

/** What some types need besides the text: a list's bound, a choice's options. */
export interface TypeOptions {
  maxItems?: number | undefined;
  choices?: readonly string[] | undefined;
}

/** The value in its canonical form and its size, or undefined when it is not of the type. */
export function measure(type: ParameterType, raw: string, options: TypeOptions = {}): Measured | undefined {
  if (raw.length > MAX_VALUE_LENGTH) return undefined;
  const maxItems = options.maxItems ?? DEFAULT_MAX_ITEMS;
  switch (type) {
    case 'quantity': {
      const size = parseQuantity(raw);
      return size === undefined || size < 0n ? undefined : { value: raw, size };
    }
    case 'duration': {
      const match = DURATION.exec(raw);
      if (!match) return undefined;
      return { value: raw, size: Number(match[1]) * (DURATION_SECONDS[match[2] ?? 's'] ?? 1) };
    }
    case 'path':
      return PATH.test(raw) && !hasDotSegment(raw) ? { value: raw, size: raw.length } : undefined;
    case 'url':
      return measureUrl(raw);
    case 'integer':
      return /^-?[0-9]{1,15}$/.test(raw) ? { value: Number(raw), size: Number(raw) } : undefined;
    case 'hostname':
      return raw.length <= 253 && HOSTNAME.test(raw) ? { value: raw, size: raw.length } : undefined;
    case 'secret-path':
      return raw.length <= 256 && SECRET_PATH.test(raw) && !hasDotSegment(raw)
        ? { value: raw, size: raw.length }
        : undefined;
    case 'port-list':
      return measureList(raw, maxItems, isPort);
    case 'cidr-list':
      return measureList(raw, maxItems, isCidr);
    case 'name':
      return NAME.test(raw) ? { value: raw, size: raw.length } : undefined;
    case 'choice':
      return (options.choices ?? []).includes(raw) ? { value: raw, size: 0 } : undefined;
  }
}

function hasDotSegment(raw: string): boolean {
  return raw.split('/').some((segment) => segment === '..' || segment === '.');
}

function measureUrl(raw: string): Measured | undefined {
  if (!URL_CHARS.test(raw) || !/^https?:\/\//i.test(raw)) return undefined;
  try {
    const url = new URL(raw);
    if (url.username || url.password || !url.hostname) return undefined;
    return { value: url.href, size: url.href.length };
  } catch {
    return undefined;
  }
}

/**
 * A bounded comma-separated list; every element is checked and duplicates are dropped, so the
 * canonical value holds only elements that passed. The empty string is the empty list. Size is
 * the element count.
 */
function measureList(raw: string, maxItems: number, isElement: (item: string) => boolean): Measured | undefined {
  if (raw === '') return { value: '', size: 0 };
  const items = raw.split(',');
  if (items.length > maxItems || !items.every(isElement)) return undefined;
  const unique = [...new Set(items)];
  return { value: unique.join(','), size: unique.length };
}

function isPort(item: string): boolean {
  return PORT.test(item) && Number(item) <= 65535;
}
