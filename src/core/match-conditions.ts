import { INIT_ORDER_ANNOTATION, INJECT_ANNOTATION, ISTIO_INJECT, STATUS_ANNOTATION } from './annotations.js';

export interface MatchCondition {
  name: string;
  expression: string;
}

const annotations = 'object.metadata.annotations';
const labels = 'object.metadata.labels';
const has = (key: string): string => `'${key}' in ${annotations}`;

/** The map has the key and it reads as `value`: CEL's spelling of readToggle() (normaliseToggle()). */
const says = (map: string, key: string, value: 'true' | 'false'): string =>
  `has(${map}) && '${key}' in ${map} && ${map}['${key}'].trim().lowerAscii() == '${value}'`;
const decided = (map: string, key: string): string => `(${says(map, key, 'true')} || ${says(map, key, 'false')})`;

/**
 * podToggle() in CEL: the pod's switch reads `value`. Ours first; with the alias, when ours does
 * not decide, Istio's label, then Istio's annotation.
 */
function toggleIs(value: 'true' | 'false', istioAlias: boolean): string {
  const own = says(annotations, INJECT_ANNOTATION, value);
  if (!istioAlias) return own;
  const istio = `${says(labels, ISTIO_INJECT, value)} || (!${decided(labels, ISTIO_INJECT)} && ${says(annotations, ISTIO_INJECT, value)})`;
  return `${own} || (!${decided(annotations, INJECT_ANNOTATION)} && (${istio}))`;
}

/**
 * An injected pod is sent again only when it asks for an init order: on reinvocation, another
 * webhook may have put its init containers among ours, and the core moves ours back.
 */
const notInjectedOrOrdered: MatchCondition = {
  name: 'not-injected-or-ordered',
  expression: `!has(${annotations}) || !(${has(STATUS_ANNOTATION)}) || ${has(INIT_ORDER_ANNOTATION)}`,
};

export interface MatchOptions {
  /** ISTIO_INJECT_ALIAS: Istio's sidecar.istio.io/inject counts as the pod's switch. */
  istioAlias: boolean;
}

/**
 * The CEL matchConditions of the two webhooks in manifests/ (base: the alias on;
 * components/istio-alias-off: off), from the same annotation table and precedence the decision
 * reads (tests keep the manifests equal to these and evaluate them against decide()). They only
 * keep pods the core would skip from being sent; the core still decides every pod it receives.
 */
export function matchConditions(options: MatchOptions): Readonly<Record<'namespace' | 'optIn', MatchCondition[]>> {
  return {
    // Namespaces labelled enabled: everything except pods that opted out or are already injected.
    namespace: [
      { name: 'not-opted-out', expression: `!(${toggleIs('false', options.istioAlias)})` },
      notInjectedOrOrdered,
    ],
    // Unlabelled namespaces: only pods that opted in.
    optIn: [{ name: 'opted-in', expression: toggleIs('true', options.istioAlias) }, notInjectedOrOrdered],
  };
}

/** The conditions of the default install (ISTIO_INJECT_ALIAS=true). */
export const MATCH_CONDITIONS = matchConditions({ istioAlias: true });
