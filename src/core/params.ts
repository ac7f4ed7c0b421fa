import { z } from 'zod';
import { parseQuantity } from './quantity.js';

/**
 * Per-pod overrides. Each template declares a closed table of parameters; a pod can only set
 * those, through their annotation, and every value is checked against its type and bounds before
 * it is allowed anywhere near a rendered container. The character sets are deliberately narrow:
 * no whitespace, quotes, braces, `$` or backslashes can pass, so a value cannot smuggle YAML,
 * template syntax or `$(VAR)` expansion into a container even where a template puts it in args.
 */
export const PARAMETER_TYPES = ['quantity', 'duration', 'path', 'url', 'integer'] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

export const Parameter = z
  .strictObject({
    name: z.string().regex(/^[a-z][a-zA-Z0-9]*$/, 'a camelCase identifier'),
    annotation: z.string().regex(/^sidecar\.inject\/[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'sidecar.inject/<dns-label>'),
    type: z.enum(PARAMETER_TYPES),
    default: z.union([z.string(), z.number()]),
    min: z.union([z.string(), z.number()]).optional(),
    max: z.union([z.string(), z.number()]).optional(),
    /** Another parameter of the same type this one may not exceed (a request and its limit). */
    notAbove: z.string().optional(),
    description: z.string().optional(),
  })
  .superRefine((param, ctx) => {
    for (const key of ['default', 'min', 'max'] as const) {
      const value = param[key];
      if (value === undefined) continue;
      const checked = checkValue(param.type, String(value), {});
      if (!checked.ok) ctx.addIssue({ code: 'custom', path: [key], message: checked.message });
    }
    const checked = checkValue(param.type, String(param.default), param);
    if (!checked.ok) ctx.addIssue({ code: 'custom', path: ['default'], message: checked.message });
  });
export type Parameter = z.infer<typeof Parameter>;

export type ParamValue = string | number;
export type Checked = { ok: true; value: ParamValue } | { ok: false; message: string };

interface Bounds {
  min?: string | number | undefined;
  max?: string | number | undefined;
}

const DURATION = /^([0-9]{1,6})(s|m|h)$/;
const DURATION_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600 };
const PATH = /^(\/[A-Za-z0-9._-]+)+\/?$/;
// RFC 3986 characters minus `$`, quotes and anything a shell or Kubernetes expands.
const URL_CHARS = /^[A-Za-z0-9\-._~:/?#[\]@!&()*+,;=%]+$/;

export function describeType(type: ParameterType, bounds: Bounds): string {
  const range = [
    bounds.min !== undefined ? `at least ${bounds.min}` : '',
    bounds.max !== undefined ? `at most ${bounds.max}` : '',
  ]
    .filter(Boolean)
    .join(' and ');
  const form = {
    quantity: 'a Kubernetes quantity such as 250m or 512Mi',
    duration: 'a duration such as 30s, 5m or 1h',
    path: 'an absolute path of letters, digits, ".", "_" and "-" with no ".." segment',
    url: 'an http:// or https:// URL',
    integer: 'an integer',
  }[type];
  return range ? `${form}, ${range}` : form;
}

/** Checks one value against its type and bounds; the message says what would be accepted. */
export function checkValue(type: ParameterType, raw: string, bounds: Bounds): Checked {
  const measured = measure(type, raw);
  const fail = (): Checked => ({ ok: false, message: `expected ${describeType(type, bounds)}` });
  if (measured === undefined) return fail();
  if (bounds.min !== undefined && measured.size < (measure(type, String(bounds.min))?.size ?? -Infinity)) return fail();
  if (bounds.max !== undefined && measured.size > (measure(type, String(bounds.max))?.size ?? Infinity)) return fail();
  return { ok: true, value: measured.value };
}

/** Quantities measure in exact nano-units (bigint); number and bigint compare exactly in JS. */
type Measured = { value: ParamValue; size: number | bigint };

function measure(type: ParameterType, raw: string): Measured | undefined {
  if (raw.length > 2048) return undefined;
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
      if (!PATH.test(raw) || raw.split('/').some((segment) => segment === '..' || segment === '.')) return undefined;
      return { value: raw, size: raw.length };
    case 'url':
      return measureUrl(raw);
    case 'integer':
      return /^-?[0-9]{1,15}$/.test(raw) ? { value: Number(raw), size: Number(raw) } : undefined;
  }
}

function measureUrl(raw: string): { value: string; size: number } | undefined {
  if (!URL_CHARS.test(raw) || !/^https?:\/\//i.test(raw)) return undefined;
  try {
    const url = new URL(raw);
    if (url.username || url.password || !url.hostname) return undefined;
    return { value: url.href, size: url.href.length };
  } catch {
    return undefined;
  }
}

/** The value's magnitude for comparisons between parameters (a request against its limit). */
export function magnitude(type: ParameterType, value: ParamValue): number | bigint | undefined {
  return measure(type, String(value))?.size;
}
