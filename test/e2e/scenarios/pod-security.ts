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

/**
 * The real API server's PodSecurity admission runs after our webhook and is the judge: in
 * namespaces enforcing baseline and restricted, pods that take the default proxy are admitted
 * uninjected (we skipped with pod_security), pods naming restricted-fitting templates are admitted
 * injected, a pod naming the proxy is refused by us with our reason, and the same proxy pod
 * injected offline is refused by PodSecurity itself (so the judge is not lenient).
 */
export const podSecurity: Scenario = {
  name: 'in namespaces enforcing baseline and restricted, PodSecurity admits every pod: the default proxy skipped, restricted-fitting templates injected',
  async run(ctx) {
    const seen: string[] = [];
    for (const level of ['baseline', 'restricted']) {
      const ns = await namespace(ctx, `e2e-psa-${level}`, { ...ENABLED, [ENFORCE]: level });
      const plain = stored(await create(ctx, ns, pod('default-proxy')), `${level}: a pod taking the default proxy`);
      assert(!isInjected(plain) && sidecarNames(plain).length === 0, `${level}: injected: ${describePod(plain)}`);
      const fitting = stored(await create(ctx, ns, pod('fitting', RESTRICTED_FIT)), `${level}: logging,config,metrics`);
      const status = annotationsOf(fitting)['sidecar.inject/status'] ?? '';
      assert(/"logging".*"metrics"/.test(status) && status.includes('"config"'), `${level}: status ${status}`);
      const asked = await create(ctx, ns, pod('asks-proxy', { 'sidecar.inject/templates': 'proxy' }));
      assert(typeof asked === 'string', `${level}: a pod naming the proxy was stored: ${JSON.stringify(asked)}`);
      assert(/remove proxy from sidecar.inject\/templates/.test(asked), `${level}: not refused by us: ${asked}`);
      assert(!/violates PodSecurity/.test(asked), `${level}: refused by PodSecurity, not by us: ${asked}`);
      seen.push(`${level}: default pod stored with no sidecar; ${sidecarNames(fitting).join(',')} stored`);
    }
    return `${seen.join('; ')}; ${await judgeRefusesProxy(ctx)}`;
  },
};

/**
 * The proxy injected offline by the CLI (for `default`, which enforces nothing; the status
 * annotation makes our webhook skip it) and created in the baseline namespace: PodSecurity refuses it.
 */
async function judgeRefusesProxy(ctx: ScenarioContext): Promise<string> {
  const optedIn = pod('judged', { 'sidecar.inject': 'true' });
  const injected = await ctx.cli(['inject', '-n', 'default', '-'], JSON.stringify(optedIn));
  assert(names(parse(injected) as Json, 'initContainers').includes('sidecar-init'), 'the CLI did not inject');
  const answer = await create(ctx, 'e2e-psa-baseline', injected);
  assert(typeof answer === 'string', 'PodSecurity baseline admitted the proxy pod');
  assert(/violates PodSecurity "baseline/.test(answer), `refused, but not by PodSecurity: ${answer}`);
  const at = answer.indexOf('violates');
  return `the proxy pod injected offline: ${answer.slice(at, at + 200)}`;
}
