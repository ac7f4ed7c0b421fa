import { z } from 'zod';
import { DEFAULT_MAX_ITEMS, PARAMETER_TYPES, TYPE_FORMS, measure, type ParameterType } from './param-types.js';

export { PARAMETER_TYPES, type ParameterType } from './param-types.js';

/**
 * Per-pod overrides. Each template declares a closed table of parameters; a pod can only set
 * those, through their annotation, and every value is checked against its type and bounds before
 * it is allowed anywhere near a rendered container (see param-types.ts for the character sets).
 */
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
    /** Accepts `none`: the field the value fills is left out (a limit that is not set). */
    none: z.boolean().default(false),
    /** List types: the most elements a value may have. */
    maxItems: z.number().int().min(1).max(256).default(DEFAULT_MAX_ITEMS),
    description: z.string().optional(),
  })
  .superRefine((param, ctx) => {
    for (const key of ['default', 'min', 'max'] as const) {
      const value = param[key];
      if (value === undefined) continue;
      const checked = checkValue(param.type, String(value), {
        maxItems: param.maxItems,
        none: key === 'default' && param.none,
      });
      if (!checked.ok) ctx.addIssue({ code: 'custom', path: [key], message: checked.message });
    }
    const checked = checkValue(param.type, String(param.default), param);
    if (!checked.ok) ctx.addIssue({ code: 'custom', path: ['default'], message: checked.message });
  });
export type Parameter = z.infer<typeof Parameter>;

/** A checked value; `null` is `none`, which removes the field it would fill. */
export type ParamValue = string | number | null;
export type Checked = { ok: true; value: ParamValue } | { ok: false; message: string };

/** What a value is checked against besides its type; a parameter declaration fits. */
export interface Bounds {
  min?: string | number | undefined;
  max?: string | number | undefined;
  none?: boolean | undefined;
  maxItems?: number | undefined;
}

/** The sentence a deny message ends with: what the parameter would have accepted. */
export function describeType(type: ParameterType, bounds: Bounds): string {
  const conditions = [
    bounds.min !== undefined ? `at least ${bounds.min}` : '',
    bounds.max !== undefined ? `at most ${bounds.max}` : '',
    type.endsWith('-list') ? `at most ${bounds.maxItems ?? DEFAULT_MAX_ITEMS} of them` : '',
  ]
    .filter(Boolean)
    .join(' and ');
  const form = conditions ? `${TYPE_FORMS[type]}, ${conditions}` : TYPE_FORMS[type];
  return bounds.none ? `${form}, or none` : form;
}

/** Checks one value against its type and bounds; the message says what would be accepted. */
export function checkValue(type: ParameterType, raw: string, bounds: Bounds): Checked {
  if (bounds.none && raw === 'none') return { ok: true, value: null };
  const measured = measure(type, raw, bounds.maxItems);
  const fail = (): Checked => ({ ok: false, message: `expected ${describeType(type, bounds)}` });
  if (measured === undefined) return fail();
  if (bounds.min !== undefined && measured.size < (measure(type, String(bounds.min))?.size ?? -Infinity)) return fail();
  if (bounds.max !== undefined && measured.size > (measure(type, String(bounds.max))?.size ?? Infinity)) return fail();
  return { ok: true, value: measured.value };
}

/**
 * The value's magnitude for comparisons between parameters (a request against its limit);
 * `none` has no magnitude, so nothing is above it.
 */
export function magnitude(type: ParameterType, value: ParamValue): number | bigint | undefined {
  return value === null ? undefined : measure(type, String(value))?.size;
}
