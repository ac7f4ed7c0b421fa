/**
 * How deeply a JSON text nests, found in one pass before JSON.parse ever sees it.
 *
 * JSON.parse on 9.5 MiB of nested arrays holds the event loop for seconds and builds hundreds of
 * megabytes of objects, all inside the body size limit. Only a direct caller can send that: a Pod
 * the API server has decoded is bounded by its schema. So bodies nesting deeper than
 * MAX_JSON_DEPTH are refused before parsing; this scan stops at the first level past the limit,
 * so refusing a deep body costs about as many steps as the limit.
 *
 * Depth counts open arrays and objects: `1` is 0, `[]` is 1, `{"a":[1]}` is 2.
 */

/**
 * Real Pod CREATE reviews from kube-apiservers nest 13 levels (the AdmissionReview wrapper,
 * request, object, then the pod); the Pod schema's deepest paths (affinity terms, ephemeral volume
 * claim selectors, and their mirrors in metadata.managedFields) stay under 20, and the Pod schema
 * has no recursive type. 64 leaves three times that margin, while a nesting attack is stopped
 * after 65 bytes.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Depth is not the only amplification: 9.5 MiB of `[],[],…` nests 2 deep and still took JSON.parse
 * 5 s and ~200 MB (measured on the shared test machine). etcd stores a Pod of at most 1.5 MiB, and
 * even the densest Pod JSON (managedFields' `"f:x":{},`) spends over 4 bytes per element, so no
 * storable Pod reaches 500,000 elements (arrays, objects, commas); the worst body under the limit
 * is parsed in a fraction of a second.
 */
export const MAX_JSON_ELEMENTS = 500_000;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const COMMA = 0x2c;

/**
 * The deepest nesting in `body`, or the first depth above `stopAbove` once one is reached.
 * A Buffer is scanned as bytes: every byte of a multi-byte UTF-8 sequence is >= 0x80, so none is
 * mistaken for a bracket or a quote. Brackets inside strings (escaped quotes included) do not
 * count. Unbalanced closers are not judged here: JSON.parse refuses them.
 */
export function jsonDepth(body: string | Uint8Array, stopAbove = Number.POSITIVE_INFINITY): number {
  return jsonShape(body, { depth: stopAbove, elements: Number.POSITIVE_INFINITY }).depth;
}

export interface JsonShape {
  /** The deepest nesting of arrays and objects. */
  depth: number;
  /** Arrays, objects and the commas between values: about one per value JSON.parse builds. */
  elements: number;
}

/** Depth and elements in one pass, stopping as soon as either is above its `stopAbove`. */
export function jsonShape(body: string | Uint8Array, stopAbove: JsonShape): JsonShape {
  const text = typeof body === 'string' ? new CodeUnits(body) : new Bytes(body);
  let depth = 0;
  const seen = { depth: 0, elements: 0 };
  for (let i = 0; i < text.length; i++) {
    const code = text.at(i);
    if (code === QUOTE) {
      i = text.closingQuote(i + 1);
    } else if (code === OPEN_ARRAY || code === OPEN_OBJECT) {
      depth++;
      seen.elements++;
      if (depth > seen.depth) seen.depth = depth;
    } else if (code === CLOSE_ARRAY || code === CLOSE_OBJECT) {
      depth--;
    } else if (code === COMMA) {
      seen.elements++;
    } else continue;
    if (seen.depth > stopAbove.depth || seen.elements > stopAbove.elements) return seen;
  }
  return seen;
}

/** A string's code units or a buffer's bytes, with a native search for the next quote. */
abstract class Scanned {
  abstract readonly length: number;
  abstract at(i: number): number;
  protected abstract nextQuote(from: number): number;

  /**
   * The index of the quote that ends a string starting at `from` (or the end of the text). Only
   * the backslashes right before a candidate quote are counted, each at most once: still linear.
   */
  closingQuote(from: number): number {
    for (let quote = this.nextQuote(from); quote >= 0; quote = this.nextQuote(quote + 1)) {
      let backslashes = 0;
      while (quote - backslashes - 1 >= from && this.at(quote - backslashes - 1) === BACKSLASH) backslashes++;
      if (backslashes % 2 === 0) return quote;
    }
    return this.length;
  }
}

class CodeUnits extends Scanned {
  constructor(private readonly text: string) {
    super();
  }
  get length(): number {
    return this.text.length;
  }
  at(i: number): number {
    return this.text.charCodeAt(i);
  }
  protected nextQuote(from: number): number {
    return this.text.indexOf('"', from);
  }
}

class Bytes extends Scanned {
  constructor(private readonly bytes: Uint8Array) {
    super();
  }
  get length(): number {
    return this.bytes.length;
  }
  at(i: number): number {
    return this.bytes[i] ?? 0;
  }
  protected nextQuote(from: number): number {
    return this.bytes.indexOf(QUOTE, from);
  }
}

/** Whether the body nests deeper than `limit` (MAX_JSON_DEPTH unless given). */
export function nestsTooDeep(body: string | Uint8Array, limit = MAX_JSON_DEPTH): boolean {
  return jsonDepth(body, limit) > limit;
}

/**
 * Why JSON.parse must not see `body` (too deep, or too many elements), or undefined. Both limits
 * are checked in one pass that stops at the first one exceeded.
 */
export function refuseUnparsed(body: string | Uint8Array): string | undefined {
  const shape = jsonShape(body, { depth: MAX_JSON_DEPTH, elements: MAX_JSON_ELEMENTS });
  if (shape.depth > MAX_JSON_DEPTH) return `body nests deeper than ${MAX_JSON_DEPTH} arrays/objects`;
  if (shape.elements > MAX_JSON_ELEMENTS) return `body has more than ${MAX_JSON_ELEMENTS} JSON elements`;
  return undefined;
}
