import { parse } from 'yaml';
import type { Json } from '../kubectl.js';
import {
  annotationsOf,
  assert,
  describePod,
  inNamespace,
  isInjected,
  names,
  namespace,
  pod,
  type Scenario,
  type ScenarioContext,
} from './context.js';
import { ENABLED } from './injection.js';

const ENFORCE = 'pod-security.kubernetes.io/enforce';
/** The templates that fit `restricted`, named by the pod. */
const RESTRICTED_FIT = { 'sidecar.inject/templates': 'logging,config,metrics' };

/** Creates the pod; the API server's answer: the stored object, or kubectl's error text. */
async function create(ctx: ScenarioContext, ns: string, object: Json | string): Promise<Json | string> {
  const input = typeof object === 'string' ? object : JSON.stringify(inNamespace(object, ns));
  const result = await ctx.kubectl.run(['-n', ns, 'create', '-f', '-', '-o', 'json'], { input });
  return result.code === 0 ? (JSON.parse(result.stdout) as Json) : result.stderr.trim();
}

function stored(answer: Json | string, what: string): Json {
  assert(typeof answer !== 'string', `${what} was refused: ${String(answer)}`);
  return answer;
}

/** Every sidecar container name the stored pod carries (classic or native). */
const sidecarNames = (object: Json): string[] =>
  [...names(object, 'initContainers'), ...names(object, 'containers')].filter((n) => n.startsWith('sidecar-'));

const VERSION = 'pod-security.kubernetes.io/enforce-version';
/** Where the judge sits: each level at latest, and baseline pinned to an older policy version. */
const ENFORCEMENTS: ReadonlyArray<{ ns: string; labels: Record<string, string> }> = [
  { ns: 'e2e-psa-baseline', labels: { [ENFORCE]: 'baseline' } },
  { ns: 'e2e-psa-restricted', labels: { [ENFORCE]: 'restricted' } },
  { ns: 'e2e-psa-baseline-v1-23', labels: { [ENFORCE]: 'baseline', [VERSION]: 'v1.23' } },
];

/**
 * The real API server's PodSecurity admission runs after our webhook and is the judge: in
 * namespaces enforcing baseline and restricted (and baseline pinned to v1.23 by enforce-version),
 * pods that take the default proxy are admitted uninjected (we skipped with pod_security), pods
 * naming restricted-fitting templates are admitted injected, a pod naming the proxy is refused by
 * us with our reason, and the same proxy pod injected offline is refused by PodSecurity itself
 * (so the judge is not lenient).
 */
export const podSecurity: Scenario = {
  name: 'in namespaces enforcing baseline, restricted, and baseline pinned to v1.23, PodSecurity admits every pod: the default proxy skipped, restricted-fitting templates injected',
  async run(ctx) {
    const seen: string[] = [];
    for (const { ns: name, labels } of ENFORCEMENTS) {
      const ns = await namespace(ctx, name, { ...ENABLED, ...labels });
      const plain = stored(await create(ctx, ns, pod('default-proxy')), `${ns}: a pod taking the default proxy`);
      assert(!isInjected(plain) && sidecarNames(plain).length === 0, `${ns}: injected: ${describePod(plain)}`);
      const fitting = stored(await create(ctx, ns, pod('fitting', RESTRICTED_FIT)), `${ns}: logging,config,metrics`);
      const status = annotationsOf(fitting)['sidecar.inject/status'] ?? '';
      assert(/"logging".*"metrics"/.test(status) && status.includes('"config"'), `${ns}: status ${status}`);
      const asked = await create(ctx, ns, pod('asks-proxy', { 'sidecar.inject/templates': 'proxy' }));
      assert(typeof asked === 'string', `${ns}: a pod naming the proxy was stored: ${JSON.stringify(asked)}`);
      assert(/remove proxy from sidecar.inject\/templates/.test(asked), `${ns}: not refused by us: ${asked}`);
      assert(!/violates PodSecurity/.test(asked), `${ns}: refused by PodSecurity, not by us: ${asked}`);
      if (labels[VERSION]) assert(asked.includes(`at ${labels[VERSION]}`), `${ns}: the version is not named: ${asked}`);
      seen.push(`${ns}: default pod stored with no sidecar; ${sidecarNames(fitting).join(',')} stored`);
    }
    const judged = [];
    for (const ns of ['e2e-psa-baseline', 'e2e-psa-baseline-v1-23']) judged.push(await judgeRefusesProxy(ctx, ns));
    return `${seen.join('; ')}; ${judged.join('; ')}`;
  },
};

/**
 * The proxy injected offline by the CLI (for `default`, which enforces nothing; the status
 * annotation makes our webhook skip it) and created in a baseline namespace: PodSecurity refuses it.
 */
async function judgeRefusesProxy(ctx: ScenarioContext, ns: string): Promise<string> {
  const optedIn = pod('judged', { 'sidecar.inject': 'true' });
  const injected = await ctx.cli(['inject', '-n', 'default', '-'], JSON.stringify(optedIn));
  assert(names(parse(injected) as Json, 'initContainers').includes('sidecar-init'), 'the CLI did not inject');
  const answer = await create(ctx, ns, injected);
  assert(typeof answer === 'string', `${ns}: PodSecurity admitted the proxy pod`);
  assert(/violates PodSecurity "baseline/.test(answer), `${ns}: refused, but not by PodSecurity: ${answer}`);
  const at = answer.indexOf('violates');
  return `${ns}, the proxy pod injected offline: ${answer.slice(at, at + 120)}`;
}
