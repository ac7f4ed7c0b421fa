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

/** A copy of the tree with every placeholder replaced; a lone numeric placeholder stays a number. */
export function render(tree: Tree, values: RenderValues): Tree {
  if (typeof tree === 'string') return renderString(tree, values);
  if (Array.isArray(tree)) return tree.map((item) => render(item, values));
  if (tree !== null && typeof tree === 'object') {
    const out: { [key: string]: Tree } = {};
    for (const key of Object.keys(tree)) out[key] = render(tree[key] as Tree, values);
    return out;
  }
  return tree;
}

function renderString(text: string, values: RenderValues): Tree {
  if (!text.includes('{{')) return text;
  const whole = WHOLE_PLACEHOLDER.exec(text);
  if (whole) return lookup(values, whole[1] ?? '', whole[2] ?? '');
  return text.replace(PLACEHOLDER, (_match, scope: string, name: string) => String(lookup(values, scope, name)));
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
