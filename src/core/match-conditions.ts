import { INJECT_ANNOTATION, STATUS_ANNOTATION } from './annotations.js';

export interface MatchCondition {
  name: string;
  expression: string;
}

const annotations = 'object.metadata.annotations';
const has = (key: string): string => `'${key}' in ${annotations}`;
/** CEL spelling of normaliseToggle(). */
const toggle = (key: string): string => `${annotations}['${key}'].trim().lowerAscii()`;

const notInjectedYet: MatchCondition = {
  name: 'not-injected-yet',
  expression: `!has(${annotations}) || !(${has(STATUS_ANNOTATION)})`,
};

/**
 * The CEL matchConditions of the two webhooks in manifests/base/webhook.yaml, from the same
 * annotation table the decision reads (a test keeps the manifest equal to these). They only keep
 * pods the core would skip from being sent; the core still decides every pod it receives.
 */
export const MATCH_CONDITIONS: Readonly<Record<'namespace' | 'optIn', readonly MatchCondition[]>> = {
  // Namespaces labelled enabled: everything except pods that opted out or are already injected.
  namespace: [
    {
      name: 'not-opted-out',
      expression: `!has(${annotations}) || !(${has(INJECT_ANNOTATION)}) || ${toggle(INJECT_ANNOTATION)} != 'false'`,
    },
    notInjectedYet,
  ],
  // Unlabelled namespaces: only pods that opted in.
  optIn: [
    {
      name: 'opted-in',
      expression: `has(${annotations}) && ${has(INJECT_ANNOTATION)} && ${toggle(INJECT_ANNOTATION)} == 'true'`,
    },
    notInjectedYet,
  ],
};
