import { z } from 'zod';
import { safeText } from './text.js';

/**
 * The slice of a Pod the injector reads. It is a view for decisions only, parsed in zod's strip
 * mode so only these fields are copied: the patch is always built against the object exactly as
 * received (a parse drops unknown fields, kubebuilder#510). Lists the API server omits when empty
 * may be absent or null.
 */
const named = z.object({ name: z.string() });

const ContainerView = z.object({
  name: z.string(),
  ports: z.array(z.object({ containerPort: z.number() })).nullish(),
  volumeMounts: z.array(z.object({ name: z.string(), mountPath: z.string() })).nullish(),
  // Not traversed here: a large pod's env runs to thousands of entries and is only read when a
  // template adds env of its own (see conflicts.ts).
  env: z.unknown().optional(),
});

export const PodView = z.object({
  metadata: z
    .looseObject({
      name: z.string().nullish(),
      generateName: z.string().nullish(),
      namespace: z.string().nullish(),
      annotations: z.record(z.string(), z.string()).nullish(),
      labels: z.record(z.string(), z.string()).nullish(),
    })
    .nullish(),
  spec: z.object({
    containers: z.array(ContainerView).nullish(),
    initContainers: z.array(ContainerView).nullish(),
    volumes: z.array(named).nullish(),
    hostNetwork: z.boolean().nullish(),
    os: z.object({ name: z.string().nullish() }).nullish(),
    restartPolicy: z.string().nullish(),
    serviceAccountName: z.string().nullish(),
  }),
});

export type PodView = z.infer<typeof PodView>;
export type ContainerView = z.infer<typeof ContainerView>;

export type PodReading = { ok: true; pod: PodView } | { ok: false; message: string };

/** Reads the pod slice, or says in one line which field is not what a Pod has. */
export function readPod(object: unknown): PodReading {
  const parsed = PodView.safeParse(object);
  if (parsed.success) return { ok: true, pod: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue ? issue.path.join('.') || '(root)' : '(root)';
  // The path may hold the pod's own keys (an annotation's name): bounded and escaped.
  return { ok: false, message: `${safeText(where)}: ${issue?.message ?? 'invalid'}` };
}

export function annotationsOf(pod: PodView): Record<string, string> {
  return pod.metadata?.annotations ?? {};
}

export function containersOf(pod: PodView): ContainerView[] {
  return pod.spec.containers ?? [];
}

export function initContainersOf(pod: PodView): ContainerView[] {
  return pod.spec.initContainers ?? [];
}

/** What a log line or a template calls the pod: its name, or its generateName prefix. */
export function podDisplayName(pod: PodView): string {
  return pod.metadata?.name || pod.metadata?.generateName || '';
}
