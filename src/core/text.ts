/**
 * Untrusted text made safe for a log line, a warning or a deny message.
 *
 * Pod authors and direct callers choose names, annotations and template lists; one request wrote
 * a 2 MiB log line and a 0.7 MB annotation gave a 2.45 MB deny message. Everything from them that
 * we print goes through here: bounded in length (an ellipsis marks the cut) and with every
 * character escaped that can forge or hide text where it is displayed: C0 and C1 controls and DEL
 * (terminal escapes, fake log lines), U+2028/U+2029 (line breaks to JavaScript and many viewers),
 * the bidirectional controls (text that reads differently from its bytes) and lone surrogates
 * (not valid UTF-8). Escapes are JSON's (\n, \u202e), so a quoted value that was not cut
 * parses back to the original with JSON.parse. The work is bounded by the output, not the input.
 */

/** A Kubernetes name is at most 253 characters: a valid one is always shown whole. */
export const MAX_TEXT = 256;
/** One value quoted inside a sentence (an annotation value, a template name). */
export const MAX_QUOTED = 66;
/** Items of a list shown before "… and N more". */
export const MAX_ITEMS = 5;
/** A whole deny or error message: a few sentences, each with its quoted values. */
export const MAX_MESSAGE = 1024;
/** Warnings in one answer; the API server turns each into a header line for the client. */
export const MAX_WARNINGS = 10;

const ELLIPSIS = '…';
const SHORT_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '"': '\\"', '\\': '\\\\' };
// C0, DEL, C1, Arabic letter mark, LRM/RLM, U+2028/9, embeddings and overrides, isolates.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** `value` escaped and cut to at most `max` characters (the ellipsis included). */
export function safeText(value: string, max = MAX_TEXT): string {
  return bounded(value, max, false);
}

/** `value` as a double-quoted JSON string literal of at most `max` characters, quotes included. */
export function quoted(value: string, max = MAX_QUOTED): string {
  return `"${bounded(value, Math.max(1, max - 2), true)}"`;
}

/** Distinct values, quoted, the first `maxItems` of them, then "… and N more" for the rest. */
export function quotedList(values: Iterable<string>, maxItems = MAX_ITEMS, maxItem = MAX_QUOTED): string {
  const distinct = [...new Set(values)];
  const shown = distinct.slice(0, maxItems).map((value) => quoted(value, maxItem));
  const rest = distinct.length - shown.length;
  return rest > 0 ? `${shown.join(', ')} ${ELLIPSIS} and ${rest} more` : shown.join(', ');
}

/**
 * Distinct lines, each escaped and cut to `maxLine`, at most `maxLines` of them; the last says how
 * many more there were.
 */
export function boundedLines(lines: readonly string[], maxLines = MAX_WARNINGS, maxLine = MAX_TEXT): string[] {
  const distinct = [...new Set(lines)];
  if (distinct.length <= maxLines) return distinct.map((line) => safeText(line, maxLine));
  const shown = distinct.slice(0, maxLines - 1).map((line) => safeText(line, maxLine));
  return [...shown, `${ELLIPSIS} and ${distinct.length - shown.length} more`];
}

function bounded(value: string, max: number, quoting: boolean): string {
  let out = '';
  let fitsWithEllipsis = 0;
  for (let i = 0; i < value.length; i++) {
    const piece = pieceAt(value, i, quoting);
    if (out.length + piece.length > max) return out.slice(0, fitsWithEllipsis) + ELLIPSIS;
    out += piece;
    if (isSurrogatePair(piece)) i++;
    if (out.length < max) fitsWithEllipsis = out.length;
  }
  return out;
}

/** The character at `i` as it is printed: itself, a whole surrogate pair, or an escape. */
function pieceAt(value: string, i: number, quoting: boolean): string {
  const char = value.charAt(i);
  const code = value.charCodeAt(i);
  if (code >= 0xd800 && code <= 0xdbff) {
    const next = value.charCodeAt(i + 1);
    if (next >= 0xdc00 && next <= 0xdfff) return char + value.charAt(i + 1);
    return unicodeEscape(code);
  }
  if (code >= 0xdc00 && code <= 0xdfff) return unicodeEscape(code);
  if (char === '"' || char === '\\') return quoting ? (SHORT_ESCAPES[char] ?? char) : char;
  if (!UNSAFE.test(char)) return char;
  return SHORT_ESCAPES[char] ?? unicodeEscape(code);
}

function isSurrogatePair(piece: string): boolean {
  return piece.length === 2 && piece.charCodeAt(0) >= 0xd800 && piece.charCodeAt(0) <= 0xdbff;
}

function unicodeEscape(code: number): string {
  return `\\u${code.toString(16).padStart(4, '0')}`;
}
