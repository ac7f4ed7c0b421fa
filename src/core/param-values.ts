import { quoted } from './text.js';
import {
  checkValue,
  describeType,
  magnitude,
  type MapEntry,
  type Parameter,
  type ParamValue,
  type ScalarValue,
} from './params.js';

/** The templates' parameter tables, as far as resolving values needs them. */
export interface ParameterOwner {
  name: string;
  parameters: readonly Parameter[];
  /** The defaults checked when the template loaded (checkedDefaults): most pods take them. */
  defaults?: CheckedDefaults;
}

/** A default as checked once: its value and its magnitude (for notAbove), by parameter name. */
export type CheckedDefaults = ReadonlyMap<string, { value: ScalarValue; magnitude: Magnitude }>;
type Magnitude = ReturnType<typeof magnitude>;

/** What resolving a default would give on every request, worked out once. */
export function checkedDefaults(parameters: readonly Parameter[]): CheckedDefaults {
  const defaults = new Map<string, { value: ScalarValue; magnitude: Magnitude }>();
  for (const param of parameters) {
    if (param.default === undefined || param.annotationPrefix !== undefined) continue;
    const checked = checkValue(param.type, String(param.default), param);
    if (checked.ok) defaults.set(param.name, { value: checked.value, magnitude: magnitude(param.type, checked.value) });
  }
  return defaults;
}

/** What the pod's namespace says, when its labels are known. */
export type NamespaceValues = Readonly<Record<string, string>> | undefined;

export type ParamResolution =
  | { ok: true; values: Map<string, Record<string, ParamValue>> }
  | { ok: false; reason: 'invalid_override' | 'missing_setting'; message: string };

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * Each template's parameters: the pod's annotation where set, else the namespace's label, else
 * the default; a map collects every annotation with its prefix. Every value is checked; an
 * invalid one denies (invalid_override), a required one that nobody set denies naming where to
 * set it (missing_setting).
 */
export function resolveParams(
  templates: readonly ParameterOwner[],
  annotations: Readonly<Record<string, string>>,
  namespaceLabels: NamespaceValues,
): ParamResolution {
  const values = new Map<string, Record<string, ParamValue>>();
  const invalid: string[] = [];
  const missing: string[] = [];
  for (const template of templates) {
    const own: Record<string, ParamValue> = {};
    const known = new Map<string, Magnitude>();
    for (const param of template.parameters) {
      const resolved = resolveOne(param, annotations, namespaceLabels, template.defaults);
      if (resolved.kind === 'missing') missing.push(`template ${template.name} needs ${resolved.where}`);
      else if (resolved.kind === 'invalid') invalid.push(...resolved.problems);
      else {
        own[param.name] = resolved.value;
        if (resolved.kind === 'default') known.set(param.name, resolved.magnitude);
      }
    }
    invalid.push(...orderProblems(template.parameters, own, known));
    values.set(template.name, own);
  }
  if (invalid.length > 0) return { ok: false, reason: 'invalid_override', message: invalid.join('; ') };
  if (missing.length > 0) return { ok: false, reason: 'missing_setting', message: missing.join('; ') };
  return { ok: true, values };
}

type Resolved =
  | { kind: 'value'; value: ParamValue }
  | { kind: 'default'; value: ScalarValue; magnitude: Magnitude }
  | { kind: 'missing'; where: string }
  | { kind: 'invalid'; problems: string[] };

function resolveOne(
  param: Parameter,
  annotations: Readonly<Record<string, string>>,
  labels: NamespaceValues,
  defaults: CheckedDefaults | undefined,
): Resolved {
  if (param.annotationPrefix !== undefined) return resolveMap(param, param.annotationPrefix, annotations);
  const fromPod = param.annotation !== undefined ? annotations[param.annotation] : undefined;
  const fromNamespace = param.namespaceLabel !== undefined ? labels?.[param.namespaceLabel] : undefined;
  const [raw, source] =
    fromPod !== undefined
      ? [fromPod, `annotation ${param.annotation}`]
      : fromNamespace !== undefined
        ? [fromNamespace, `namespace label ${param.namespaceLabel}`]
        : [param.default === undefined ? undefined : String(param.default), 'default'];
  if (raw === undefined) return { kind: 'missing', where: whereToSet(param) };
  const checkedDefault = source === 'default' ? defaults?.get(param.name) : undefined;
  if (checkedDefault) return { kind: 'default', ...checkedDefault };
  const checked = checkValue(param.type, raw, param);
  if (checked.ok) return { kind: 'value', value: checked.value };
  const name = source === 'default' ? `${param.name} (default)` : source.replace(/^annotation /, '');
  return {
    kind: 'invalid',
    problems: [`${name}: invalid value ${shown(raw)}, expected ${describeType(param.type, param)}`],
  };
}

function whereToSet(param: Parameter): string {
  const places = [
    param.namespaceLabel !== undefined ? `the namespace label ${param.namespaceLabel}` : '',
    param.annotation !== undefined ? `the pod annotation ${param.annotation}` : '',
  ].filter(Boolean);
  return `${places.join(' or ')} (${describeType(param.type, param)}${param.description ? `: ${param.description}` : ''})`;
}

/** Every `<prefix><key>` annotation, in key order so the rendering is stable. */
function resolveMap(param: Parameter, prefix: string, annotations: Readonly<Record<string, string>>): Resolved {
  const keys = Object.keys(annotations)
    .filter((key) => key.startsWith(prefix))
    .sort();
  if (keys.length > param.maxEntries)
    return { kind: 'invalid', problems: [`${prefix}*: ${keys.length} entries, at most ${param.maxEntries} allowed`] };
  const entries: MapEntry[] = [];
  const problems: string[] = [];
  for (const annotation of keys) {
    const key = annotation.slice(prefix.length);
    const raw = annotations[annotation] ?? '';
    const checked = checkValue(param.type, raw, param);
    if (!DNS_LABEL.test(key)) problems.push(`${shown(annotation)}: the part after ${prefix} must be a DNS label`);
    else if (!checked.ok || checked.value === null)
      problems.push(`${annotation}: invalid value ${shown(raw)}, expected ${describeType(param.type, param)}`);
    else entries.push({ key, value: checked.value });
  }
  return problems.length > 0 ? { kind: 'invalid', problems } : { kind: 'value', value: entries };
}

/** Bounded and escaped, as every pod-supplied text in a message (text.ts). */
function shown(raw: string): string {
  return quoted(raw);
}

/**
 * A request above its limit would be rejected by the API server; say so in terms of annotations.
 * `known`: the magnitudes of the values that are checked defaults, measured when they loaded.
 */
function orderProblems(
  parameters: readonly Parameter[],
  values: Record<string, ParamValue>,
  known: ReadonlyMap<string, Magnitude>,
): string[] {
  const problems: string[] = [];
  const size = (param: Parameter, value: ParamValue): Magnitude =>
    known.has(param.name) ? known.get(param.name) : magnitude(param.type, value);
  for (const param of parameters) {
    if (param.notAbove === undefined) continue;
    const ceiling = parameters.find((other) => other.name === param.notAbove);
    const value = values[param.name];
    const limit = ceiling ? values[ceiling.name] : undefined;
    if (!ceiling || value === undefined || limit === undefined) continue;
    if ((size(param, value) ?? 0) > (size(ceiling, limit) ?? Infinity)) {
      problems.push(
        `${param.annotation}: ${String(value)} is above ${ceiling.annotation} (${String(limit)}); raise the limit too`,
      );
    }
  }
  return problems;
}

/** The values a dry render uses: defaults, examples where there is none, one sample map entry. */
export function sampleParams(parameters: readonly Parameter[]): Record<string, ParamValue> {
  const values: Record<string, ParamValue> = {};
  for (const param of parameters) {
    const raw = String(param.default ?? param.example ?? '');
    const checked = checkValue(param.type, raw, param);
    const value = checked.ok ? checked.value : raw;
    values[param.name] =
      param.annotationPrefix !== undefined
        ? param.example === undefined
          ? []
          : [{ key: 'sample', value: value ?? '' }]
        : value;
  }
  return values;
}
