import { Parser, isCollection, parseAllDocuments, type Document } from 'yaml';
import { InputError } from './context.js';
import type { Source } from './input.js';

/**
 * One document of a YAML stream together with the exact text it came from. A document the
 * command leaves alone is written back as that text, byte for byte; only a changed one is
 * serialised again.
 */
export interface Segment {
  text: string;
  /** Where `text` starts in the source. */
  offset: number;
  doc: Document.Parsed;
  changed: boolean;
}

export function parseStream(source: Source): Segment[] {
  const docs = Array.from(parseAllDocuments(source.text) as Iterable<Document.Parsed>);
  docs.forEach((doc, index) => {
    const error = doc.errors[0];
    if (error) throw new InputError(`${source.name}: document ${index}: ${error.message.split('\n')[0]}`);
  });
  const starts = documentStarts(source.text);
  // A stream of comments only is one document without a token of its own: it stays whole.
  if (starts.length === 0 && docs.length === 1) starts.push(0);
  if (starts.length !== docs.length) throw new InputError(`${source.name}: could not split the YAML stream`);
  return docs.map((doc, index) => {
    const offset = index === 0 ? 0 : (starts[index] as number);
    return { text: source.text.slice(offset, starts[index + 1] ?? source.text.length), offset, doc, changed: false };
  });
}

/**
 * Where each document's text starts: at the first token after the previous document (and its
 * `...`), so comments between two documents travel with the next one, as the composer has it.
 */
function documentStarts(text: string): number[] {
  const starts: number[] = [];
  let start: number | undefined = 0;
  for (const token of new Parser().parse(text)) {
    if (token.type === 'doc-end') continue;
    start ??= token.offset;
    if (token.type === 'document') {
      starts.push(start);
      start = undefined;
    }
  }
  return starts;
}

/** The stream as text again: untouched documents exactly as read, changed ones re-serialised. */
export function renderStream(segments: readonly Segment[]): string {
  return segments.map(renderSegment).join('');
}

function renderSegment(segment: Segment): string {
  if (!segment.changed) return segment.text;
  const text = isCollection(segment.doc.contents) && segment.doc.contents.flow ? asJson(segment) : asYaml(segment);
  return segment.text.includes('\r\n') ? text.replace(/\r?\n/g, '\r\n') : text;
}

function asYaml({ doc, text }: Segment): string {
  return doc.toString({ lineWidth: 0, ...yamlStyle(text) });
}

/** JSON (or flow YAML) comes out as JSON, indented as it came in; whatever preceded it stays. */
function asJson({ doc, text, offset }: Segment): string {
  const start = Math.max(0, (doc.contents?.range[0] ?? offset) - offset);
  const body = text.slice(start);
  const indent = /\n([ \t]+)"/.exec(body)?.[1] ?? (body.trim().includes('\n') ? '  ' : '');
  return `${text.slice(0, start)}${JSON.stringify(doc.toJS(), null, indent)}${/\n\s*$/.test(body) ? '\n' : ''}`;
}

interface YamlStyle {
  indent: number;
  indentSeq: boolean;
  flowCollectionPadding: boolean;
}

/** The indentation the author used, read from the first nested map and the first nested list. */
function yamlStyle(text: string): YamlStyle {
  const style: Partial<Omit<YamlStyle, 'flowCollectionPadding'>> = {};
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'));
  for (let i = 0; i + 1 < lines.length && (style.indent === undefined || style.indentSeq === undefined); i++) {
    const line = lines[i] as string;
    if (!/^[\s-]*[^\s#-][^#]*:\s*(#.*)?$/.test(line)) continue;
    const keyColumn = /^[\s-]*/.exec(line)?.[0].length ?? 0;
    const next = lines[i + 1] as string;
    const childColumn = /^\s*/.exec(next)?.[0].length ?? 0;
    if (next.trimStart().startsWith('- ')) style.indentSeq ??= childColumn > keyColumn;
    else if (childColumn > keyColumn) style.indent ??= childColumn - keyColumn;
  }
  // `[a, b]` or `[ a, b ]`: as the first non-empty flow collection is written.
  const flow = /[:-]\s+[[{](?![\]}])(\s?)/.exec(text);
  return { indent: style.indent ?? 2, indentSeq: style.indentSeq ?? true, flowCollectionPadding: flow?.[1] === ' ' };
}
