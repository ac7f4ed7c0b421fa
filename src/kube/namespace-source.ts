import type { NamespaceLabels } from '../core/decide.js';

/** Where namespace labels come from: a file (no cluster) or the cluster's informer cache. */
export interface NamespaceSource {
  readonly kind: 'file' | 'cluster';
  /** Resolves once the source has tried to sync; `ready()` says whether it did. */
  start(): Promise<void>;
  ready(): boolean;
  labelsOf(namespace: string): Promise<NamespaceLabels>;
  stop(): void;
}
