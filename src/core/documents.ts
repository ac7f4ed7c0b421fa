import { envoyBootstrapProblems } from './envoy-bootstrap.js';
import { JSON_KEY, SCHEMA_KEY, compileRenderer, isJsonNode, type RenderValues, type Tree } from './render.js';

/** The schemas a template's `$json` document can name with `$schema`, checked when it loads. */
const SCHEMAS: Record<string, (document: unknown) => string[]> = {
  'envoy-bootstrap-v3': envoyBootstrapProblems,
};

export const DOCUMENT_SCHEMAS = Object.keys(SCHEMAS);

/** Every `$json` document that names a schema, rendered with `values` and checked against it. */
export function documentProblems(tree: Tree, values: RenderValues, path = ''): string[] {
  if (Array.isArray(tree)) return tree.flatMap((item, i) => documentProblems(item, values, `${path}[${i}]`));
  if (tree === null || typeof tree !== 'object') return [];
  if (isJsonNode(tree) && tree[SCHEMA_KEY] !== undefined) {
    const name = String(tree[SCHEMA_KEY]);
    const check = SCHEMAS[name];
    if (!check) return [`${path}.${SCHEMA_KEY}: unknown schema ${name}; known: ${DOCUMENT_SCHEMAS.join(', ')}`];
    const rendered = compileRenderer(tree[JSON_KEY] as Tree)(values);
    return check(rendered).map((problem) => `${path}.${JSON_KEY}.${problem}`);
  }
  return Object.entries(tree).flatMap(([key, child]) => documentProblems(child, values, path ? `${path}.${key}` : key));
}
