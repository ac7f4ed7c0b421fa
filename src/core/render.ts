/**
 * Placeholder substitution on an already-parsed template tree. Substitution happens only inside
 * string leaves, after YAML parsing, so a value can never add a key, a list item or any other
 * structure: the shape of every rendered container is fixed by the template file.
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

/** Renders a copy of the tree with every placeholder replaced; a lone numeric placeholder stays a number. */
export type Renderer = (values: RenderValues) => Tree;

/**
 * Compiles a tree into a function that renders it. Work that does not depend on the pod is done
 * once: subtrees without placeholders are frozen and handed out as they are (most of a sidecar:
 * ports, probes, securityContext), strings are split into literal and placeholder pieces, and
 * object keys are listed up front. Freezing also guarantees no request can change what the next
 * one gets. Two node forms are the renderer's own:
 * - `{ $json: <tree> }` renders the tree and stands for its JSON text (a configuration document
 *   passed to a program as one argument or env value: values stay data, escaped by JSON);
 * - a whole-string placeholder whose value is `none` (null) leaves out the key or list item.
 */
export function compileRenderer(tree: Tree): Renderer {
  if (typeof tree === 'string') return compileString(tree);
  if (tree === null || typeof tree !== 'object') return () => tree;
  if (isJsonNode(tree)) {
    if (isStatic(tree[JSON_KEY])) {
      const text = JSON.stringify(tree[JSON_KEY]);
      return () => text;
    }
    const document = compileRenderer(tree[JSON_KEY]);
    return (values) => JSON.stringify(document(values));
  }
  if (isStatic(tree)) {
    deepFreeze(tree);
    return () => tree;
  }
  if (Array.isArray(tree)) return compileArray(tree);
  const entries = Object.entries(tree).map(
    ([key, child]) => [key, compileRenderer(child), isWholePlaceholder(child)] as const,
  );
  return (values) => {
    const out: { [key: string]: Tree } = {};
    for (const [key, child, omittable] of entries) {
      const rendered = child(values);
      if (!(omittable && rendered === null)) out[key] = rendered;
    }
    return out;
  };
}

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

function compileArray(tree: Tree[]): Renderer {
  const items = tree.map((item) => {
    if (isForEachNode(item)) {
      const map = String(item[FOR_EACH_KEY]);
      const render = compileRenderer(item[ITEM_KEY] ?? null);
      return (values: RenderValues, out: Tree[]): void => {
        const entries = values.params[map];
        for (const entry of Array.isArray(entries) ? entries : []) out.push(render({ ...values, entry }));
      };
    }
    const render = compileRenderer(item);
    const omittable = isWholePlaceholder(item);
    return (values: RenderValues, out: Tree[]): void => {
      const rendered = render(values);
      if (!(omittable && rendered === null)) out.push(rendered);
    };
  });
  return (values) => {
    const out: Tree[] = [];
    for (const item of items) item(values, out);
    return out;
  };
}

function isForEachNode(tree: Tree): tree is { [FOR_EACH_KEY]: Tree; [ITEM_KEY]?: Tree } {
  return typeof tree === 'object' && tree !== null && !Array.isArray(tree) && FOR_EACH_KEY in tree;
}

function isWholePlaceholder(tree: Tree): boolean {
  return typeof tree === 'string' && WHOLE_PLACEHOLDER.test(tree);
}

function compileString(text: string): Renderer {
  if (!text.includes('{{')) return () => text;
  const whole = WHOLE_PLACEHOLDER.exec(text);
  if (whole) {
    const [, scope = '', name = ''] = whole;
    return (values) => lookup(values, scope, name);
  }
  const pieces: ((values: RenderValues) => string)[] = [];
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    const literal = text.slice(last, match.index);
    const [, scope = '', name = ''] = match;
    pieces.push(
      () => literal,
      (values) => String(lookup(values, scope, name) ?? ''),
    );
    last = (match.index ?? 0) + match[0].length;
  }
  const tail = text.slice(last);
  pieces.push(() => tail);
  return (values) => pieces.map((piece) => piece(values)).join('');
}

/** Nothing to render: no placeholder and no `$json` node (which is rendered to a string). */
function isStatic(tree: Tree): boolean {
  if (typeof tree === 'string') return !tree.includes('{{');
  if (tree === null || typeof tree !== 'object') return true;
  if (isJsonNode(tree) || isForEachNode(tree)) return false;
  return (Array.isArray(tree) ? tree : Object.values(tree)).every(isStatic);
}

function deepFreeze(tree: Tree): void {
  if (tree === null || typeof tree !== 'object') return;
  for (const child of Array.isArray(tree) ? tree : Object.values(tree)) deepFreeze(child);
  Object.freeze(tree);
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

/** The `name` of a rendered container, volume, mount or env entry. */
export function nameOf(tree: Tree): string {
  return typeof tree === 'object' && tree !== null && !Array.isArray(tree) ? String(tree['name']) : '';
}
