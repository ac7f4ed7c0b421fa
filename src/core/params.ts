import { z } from 'zod';
import { DEFAULT_MAX_ITEMS, PARAMETER_TYPES, TYPE_FORMS, measure, type ParameterType } from './param-types.js';

export { PARAMETER_TYPES, type ParameterType } from './param-types.js';

/**
 * Per-pod overrides. Each template declares a closed table of parameters; a value comes from the
 * pod's annotation, the namespace's label, or every annotation with a prefix (a map, one entry
 * per annotation), and is checked against its type and bounds before it is allowed anywhere near
 * a rendered container (see param-types.ts for the character sets).
 */
const ANNOTATION_NAME = /^sidecar\.inject\/[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const ANNOTATION_PREFIX = /^sidecar\.inject\/[a-z0-9]([a-z0-9-]*[a-z0-9])?-$/;
// A label key as Kubernetes validates it: an optional DNS subdomain prefix and a name.
const LABEL_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const scalar = z.union([z.string(), z.number()]);

export const Parameter = z
  .strictObject({
    name: z.string().regex(/^[a-z][a-zA-Z0-9]*$/, 'a camelCase identifier'),
    annotation: z.string().regex(ANNOTATION_NAME, 'sidecar.inject/<dns-label>').optional(),
    /** A map: one entry per annotation `<prefix><key>`, the key a DNS label. */
    annotationPrefix: z.string().regex(ANNOTATION_PREFIX, 'sidecar.inject/<dns-label>-').optional(),
    /** A namespace label that gives the value for every pod in it (the pod's annotation wins). */
    namespaceLabel: z.string().max(253).regex(LABEL_KEY, 'a label key').optional(),
    type: z.enum(PARAMETER_TYPES),
    /** Absent: the value is required, and a pod without it is denied naming where to set it. */
    default: scalar.optional(),
    /** The value a dry render uses when there is no default (and a map's sample entry). */
    example: scalar.optional(),
    min: scalar.optional(),
    max: scalar.optional(),
    /** Another parameter of the same type this one may not exceed (a request and its limit). */
    notAbove: z.string().optional(),
    /** Accepts `none`: the field the value fills is left out (a limit that is not set). */
    none: z.boolean().default(false),
    /** List types: the most elements a value may have. */
    maxItems: z.number().int().min(1).max(256).default(DEFAULT_MAX_ITEMS),
    /** Maps: the most entries a pod may give. */
    maxEntries: z.number().int().min(1).max(64).default(16),
    /** The `choice` type's accepted values. */
    choices: z
      .array(z.string().regex(/^[a-z0-9-]{1,32}$/))
      .min(1)
      .optional(),
    description: z.string().optional(),
  })
  .superRefine((param, ctx) => {
    for (const problem of declarationProblems(param))
      ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message });
  });
export type Parameter = z.infer<typeof Parameter>;

type Declared = z.infer<typeof Parameter>;

function declarationProblems(param: Declared): { path: string[]; message: string }[] {
  const problems: { path: string[]; message: string }[] = [];
  const sources = [param.annotation, param.annotationPrefix, param.namespaceLabel].filter(Boolean).length;
  if (sources === 0)
    problems.push({ path: [], message: 'needs an annotation, a namespaceLabel or an annotationPrefix' });
  if (param.annotationPrefix && sources > 1)
    problems.push({ path: ['annotationPrefix'], message: 'a map parameter has no other source' });
  if (param.annotationPrefix && param.default !== undefined)
    problems.push({ path: ['default'], message: 'a map parameter defaults to no entries' });
  if (param.type === 'choice' && !param.choices)
    problems.push({ path: ['choices'], message: 'required by type choice' });
  if (!param.annotationPrefix && param.default === undefined && param.example === undefined)
    problems.push({ path: ['example'], message: 'a parameter without a default needs an example' });
  for (const key of ['default', 'example', 'min', 'max'] as const) {
    const value = param[key];
    if (value === undefined) continue;
    const bounds = key === 'default' || key === 'example' ? param : { ...param, min: undefined, max: undefined };
    const checked = checkValue(param.type, String(value), bounds);
    if (!checked.ok) problems.push({ path: [key], message: checked.message });
  }
  return problems;
}

/** One entry of a map parameter: the annotation's key part and its checked value. */
export interface MapEntry {
  key: string;
  value: string | number;
}
/** A checked value; `null` is `none`, which removes the field it would fill; a map is its entries. */
export type ParamValue = string | number | null | readonly MapEntry[];
export type ScalarValue = Exclude<ParamValue, readonly MapEntry[]>;
export type Checked = { ok: true; value: ScalarValue } | { ok: false; message: string };

/** What a value is checked against besides its type; a parameter declaration fits. */
export interface Bounds {
  min?: string | number | undefined;
  max?: string | number | undefined;
  none?: boolean | undefined;
  maxItems?: number | undefined;
  choices?: readonly string[] | undefined;
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
  const head = type === 'choice' ? `one of ${(bounds.choices ?? []).join(', ')}` : TYPE_FORMS[type];
  const form = conditions ? `${head}, ${conditions}` : head;
  return bounds.none ? `${form}, or none` : form;
}

/** Checks one value against its type and bounds; the message says what would be accepted. */
export function checkValue(type: ParameterType, raw: string, bounds: Bounds): Checked {
  if (bounds.none && raw === 'none') return { ok: true, value: null };
  const measured = measure(type, raw, bounds);
  const fail = (): Checked => ({ ok: false, message: `expected ${describeType(type, bounds)}` });
  if (measured === undefined) return fail();
  if (bounds.min !== undefined && measured.size < (measure(type, String(bounds.min), bounds)?.size ?? -Infinity))
    return fail();
  if (bounds.max !== undefined && measured.size > (measure(type, String(bounds.max), bounds)?.size ?? Infinity))
    return fail();
  return { ok: true, value: measured.value };
}

/**
 * The value's magnitude for comparisons between parameters (a request against its limit);
 * `none` has no magnitude, so nothing is above it.
 */
export function magnitude(type: ParameterType, value: ParamValue): number | bigint | undefined {
  return value === null || typeof value === 'object' ? undefined : measure(type, String(value))?.size;
}
