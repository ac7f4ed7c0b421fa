import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileJsonText } from '../../src/core/render-json.js';
import { compileRenderer, isJsonNode, type RenderValues, type Tree } from '../../src/core/render.js';
import { loadTemplateSet } from '../helpers/pods.js';

const PLACEHOLDERS = ['{{ pod.name }}', '{{ params.n }}', '{{ params.none }}', '{{ params.s }}', '{{ entry.key }}'];

/** Template trees: literals, placeholders whole or inside text, `$forEach` items, odd keys. */
const trees: fc.Arbitrary<Tree> = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom<Tree>(...PLACEHOLDERS, 'a-{{ params.s }}-{{ pod.name }}', 'plain', 7, -0.5, true, null),
    fc.string({ maxLength: 8 }),
    fc.array(
      fc.oneof(
        tie('tree'),
        tie('tree').map((item): Tree => ({ $forEach: 'm', $item: item })),
      ),
      { maxLength: 4 },
    ),
    fc.dictionary(fc.constantFrom('a', 'b', '10', '2', '__proto__', 'é"\\', 'x y'), tie('tree'), { maxKeys: 4 }),
  ),
})).tree;

const values: fc.Arbitrary<RenderValues> = fc.record({
  pod: fc.record({
    name: fc.string({ maxLength: 6 }),
    namespace: fc.constant('demo'),
    serviceAccount: fc.constant('sa'),
    ports: fc.constant('80'),
  }),
  params: fc.record({
    n: fc.oneof(fc.integer(), fc.constant(null)),
    none: fc.constant(null),
    s: fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('$(X)', '"}\n', '\u2028')),
    m: fc.array(fc.record({ key: fc.string({ maxLength: 4 }), value: fc.string({ maxLength: 4 }) }), { maxLength: 3 }),
  }),
});

/** The document's text as the tree renderer and JSON.stringify make it: the reference. */
const stringified = (tree: Tree, at: RenderValues): string =>
  JSON.stringify(compileRenderer(structuredClone(tree))(at));

describe('compileJsonText', () => {
  it('writes exactly what JSON.stringify writes of the rendered tree', () => {
    fc.assert(
      fc.property(trees, values, (tree, at) => {
        expect(compileJsonText(structuredClone(tree))(at)).toBe(stringified(tree, at));
      }),
      { numRuns: 500 },
    );
  });

  it('writes every shipped $json document as JSON.stringify does, for changing pod facts', () => {
    const documents = [...loadTemplateSet().values()].flatMap((t) => jsonDocuments(t.parts as unknown as Tree));
    expect(documents.length).toBeGreaterThan(0);
    const params = { excludeInboundPorts: '', n: 1 };
    for (const document of documents)
      for (const namespace of ['demo', 'team-a', 'x"\\'])
        expect(compileJsonText(document)({ pod: { ...SAMPLE, namespace }, params })).toBe(
          stringified(document, { pod: { ...SAMPLE, namespace }, params }),
        );
  });

  it('writes a nested $json node as a JSON string inside the text', () => {
    const render = compileJsonText({ a: { $json: { b: '{{ pod.name }}' } }, c: { $json: [1] } });
    expect(render({ pod: { ...SAMPLE, name: 'w"' }, params: {} })).toBe('{"a":"{\\"b\\":\\"w\\\\\\"\\"}","c":"[1]"}');
  });

  it('leaves out keys and items set to none, and writes null for a whole document set to none', () => {
    const at = { pod: SAMPLE, params: { none: null } };
    expect(compileJsonText({ a: '{{ params.none }}', b: ['{{ params.none }}', 1] })(at)).toBe('{"b":[1]}');
    expect(compileJsonText('{{ params.none }}')(at)).toBe('null');
  });
});

const SAMPLE = { name: 'web', namespace: 'demo', serviceAccount: 'sa', ports: '80' };

function jsonDocuments(tree: Tree): Tree[] {
  if (tree === null || typeof tree !== 'object') return [];
  if (isJsonNode(tree)) return [tree.$json];
  return (Array.isArray(tree) ? tree : Object.values(tree)).flatMap(jsonDocuments);
}
