import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseQuantity } from '../../src/core/quantity.js';
import { ROOT } from '../helpers/pods.js';

/** What k8s.io/apimachinery v0.34.4 ParseQuantity makes of each text (test/quantity-oracle). */
const ORACLE = JSON.parse(readFileSync(`${ROOT}test/fixtures/quantities.json`, 'utf8')) as {
  text: string;
  nanos?: string;
}[];

/** Forms Kubernetes' scanner takes that we refuse on purpose (see src/core/quantity.ts). */
function refusedOnPurpose(text: string): boolean {
  const number = /^[+-]?[0-9.]*/.exec(text)?.[0] ?? '';
  const exponent = /[eE]([+-]?[0-9]+)$/.exec(text)?.[1];
  return !/[0-9]/.test(number) || (exponent !== undefined && Math.abs(Number(exponent)) > 1000);
}

describe('parseQuantity agrees with Kubernetes', () => {
  it(`on all ${ORACLE.length} texts of the apimachinery oracle`, () => {
    const disagreements = ORACLE.flatMap(({ text, nanos }) => {
      const ours = parseQuantity(text);
      if (nanos === undefined)
        return ours === undefined ? [] : [`${JSON.stringify(text)}: Kubernetes refuses, we read ${ours}`];
      if (ours === undefined)
        return refusedOnPurpose(text) ? [] : [`${JSON.stringify(text)}: Kubernetes reads ${nanos}, we refuse`];
      return ours === BigInt(nanos) ? [] : [`${JSON.stringify(text)}: Kubernetes reads ${nanos}, we read ${ours}`];
    });
    expect(disagreements).toEqual([]);
  });

  it('the oracle covers every suffix, both signs, fractions, rounding and the binary cap', () => {
    const texts = new Set(ORACLE.map((v) => v.text));
    for (const text of ['1Ei', '8Ei', '-8Ei', '1E', '1e400', '0.5000000000000000001', '1.5Gi', '+1', '1e-10', '-1.5m'])
      expect(texts).toContain(text);
  });
});

describe('parseQuantity', () => {
  it.each([
    ['100m', 100_000_000n],
    ['1', 1_000_000_000n],
    ['+1', 1_000_000_000n],
    ['1.5', 1_500_000_000n],
    ['128Mi', 128n * 2n ** 20n * 10n ** 9n],
    ['1.5Gi', 1_610_612_736n * 10n ** 9n],
    ['1G', 10n ** 18n],
    ['1E', 10n ** 27n],
    ['2e3', 2_000_000_000_000n],
    ['1e400', 10n ** 409n],
  ])('%s is %d nano-units', (text, nanos) => expect(parseQuantity(text)).toBe(nanos));

  it('rounds a value finer than a nano-unit away from zero, as Kubernetes does', () => {
    expect(parseQuantity('0.5000000000000000001')).toBe(500_000_001n);
    expect(parseQuantity('0.5000000000000000001')).toBeGreaterThan(parseQuantity('500m') ?? 0n);
    expect(parseQuantity('1e-10')).toBe(1n);
    expect(parseQuantity('-1e-10')).toBe(-1n);
  });

  it('caps binary values at 2^63-1 units and leaves decimal ones uncapped', () => {
    const cap = (2n ** 63n - 1n) * 10n ** 9n;
    expect(parseQuantity('8Ei')).toBe(cap);
    expect(parseQuantity('1Ei')).toBe(2n ** 60n * 10n ** 9n);
    expect(parseQuantity('10E')).toBeGreaterThan(cap);
  });

  it.each(['', 'm', '+', '.', 'Ki', '1 Gi', '1GiB', '0x10', '1e400x', '12mi', '1e', '1K', 'NaN', 'Infinity', '1e1001'])(
    '%j is not a quantity',
    (text) => expect(parseQuantity(text)).toBeUndefined(),
  );

  it('refuses text longer than 2048 characters without reading it', () => {
    expect(parseQuantity('1'.repeat(2049))).toBeUndefined();
  });
});
