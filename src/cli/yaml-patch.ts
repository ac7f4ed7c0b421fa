import type { Operation } from 'fast-json-patch';
import { isSeq, type Document } from 'yaml';

/**
 * Applies the injector's JSON Patch (`add` ops, and `remove` for uninject) to a YAML document in
 * place, so comments and formatting outside the changed nodes survive. `base` is where the pod
 * sits in the document.
 */
export function applyToDocument(doc: Document, base: readonly (string | number)[], ops: readonly Operation[]): void {
  for (const op of ops) {
    const segments = op.path.split('/').slice(1).map(unescape);
    const last = segments.pop() as string;
    const parent = [...base, ...segments.map((s) => (/^\d+$/.test(s) ? Number(s) : s))];
    const container = doc.getIn(parent, true);
    if (op.op === 'remove') {
      doc.deleteIn([...parent, isSeq(container) ? Number(last) : last]);
      continue;
    }
    if (op.op !== 'add') throw new Error(`unsupported patch op ${op.op}`);
    const value = doc.createNode(op.value);
    if (isSeq(container)) {
      if (last === '-') container.items.push(value);
      else container.items.splice(Number(last), 0, value);
    } else {
      doc.setIn([...parent, last], value);
    }
  }
}

function unescape(segment: string): string {
  return segment.replaceAll('~1', '/').replaceAll('~0', '~');
}
