/**
 * What a template renders from and the pieces both renderers (render.ts to a tree, render-json.ts
 * to JSON text) share: the placeholder forms, the renderer-owned node forms and the lookup of a
 * value, so the two can never disagree on what a placeholder stands for.
 */
import type { MapEntry, ParamValue } from './params.js';

export type Tree = string | number | boolean | null | Tree[] | { [key: string]: Tree };

/** The pod facts a template may use, as `{{ pod.<name> }}`. */
export const POD_FACTS = ['name', 'namespace', 'serviceAccount', 'ports'] as const;
export type PodFacts = Record<(typeof POD_FACTS)[number], string>;

export interface RenderValues {
  pod: PodFacts;
  params: Readonly<Record<string, ParamValue>>;
  /** Inside a `$forEach` item: the map entry being rendered, as `{{ entry.key }}`, `{{ entry.value }}`. */
  entry?: MapEntry;
}

export const PLACEHOLDER = /\{\{\s*(pod|params|entry)\.([A-Za-z][A-Za-z0-9]*)\s*\}\}/g;
const WHOLE_PLACEHOLDER = /^\{\{\s*(pod|params|entry)\.([A-Za-z][A-Za-z0-9]*)\s*\}\}$/;

export const JSON_KEY = '$json';
/** `{ $forEach: <map parameter>, $item: <tree> }` in a list: one rendered item per map entry. */
export const FOR_EACH_KEY = '$forEach';
export const ITEM_KEY = '$item';
/** Names the schema a `$json` document is validated against when templates load. */
export const SCHEMA_KEY = '$schema';

/** A `{ $json: ... }` node: its subtree is rendered and then serialised as one JSON string. */
export function isJsonNode(tree: Tree): tree is { [JSON_KEY]: Tree; [SCHEMA_KEY]?: Tree } {
  return typeof tree === 'object' && tree !== null && !Array.isArray(tree) && JSON_KEY in tree;
}

export function isForEachNode(tree: Tree): tree is { [FOR_EACH_KEY]: Tree; [ITEM_KEY]?: Tree } {
  return typeof tree === 'object' && tree !== null && !Array.isArray(tree) && FOR_EACH_KEY in tree;
}

/** A string that is one placeholder: its value may be a number, or `none`, which leaves it out. */
export function isWholePlaceholder(tree: Tree): boolean {
  return typeof tree === 'string' && WHOLE_PLACEHOLDER.test(tree);
}

/** Nothing to render: no placeholder and no `$json` or `$forEach` node. */
export function isStatic(tree: Tree): boolean {
  if (typeof tree === 'string') return !tree.includes('{{');
  if (tree === null || typeof tree !== 'object') return true;
  if (isJsonNode(tree) || isForEachNode(tree)) return false;
  return (Array.isArray(tree) ? tree : Object.values(tree)).every(isStatic);
}

/**
 * A string leaf as a function of the values: a whole placeholder gives the value itself (a number
 * stays a number, `none` is null); otherwise the literal pieces with each value's text between.
 */
export function compileString(text: string): (values: RenderValues) => Tree {
  if (!text.includes('{{')) return () => text;
  const whole = WHOLE_PLACEHOLDER.exec(text);
  if (whole) {
    const [, scope = '', name = ''] = whole;
    return (values) => lookup(values, scope, name);
  }
  const pieces: { literal: string; scope: string; name: string }[] = [];
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    pieces.push({ literal: text.slice(last, match.index), scope: match[1] ?? '', name: match[2] ?? '' });
    last = (match.index ?? 0) + match[0].length;
  }
  const tail = text.slice(last);
  return (values) => {
    let out = '';
    for (const { literal, scope, name } of pieces) out += literal + String(lookup(values, scope, name) ?? '');
    return out + tail;
  };
}

function lookup(values: RenderValues, scope: string, name: string): Tree {
  const found =
    scope === 'pod'
      ? values.pod[name as keyof PodFacts]
      : scope === 'entry'
        ? values.entry?.[name as keyof MapEntry]
        : values.params[name];
  if (found === undefined || typeof found === 'object') return found === null ? null : '';
  // Kubernetes expands $(VAR) in command, args and env values; $$ is its escape.
  return typeof found === 'string' ? found.replaceAll('$(', () => '$$(') : found;
}
