import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_JSON_DEPTH,
  MAX_JSON_ELEMENTS,
  jsonDepth,
  jsonShape,
  nestsTooDeep,
  refuseUnparsed,
} from '../../src/core/json-depth.js';
import { ROOT } from '../helpers/pods.js';

const INFINITE = { depth: Infinity, elements: Infinity };

/** The depth of a parsed value: how many arrays and objects enclose its deepest point. */
function trueDepth(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  const children = Object.values(value as Record<string, unknown>);
  return 1 + children.reduce<number>((deepest, child) => Math.max(deepest, trueDepth(child)), 0);
}

const bracketHeavyString = fc.string({
  unit: fc.constantFrom('[', ']', '{', '}', '"', '\\', ':', ',', 'a', '\u2028', '\u00e9', '\ud83d\ude00'),
});
const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(null, true, false, 0, -1.5e300),
    bracketHeavyString,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(bracketHeavyString, tie('value'), { maxKeys: 4 }),
  ),
})).value;

describe('jsonDepth', () => {
  it.each([
    ['1', 0],
    ['"[[[["', 0],
    ['[]', 1],
    ['{"a":[1]}', 2],
    ['{"a\\"[[":["\\\\",[]]}', 3],
    ['[[],[[]],[]]', 3],
  ])('%s nests %d deep', (text, depth) => {
    expect(jsonDepth(text)).toBe(depth);
    expect(jsonDepth(Buffer.from(text))).toBe(depth);
  });

  it('equals the true depth of any JSON value, as a string and as UTF-8 bytes', () => {
    fc.assert(
      fc.property(jsonValue, (value) => {
        const text = JSON.stringify(value);
        expect(jsonDepth(text)).toBe(trueDepth(value));
        expect(jsonDepth(Buffer.from(text))).toBe(trueDepth(value));
      }),
      { numRuns: 500 },
    );
  });

  it('never counts brackets inside strings', () => {
    fc.assert(
      fc.property(fc.array(bracketHeavyString, { maxLength: 8 }), (strings) => {
        expect(jsonDepth(JSON.stringify(strings))).toBe(1);
        expect(jsonDepth(Buffer.from(JSON.stringify({ key: strings.join('') })))).toBe(1);
      }),
      { numRuns: 500 },
    );
  });

  it('stops at the first level past the limit', () => {
    const bomb = '['.repeat(5_000_000);
    expect(jsonDepth(bomb, MAX_JSON_DEPTH)).toBe(MAX_JSON_DEPTH + 1);
    expect(nestsTooDeep(Buffer.from(bomb))).toBe(true);
  });
});

describe('nestsTooDeep with the documented default', () => {
  it(`accepts ${MAX_JSON_DEPTH} levels and refuses ${MAX_JSON_DEPTH + 1}`, () => {
    const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
    expect(nestsTooDeep(nested(MAX_JSON_DEPTH))).toBe(false);
    expect(nestsTooDeep(nested(MAX_JSON_DEPTH + 1))).toBe(true);
  });

  it('leaves every review fixture of this repository far below the limit', () => {
    const dir = join(ROOT, 'test/fixtures/reviews');
    const depths = readdirSync(dir)
      .filter((file) => file.endsWith('.json'))
      .map((file) => jsonDepth(readFileSync(join(dir, file))));
    expect(depths.length).toBeGreaterThan(0);
    expect(Math.max(...depths)).toBeLessThanOrEqual(MAX_JSON_DEPTH / 3);
  });
});

describe('refuseUnparsed: depth and elements in one pass', () => {
  it('counts arrays, objects and commas outside strings', () => {
    expect(jsonShape('[1,2,{"a":"[,]","b":[]}]', INFINITE)).toEqual({ depth: 3, elements: 6 });
  });

  it(`accepts ${MAX_JSON_ELEMENTS} elements and refuses one more, however shallow`, () => {
    const flat = (elements: number): string => `[${'0,'.repeat(elements - 1)}0]`;
    expect(refuseUnparsed(flat(MAX_JSON_ELEMENTS))).toBeUndefined();
    expect(refuseUnparsed(flat(MAX_JSON_ELEMENTS + 1))).toBe(`body has more than ${MAX_JSON_ELEMENTS} JSON elements`);
    expect(refuseUnparsed(Buffer.from(`[${'[],'.repeat(3_000_000)}[]]`))).toMatch(/more than/);
  });

  it('names the depth when the nesting is what is over', () => {
    expect(refuseUnparsed('['.repeat(MAX_JSON_DEPTH + 1))).toBe(
      `body nests deeper than ${MAX_JSON_DEPTH} arrays/objects`,
    );
  });

  it('leaves every review fixture of this repository far below the element limit', () => {
    const dir = join(ROOT, 'test/fixtures/reviews');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')))
      expect(jsonShape(readFileSync(join(dir, file)), INFINITE).elements).toBeLessThan(MAX_JSON_ELEMENTS / 100);
  });
});
