import { createAdmissionHandler, type HandlerParts } from '../admission/handler.js';
import { injectionSettings, type Config } from '../config.js';
import { bodyBudget } from '../http/body-budget.js';
import { collectWhenIdle, type IdleCollection } from '../http/idle-collection.js';
import type { MutateParts } from '../http/mutate.js';
import type { NativeSidecars } from '../kube/cluster-facts.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { observeRequests } from '../observe.js';

/** The handler's sources, and the cluster fact its settings need. */
type Sources = Omit<HandlerParts, 'settings'> & { native: NativeSidecars };

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
