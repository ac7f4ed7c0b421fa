import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_ITEMS,
  MAX_QUOTED,
  MAX_TEXT,
  MAX_WARNINGS,
  boundedLines,
  quoted,
  quotedList,
  safeText,
} from '../../src/core/text.js';

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Strings rich in what must be escaped: controls, bidi, line separators, quotes, astral, lone halves. */
const hostileText = fc.string({
  unit: fc.oneof(
    fc.constantFrom('\n', '\r', '\t', '\u0000', '\u001b', '\u007f', '\u0085', '\u009b', '\u2028', '\u2029'),
    fc.constantFrom('\u202e', '\u2066', '\u200f', '\u061c', '"', '\\', '\ud83d\ude00', '\ud800', '\udfff', '…'),
    fc.string({ minLength: 1, maxLength: 1, unit: 'grapheme' }),
  ),
  maxLength: 120,
});

describe('safeText', () => {
  it('escapes controls, line separators and bidi controls the JSON way', () => {
    expect(safeText('a\nb\u2028c\u202ed\u0085e\u001b[31m')).toBe('a\\nb\\u2028c\\u202ed\\u0085e\\u001b[31m');
    expect(safeText('x\ud800y \ud83d\ude00')).toBe('x\\ud800y \ud83d\ude00');
  });

  it('cuts at the bound with an ellipsis, never inside an escape or a surrogate pair', () => {
    expect(safeText('x'.repeat(2 * 1024 * 1024))).toBe(`${'x'.repeat(MAX_TEXT - 1)}…`);
    expect(safeText('abc\u202e', 6)).toBe('abc…');
    expect(safeText('ab\ud83d\ude00', 3)).toBe('ab…');
    expect(safeText('a'.repeat(253))).toBe('a'.repeat(253));
  });

  it('never exceeds the bound and never lets an unsafe character or lone surrogate through', () => {
    fc.assert(
      fc.property(hostileText, fc.integer({ min: 1, max: 300 }), (value, max) => {
        const text = safeText(value, max);
        expect(text.length).toBeLessThanOrEqual(max);
        expect(text).not.toMatch(UNSAFE);
        expect(text).not.toMatch(LONE_SURROGATE);
      }),
    );
  });

  it('leaves short safe text unchanged', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), (value) => {
        fc.pre(!UNSAFE.test(value));
        expect(safeText(value)).toBe(value);
      }),
    );
  });
});

describe('quoted', () => {
  it('is a JSON string literal that parses back to the value when nothing was cut', () => {
    fc.assert(
      fc.property(hostileText, (value) => {
        const text = quoted(value, 1000);
        expect(JSON.parse(text)).toBe(value);
        expect(text.slice(1, -1)).not.toMatch(UNSAFE);
      }),
    );
  });

  it(`keeps within ${MAX_QUOTED} characters, quotes included`, () => {
    fc.assert(
      fc.property(hostileText, (value) => {
        const text = quoted(value.repeat(4));
        expect(text.length).toBeLessThanOrEqual(MAX_QUOTED);
        expect(text).toMatch(/^".*"$/s);
        expect(text).not.toMatch(LONE_SURROGATE);
      }),
    );
  });
});

describe('quotedList', () => {
  it('deduplicates, shows the first items and counts the rest', () => {
    expect(quotedList(['a', 'b', 'a'])).toBe('"a", "b"');
    const many = Array.from({ length: 100_000 }, (_, i) => `t${i % 5000}`);
    expect(quotedList(many)).toBe(`"t0", "t1", "t2", "t3", "t4" … and ${5000 - MAX_ITEMS} more`);
  });

  it('bounds the message whatever the input: items times the item bound, plus the count', () => {
    fc.assert(
      fc.property(fc.array(hostileText, { maxLength: 40 }), (values) => {
        const text = quotedList(values.map((v) => v.repeat(10)));
        expect(text.length).toBeLessThanOrEqual(MAX_ITEMS * (MAX_QUOTED + 2) + ' … and 40 more'.length);
        expect(text).not.toMatch(UNSAFE);
      }),
    );
  });
});

describe('boundedLines', () => {
  it('keeps distinct lines, escaped, and replaces the overflow with its count', () => {
    expect(boundedLines(['a', 'b\u2028', 'a'])).toEqual(['a', 'b\\u2028']);
    const many = Array.from({ length: 1_000 }, (_, i) => `line ${i}`);
    expect(boundedLines(many)).toEqual([...many.slice(0, MAX_WARNINGS - 1), `… and ${1_000 - MAX_WARNINGS + 1} more`]);
  });

  it('bounds every line and the count of lines whatever the input', () => {
    fc.assert(
      fc.property(fc.array(hostileText, { maxLength: 40 }), (values) => {
        const lines = boundedLines(values.map((v) => v.repeat(50)));
        expect(lines.length).toBeLessThanOrEqual(MAX_WARNINGS);
        for (const line of lines) {
          expect(line.length).toBeLessThanOrEqual(MAX_TEXT);
          expect(line).not.toMatch(UNSAFE);
        }
      }),
    );
  });
});
