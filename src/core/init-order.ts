import type { Operation } from 'fast-json-patch';
import { INIT_ORDER_ANNOTATION, normaliseToggle } from './annotations.js';
import { quoted } from './text.js';
import { injected, type Outcome } from './outcome.js';
import { readStatus, type InjectionStatus } from './status.js';

/** Where our init containers go among the pod's (sidecar.inject/init-order). */
export type InitOrder = 'first' | 'last';

export type InitOrderReading = { ok: true; order?: InitOrder } | { ok: false; message: string };

/** The pod's init order, absent when unset; any other value is refused like every override. */
export function readInitOrder(annotations: Readonly<Record<string, string>>): InitOrderReading {
  const raw = Object.hasOwn(annotations, INIT_ORDER_ANNOTATION) ? annotations[INIT_ORDER_ANNOTATION] : undefined;
  if (raw === undefined) return { ok: true };
  const value = normaliseToggle(raw);
  if (value === 'first' || value === 'last') return { ok: true, order: value };
  return {
    ok: false,
    message: `${INIT_ORDER_ANNOTATION}: invalid value ${quoted(raw)}, expected first or last`,
  };
}

/** The init containers the status annotation says we added: template inits, and native sidecars. */
function ourInitContainers(status: InjectionStatus): Set<string> {
  const parts = Object.values(status.templates);
  return new Set(parts.flatMap((t) => [...t.initContainers, ...(status.native ? t.sidecars : [])]));
}

/**
 * On reinvocation (reinvocationPolicy IfNeeded) another webhook may have added init containers
 * after ours was called: appended behind a `first` set, or put in front of a `last` one. These
 * ops move ours back, keeping their relative order. They are `move`s, never a replace of
 * spec.initContainers: the user's and the other webhook's containers stay exactly as the API
 * server holds them (every field, including ones this code does not model), and only our own
 * entries change place. Empty when ours are already where the pod asks.
 */
export function restoreOrderOps(object: unknown, status: InjectionStatus, order: InitOrder): Operation[] {
  const spec = (object as { spec?: { initContainers?: unknown } } | null)?.spec;
  if (!Array.isArray(spec?.initContainers)) return [];
  const names = spec.initContainers.map((c: unknown) => (c as { name?: unknown } | null)?.name);
  const ours = ourInitContainers(status);
  const mine = names.filter((name): name is string => typeof name === 'string' && ours.has(name));
  const start = order === 'first' ? 0 : names.length - mine.length;
  if (mine.every((name, i) => names[start + i] === name)) return [];
  const ops: Operation[] = [];
  const current = [...names];
  mine.forEach((name, i) => {
    // first: each of ours to the next front slot; last: each to the end, in turn.
    const from = current.indexOf(name);
    const to = order === 'first' ? i : current.length - 1;
    if (from === to) return;
    current.splice(to, 0, ...current.splice(from, 1));
    ops.push({ op: 'move', from: `/spec/initContainers/${from}`, path: `/spec/initContainers/${to}` });
  });
  return ops;
}

/**
 * Already ours: nothing to add. Sent again only on reinvocation of a pod that asks for an init
 * order (the CEL lets only those through): when another webhook's init containers came among
 * ours, ours move back. Undefined when there is nothing to do.
 */
export function restoredInitOrder(object: unknown, annotations: Record<string, string>): Outcome | undefined {
  const order = readInitOrder(annotations);
  const status = readStatus(annotations);
  if (!order.ok || order.order === undefined || status.kind !== 'present') return undefined;
  const ops = restoreOrderOps(object, status.status, order.order);
  if (ops.length === 0) return undefined;
  const detail = { templates: Object.keys(status.status.templates), native: status.status.native };
  return injected('init_order_restored', ops, detail);
}
