/**
 * Placeholder substitution on an already-parsed template tree. Substitution happens only inside
 * string leaves, after YAML parsing, so a value can never add a key, a list item or any other
 * structure: the shape of every rendered container is fixed by the template file.
 */
import { compileJsonText } from './render-json.js';
import {
  FOR_EACH_KEY,
  ITEM_KEY,
  JSON_KEY,
  compileString,
  isForEachNode,
  isJsonNode,
  isStatic,
  isWholePlaceholder,
  type RenderValues,
  type Tree,
} from './render-values.js';

export {
  FOR_EACH_KEY,
  ITEM_KEY,
  JSON_KEY,
  PLACEHOLDER,
  POD_FACTS,
  SCHEMA_KEY,
  isJsonNode,
  type PodFacts,
  type RenderValues,
  type Tree,
} from './render-values.js';

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
  if (isJsonNode(tree)) return compileJsonText(tree[JSON_KEY]);
  if (isStatic(tree)) {
    deepFreeze(tree);
    return () => tree;
  }
  if (Array.isArray(tree)) return compileArray(tree);
  return compileObject(tree);
}

function compileObject(tree: { [key: string]: Tree }): Renderer {
  const entries = Object.entries(tree).map(
    ([key, child]) => [key, compileRenderer(child), isWholePlaceholder(child)] as const,
  );
  return (values) => {
    const out: { [key: string]: Tree } = {};
    for (const [key, child, omittable] of entries) {
      const rendered = child(values);
      if (omittable && rendered === null) continue;
      // A key named __proto__ is data, as in the template's static subtrees and in JSON.
      if (key === '__proto__')
        Object.defineProperty(out, key, { value: rendered, enumerable: true, writable: true, configurable: true });
      else out[key] = rendered;
    }
    return out;
  };
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

function deepFreeze(tree: Tree): void {
  if (tree === null || typeof tree !== 'object') return;
  for (const child of Array.isArray(tree) ? tree : Object.values(tree)) deepFreeze(child);
  Object.freeze(tree);
}

/** The `name` of a rendered container, volume, mount or env entry. */
export function nameOf(tree: Tree): string {
  return typeof tree === 'object' && tree !== null && !Array.isArray(tree) ? String(tree['name']) : '';
}
