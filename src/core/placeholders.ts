import { FOR_EACH_KEY, ITEM_KEY, JSON_KEY, PLACEHOLDER, POD_FACTS, SCHEMA_KEY, type Tree } from './render.js';

/** What a template's placeholders may name. */
export interface PlaceholderScope {
  /** Scalar parameters, for `{{ params.<name> }}`. */
  params: ReadonlySet<string>;
  /** Map parameters, for `$forEach`. */
  maps: ReadonlySet<string>;
}

const ENTRY_FIELDS = ['key', 'value'];

/** Every placeholder problem in a tree: unknown names and stray `{{`, with the field path. */
export function placeholderProblems(tree: Tree, scope: PlaceholderScope, path = '', inEntry = false): string[] {
  if (typeof tree === 'string') return stringProblems(tree, scope, path, inEntry);
  if (Array.isArray(tree))
    return tree.flatMap((item, index) => placeholderProblems(item, scope, `${path}[${index}]`, inEntry));
  if (tree === null || typeof tree !== 'object') return [];
  const form = nodeFormProblems(tree, scope, path);
  if (form.length > 0) return form;
  const entering = inEntry || FOR_EACH_KEY in tree;
  return Object.entries(tree).flatMap(([key, value]) =>
    key === FOR_EACH_KEY ? [] : placeholderProblems(value, scope, path ? `${path}.${key}` : key, entering),
  );
}

/** Keys starting with `$` belong to the renderer; only its own forms are allowed. */
function nodeFormProblems(tree: { [key: string]: Tree }, scope: PlaceholderScope, path: string): string[] {
  const keys = Object.keys(tree);
  if (!keys.some((key) => key.startsWith('$'))) return [];
  const shape = (want: string[]): boolean => keys.every((key) => want.includes(key)) && keys.includes(want[0] ?? '');
  if (shape([JSON_KEY, SCHEMA_KEY])) return [];
  if (shape([FOR_EACH_KEY, ITEM_KEY]) && keys.includes(ITEM_KEY)) {
    const map = tree[FOR_EACH_KEY];
    return typeof map === 'string' && scope.maps.has(map)
      ? []
      : [`${path}.${FOR_EACH_KEY}: ${JSON.stringify(map)} is not a map parameter`];
  }
  return [
    `${path}: a node with ${keys.join(', ')} must be { ${JSON_KEY}: <document>, ${SCHEMA_KEY}?: <name> } or { ${FOR_EACH_KEY}: <map parameter>, ${ITEM_KEY}: <tree> }`,
  ];
}

function stringProblems(text: string, scope: PlaceholderScope, path: string, inEntry: boolean): string[] {
  const problems: string[] = [];
  for (const [, kind, name = ''] of text.matchAll(PLACEHOLDER)) {
    const known =
      kind === 'pod'
        ? (POD_FACTS as readonly string[]).includes(name)
        : kind === 'entry'
          ? inEntry && ENTRY_FIELDS.includes(name)
          : scope.params.has(name);
    if (!known) problems.push(`${path}: unknown placeholder ${kind}.${name}`);
  }
  const rest = text.replace(PLACEHOLDER, '');
  if (rest.includes('{{') || rest.includes('}}'))
    problems.push(`${path}: malformed placeholder in ${JSON.stringify(text)}`);
  return problems;
}
