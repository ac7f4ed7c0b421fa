/**
 * Placeholder substitution on an already-parsed template tree. Substitution happens only inside
 * string leaves, after YAML parsing, so a value can never add a key, a list item or any other
 * structure: the shape of every rendered container is fixed by the template file.
 */
import type { ParamValue } from './params.js';

export type Tree = string | number | boolean | null | Tree[] | { [key: string]: Tree };

/** The pod facts a template may use, as `{{ pod.<name> }}`. */
export const POD_FACTS = ['name', 'namespace', 'serviceAccount', 'ports'] as const;
export type PodFacts = Record<(typeof POD_FACTS)[number], string>;

export interface RenderValues {
  pod: PodFacts;
  params: Readonly<Record<string, ParamValue>>;
}

const PLACEHOLDER = /\{\{\s*(pod|params)\.([A-Za-z][A-Za-z0-9]*)\s*\}\}/g;
const WHOLE_PLACEHOLDER = /^\{\{\s*(pod|params)\.([A-Za-z][A-Za-z0-9]*)\s*\}\}$/;

/** Every placeholder problem in a tree: unknown names and stray `{{`, with the field path. */
export function placeholderProblems(tree: Tree, paramNames: ReadonlySet<string>, path = ''): string[] {
  if (typeof tree === 'string') return stringProblems(tree, paramNames, path);
  if (Array.isArray(tree))
    return tree.flatMap((item, index) => placeholderProblems(item, paramNames, `${path}[${index}]`));
  if (tree !== null && typeof tree === 'object') {
    return Object.entries(tree).flatMap(([key, value]) =>
      placeholderProblems(value, paramNames, path ? `${path}.${key}` : key),
    );
  }
  return [];
}

function stringProblems(text: string, paramNames: ReadonlySet<string>, path: string): string[] {
  const problems: string[] = [];
  for (const [, scope, name = ''] of text.matchAll(PLACEHOLDER)) {
    const known = scope === 'pod' ? (POD_FACTS as readonly string[]).includes(name) : paramNames.has(name);
    if (!known) problems.push(`${path}: unknown placeholder ${scope}.${name}`);
  }
  const rest = text.replace(PLACEHOLDER, '');
  if (rest.includes('{{') || rest.includes('}}'))
    problems.push(`${path}: malformed placeholder in ${JSON.stringify(text)}`);
  return problems;
}

/** Renders a copy of the tree with every placeholder replaced; a lone numeric placeholder stays a number. */
export type Renderer = (values: RenderValues) => Tree;

/**
 * Compiles a tree into a function that renders it. Work that does not depend on the pod is done
 * once: subtrees without placeholders are frozen and handed out as they are (most of a sidecar:
 * ports, probes, securityContext), strings are split into literal and placeholder pieces, and
 * object keys are listed up front. Freezing also guarantees no request can change what the next
 * one gets.
 */
export function compileRenderer(tree: Tree): Renderer {
  if (typeof tree === 'string') return compileString(tree);
  if (tree === null || typeof tree !== 'object') return () => tree;
  if (isStatic(tree)) {
    deepFreeze(tree);
    return () => tree;
  }
  if (Array.isArray(tree)) {
    const items = tree.map(compileRenderer);
    return (values) => items.map((item) => item(values));
  }
  const entries = Object.entries(tree).map(([key, child]) => [key, compileRenderer(child)] as const);
  return (values) => {
    const out: { [key: string]: Tree } = {};
    for (const [key, child] of entries) out[key] = child(values);
    return out;
  };
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
      (values) => String(lookup(values, scope, name)),
    );
    last = (match.index ?? 0) + match[0].length;
  }
  const tail = text.slice(last);
  pieces.push(() => tail);
  return (values) => pieces.map((piece) => piece(values)).join('');
}

function isStatic(tree: Tree): boolean {
  if (typeof tree === 'string') return !tree.includes('{{');
  if (tree === null || typeof tree !== 'object') return true;
  return (Array.isArray(tree) ? tree : Object.values(tree)).every(isStatic);
}

function deepFreeze(tree: Tree): void {
  if (tree === null || typeof tree !== 'object') return;
  for (const child of Array.isArray(tree) ? tree : Object.values(tree)) deepFreeze(child);
  Object.freeze(tree);
}

function lookup(values: RenderValues, scope: string, name: string): ParamValue {
  const found = scope === 'pod' ? values.pod[name as keyof PodFacts] : values.params[name];
  // Kubernetes expands $(VAR) in command, args and env values; $$ is its escape.
  return typeof found === 'string' ? found.replaceAll('$(', () => '$$(') : (found ?? '');
}

/** The `name` of a rendered container, volume, mount or env entry. */
export function nameOf(tree: Tree): string {
  return typeof tree === 'object' && tree !== null && !Array.isArray(tree) ? String(tree['name']) : '';
}
