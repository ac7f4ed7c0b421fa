/**
 * Kubernetes resource quantities, exactly as k8s.io/apimachinery/pkg/api/resource reads them:
 *
 *   <quantity> ::= <sign>? <number> <suffix>
 *   <number>   ::= <digits> | <digits>. | <digits>.<digits> | .<digits>
 *   <suffix>   ::= Ki | Mi | Gi | Ti | Pi | Ei | n | u | m | "" | k | M | G | T | P | E
 *                | (e | E) <sign>? <digits>
 *
 * The value is an integer count of nano-units (a bigint), never a float: float64 cannot tell
 * 0.5000000000000000001 from 0.5, and Kubernetes can. Like ParseQuantity, a value finer than a
 * nano-unit rounds away from zero ("1e-10" is 1n) and a binary-SI value is capped at 2^63-1
 * ("8Ei" is 2^63-1); decimal values are not capped.
 *
 * Stricter than Kubernetes on purpose, so that a value never means less than it says:
 * - its scanner also takes "+", "." and a bare suffix such as "m" as zero: we refuse them;
 * - it truncates the exponent to 32 bits ("1e4294967296" is 1 there): we refuse exponents beyond
 *   ±1000, which also keeps the arithmetic small (no resource is within 900 orders of magnitude).
 * No npm package parses this grammar exactly (client-node's quantityToScalar uses floats for
 * m/n/u, throws on "1.5Gi" and knows no exponents), hence this small module.
 */
const QUANTITY = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]+)?$/;

const MAX_TEXT = 2048;
const MAX_EXPONENT = 1000;
const NANO_DIGITS = 9;
/** The cap ParseQuantity applies to binary-SI values: 2^63-1 units, here in nano-units. */
const BINARY_CAP = (2n ** 63n - 1n) * 10n ** 9n;

const BINARY_SHIFT: Record<string, bigint> = { Ki: 10n, Mi: 20n, Gi: 30n, Ti: 40n, Pi: 50n, Ei: 60n };
const DECIMAL_EXPONENT: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/** The quantity in nano-units (1 is 1_000_000_000n, 250m is 250_000_000n), or undefined. */
export function parseQuantity(text: string): bigint | undefined {
  if (text.length > MAX_TEXT) return undefined;
  const match = QUANTITY.exec(text);
  if (!match) return undefined;
  const [, sign = '', whole = '', fraction = '', suffix = ''] = match;
  if (whole === '' && fraction === '') return undefined;
  const digits = BigInt(whole + fraction);
  const magnitude =
    suffix in BINARY_SHIFT
      ? binaryNanos(digits, fraction.length, suffix)
      : decimalNanos(digits, fraction.length, suffix);
  if (magnitude === undefined) return undefined;
  return sign === '-' ? -magnitude : magnitude;
}

function binaryNanos(digits: bigint, fractionDigits: number, suffix: string): bigint {
  const nanos = scaleRoundingUp(digits << (BINARY_SHIFT[suffix] ?? 0n), NANO_DIGITS - fractionDigits);
  return nanos > BINARY_CAP ? BINARY_CAP : nanos;
}

function decimalNanos(digits: bigint, fractionDigits: number, suffix: string): bigint | undefined {
  // "E" alone is exa (10^18); "E3" or "e-3" is an exponent.
  const exponent = suffix in DECIMAL_EXPONENT ? DECIMAL_EXPONENT[suffix] : Number(suffix.slice(1));
  if (exponent === undefined || Math.abs(exponent) > MAX_EXPONENT) return undefined;
  return scaleRoundingUp(digits, exponent + NANO_DIGITS - fractionDigits);
}

/** digits × 10^power, rounded away from zero to an integer (digits is never negative). */
function scaleRoundingUp(digits: bigint, power: number): bigint {
  if (power >= 0) return digits * 10n ** BigInt(power);
  const divisor = 10n ** BigInt(-power);
  return (digits + divisor - 1n) / divisor;
}
