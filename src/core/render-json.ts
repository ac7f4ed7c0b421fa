/**
 * A `$json` document rendered straight to its JSON text, byte for byte what JSON.stringify of the
 * rendered tree gives. The text of every subtree without placeholders is serialised once, when
 * the template loads, so a request only writes the few values that differ per pod: an Envoy
 * bootstrap of 5 KB with one placeholder costs a few concatenations, not a serialisation.
 */
import type { RenderValues, Tree } from './render-values.js';
import { compileString, isForEachNode, isJsonNode, isStatic } from './render-values.js';
import { FOR_EACH_KEY, ITEM_KEY, JSON_KEY } from './render-values.js';

/** Text that depends on the values; undefined when it is left out (a whole placeholder set to none). */
type Piece = (values: RenderValues) => string | undefined;
/** Either the text itself, known at load, or how to write it per request. */
type Compiled = string | Piece;

/** The JSON text of `tree` rendered with the values. */
export function compileJsonText(tree: Tree): (values: RenderValues) => string {
  const compiled = compileValue(tree);
  if (typeof compiled === 'string') return () => compiled;
  return (values) => compiled(values) ?? 'null';
}

function compileValue(tree: Tree): Compiled {
  if (typeof tree === 'string') return compileLeaf(tree);
  if (tree === null || typeof tree !== 'object' || isStatic(tree)) return JSON.stringify(tree);
  if (Array.isArray(tree)) return joined('[', mergeConstants(tree.map(compileItem)), ']');
  if (isJsonNode(tree)) {
    if (isStatic(tree[JSON_KEY])) return JSON.stringify(JSON.stringify(tree[JSON_KEY]));
    const document = compileJsonText(tree[JSON_KEY]);
    return (values) => JSON.stringify(document(values));
  }
  const fields = Object.entries(tree).map(([key, child]) => field(`${JSON.stringify(key)}:`, compileValue(child)));
  return joined('{', mergeConstants(fields), '}');
}

function compileLeaf(text: string): Compiled {
  if (isStatic(text)) return JSON.stringify(text);
  const render = compileString(text);
  // Only a whole placeholder renders to null, and where it stands null means "leave it out".
  return (values) => {
    const value = render(values);
    return value === null ? undefined : JSON.stringify(value);
  };
}

/** A list item: a `$forEach` node gives one item per entry of its map (none: nothing). */
function compileItem(item: Tree): Compiled {
  if (!isForEachNode(item)) return compileValue(item);
  const map = String(item[FOR_EACH_KEY]);
  const render = compileJsonText(item[ITEM_KEY] ?? null);
  return (values) => {
    const entries = values.params[map];
    if (!Array.isArray(entries) || entries.length === 0) return undefined;
    return entries.map((entry) => render({ ...values, entry })).join(',');
  };
}

function field(name: string, value: Compiled): Compiled {
  if (typeof value === 'string') return name + value;
  return (values) => {
    const text = value(values);
    return text === undefined ? undefined : name + text;
  };
}

/** Runs of text known at load become one piece, commas included. */
function mergeConstants(items: Compiled[]): Compiled[] {
  const merged: Compiled[] = [];
  for (const item of items) {
    const previous = merged.at(-1);
    if (typeof item === 'string' && typeof previous === 'string') merged[merged.length - 1] = `${previous},${item}`;
    else merged.push(item);
  }
  return merged;
}

/** The items between the brackets, comma-separated, skipping those left out. */
function joined(open: string, items: Compiled[], close: string): Compiled {
  const only = items[0];
  if (items.length === 0) return open + close;
  if (items.length === 1 && typeof only === 'string') return open + only + close;
  return (values) => {
    let out = '';
    for (const item of items) {
      const text = typeof item === 'string' ? item : item(values);
      if (text !== undefined) out = out === '' ? text : `${out},${text}`;
    }
    return open + out + close;
  };
}
