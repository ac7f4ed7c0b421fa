import type { NamespaceLabels } from '../core/decide.js';

export interface ServerVersion {
  major: number;
  minor: number;
  gitVersion: string;
}

/** Where namespace labels come from: a file (no cluster) or the cluster's informer cache. */
export interface NamespaceSource {
  readonly kind: 'file' | 'cluster';
  /** Resolves once the source has tried to sync; `ready()` says whether it did. */
  start(): Promise<void>;
  ready(): boolean;
  labelsOf(namespace: string): Promise<NamespaceLabels>;
  /** The cluster's version, for NATIVE_SIDECARS=auto; absent without a cluster. */
  serverVersion?(): Promise<ServerVersion>;
  stop(): void;
}

/** Native sidecars (init containers with restartPolicy Always) are on by default from 1.29. */
export function supportsNativeSidecars(version: ServerVersion | undefined): boolean {
  return version !== undefined && (version.major > 1 || (version.major === 1 && version.minor >= 29));
}
