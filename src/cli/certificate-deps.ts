import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../log.js';
import type { ReloadEvent } from '../watch.js';

/** What either certificate source needs from serve: its own file, so the lazily loaded self-managed source does not import its loader. */
export interface CertificateDeps {
  report: (event: ReloadEvent) => void;
  log: Logger;
  kubeConfig: () => Promise<KubeConfig | undefined>;
}
