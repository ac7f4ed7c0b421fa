import { z } from 'zod';
import { Parameter } from './params.js';
import { LEVELS } from './pod-security.js';

/**
 * One template file. Containers and volumes are Kubernetes objects; here only what the injector
 * itself relies on is typed, and the full Kubernetes schema is checked on a dry render.
 */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dnsLabel = z.string().max(63).regex(DNS_LABEL, 'a DNS-1123 label (lowercase letters, digits, "-")');

const ContainerSpec = z.looseObject({ name: dnsLabel, image: z.string().min(1) });
const VolumeSpec = z.looseObject({ name: dnsLabel });
const NamedEntry = z.looseObject({ name: z.string().min(1) });
const MountSpec = z.looseObject({ name: dnsLabel, mountPath: z.string().min(1) });

/** Kubernetes forbids these on init containers that run to completion. */
const INIT_ONLY_FORBIDDEN = ['livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle', 'restartPolicy'] as const;

const InitContainerSpec = ContainerSpec.superRefine((container, ctx) => {
  for (const field of INIT_ONLY_FORBIDDEN) {
    if (container[field] !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [field],
        message: `not allowed on an init container that runs to completion`,
      });
    }
  }
});

const SidecarSpec = ContainerSpec.superRefine((container, ctx) => {
  if (container['restartPolicy'] !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['restartPolicy'],
      message: 'set by the injector in native mode; leave it out',
    });
  }
});

export const TemplateFile = z.strictObject({
  name: dnsLabel,
  description: z.string().default(''),
  /** Lower runs earlier: decides the order of init containers across templates. */
  order: z.number().int().min(0).max(1000).default(100),
  /**
   * Operating systems the template's containers run on. A pod with spec.os.name: windows gets
   * sidecars only when every selected template lists windows: Kubernetes refuses Linux-only
   * settings (runAsUser, capabilities) on such a pod.
   */
  os: z
    .array(z.enum(['linux', 'windows']))
    .min(1)
    .default(['linux']),
  /** The Pod Security level the template needs; checked against its containers at load. */
  podSecurity: z.enum(LEVELS).optional(),
  parameters: z.array(Parameter).default([]),
  /** Run to completion before the app (after the user's init containers in classic mode). */
  initContainers: z.array(InitContainerSpec).default([]),
  /** Long-running containers: app containers in classic mode, native sidecars otherwise. */
  sidecars: z.array(SidecarSpec).default([]),
  volumes: z.array(VolumeSpec).default([]),
  /** Added to every app container, never replacing what the user set. */
  appContainers: z
    .strictObject({
      volumeMounts: z.array(MountSpec).default([]),
      env: z.array(NamedEntry).default([]),
    })
    .default({ volumeMounts: [], env: [] }),
});

export type TemplateFile = z.infer<typeof TemplateFile>;
