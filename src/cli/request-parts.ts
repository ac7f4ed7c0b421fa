import { createAdmissionHandler } from '../admission/handler.js';
import { injectionSettings, type Config } from '../config.js';
import type { NamespaceLabels } from '../core/decide.js';
import type { TemplateSet } from '../core/templates.js';
import { bodyBudget } from '../http/body-budget.js';
import { collectWhenIdle, type IdleCollection } from '../http/idle-collection.js';
import type { MutateParts } from '../http/mutate.js';
import type { NativeSidecars } from '../kube/cluster-facts.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { observeRequests } from '../observe.js';

interface Sources {
  namespaces: { labelsOf(namespace: string): Promise<NamespaceLabels> };
  templates: { current(): TemplateSet };
  native: NativeSidecars;
}

/** What every admission request goes through: the handler, its log line and metrics, the idle collection and the parse budget. */
export function requestParts(
  config: Config,
  log: Logger,
  metrics: Metrics,
  sources: Sources,
): MutateParts & { idle: IdleCollection } {
  return {
    handler: createAdmissionHandler({ ...sources, settings: injectionSettings(config, sources.native) }),
    observe: observeRequests(log, metrics),
    idle: collectWhenIdle({ onCollected: (...sizes) => log.debug({ heapBytes: sizes }, 'idle: heap collected') }),
    parsing: bodyBudget(config.PARSE_BUDGET_MIB * 1024 * 1024),
  };
}
