import { z } from 'zod';
import { STATUS_ANNOTATION } from './annotations.js';

/**
 * The status annotation the injector writes on every pod it changes: per template, the names of
 * everything it added. `uninject` removes exactly these; nothing else is ever taken out.
 */
const Names = z.array(z.string()).default([]);

export const TemplateStatus = z.object({
  initContainers: Names,
  sidecars: Names,
  volumes: Names,
  appVolumeMounts: Names,
  appEnv: Names,
  /** Content hash of the template when it was injected (absent before hashes were recorded). */
  hash: z.string().optional(),
  images: z.array(z.string()).optional(),
});

export const InjectionStatus = z.object({
  version: z.literal(1),
  native: z.boolean(),
  templates: z.record(z.string(), TemplateStatus),
});

export type TemplateStatus = z.infer<typeof TemplateStatus>;
export type InjectionStatus = z.infer<typeof InjectionStatus>;

export type StatusReading =
  { kind: 'absent' } | { kind: 'invalid'; message: string } | { kind: 'present'; status: InjectionStatus };

export function readStatus(annotations: Readonly<Record<string, string>>): StatusReading {
  const raw = annotations[STATUS_ANNOTATION];
  if (raw === undefined) return { kind: 'absent' };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { kind: 'invalid', message: `${STATUS_ANNOTATION} is not JSON` };
  }
  const parsed = InjectionStatus.safeParse(json);
  if (!parsed.success) {
    return { kind: 'invalid', message: `${STATUS_ANNOTATION}: ${parsed.error.issues[0]?.message ?? 'unreadable'}` };
  }
  return { kind: 'present', status: parsed.data };
}
