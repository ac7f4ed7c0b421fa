import { createHash } from 'node:crypto';
import type { Parameter } from './params.js';
import type { PartsTree } from './template-checks.js';

/** What of a template its hash covers (templates.ts passes its Template; no import back to it). */
interface HashedTemplate {
  name: string;
  order: number;
  parameters: readonly Parameter[];
  parts: PartsTree;
}

/**
 * A short content hash of a template: what it adds and how it is parameterised, so a pod's
 * status annotation can say which version of each template it got. Keys are sorted first, so
 * reformatting the template file does not change the hash; changing what it renders does.
 */
export function templateHash(template: HashedTemplate): string {
  const content = canonical({
    name: template.name,
    order: template.order,
    parameters: template.parameters,
    parts: template.parts,
  });
  return createHash('sha256').update(content).digest('hex').slice(0, 12);
}

/** The images a template runs, in the order it declares them. */
export function templateImages(template: Pick<HashedTemplate, 'parts'>): string[] {
  const containers = [...template.parts.initContainers, ...template.parts.sidecars];
  return containers.flatMap((c) => {
    const image = (c as { image?: unknown } | null)?.image;
    return typeof image === 'string' ? [image] : [];
  });
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
