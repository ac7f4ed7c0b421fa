import { createPod, ENABLED } from './injection.js';
import { assert, describePod, inNamespace, isInjected, namespace, poll, pod, type Scenario } from './context.js';
import type { ScenarioContext } from './context.js';
import type { Json } from '../kubectl.js';

/** Creates pods one after another until `until()` is true: how long until the first one matches `want`. */
async function firstPodThat(
  ctx: ScenarioContext,
  ns: string,
  prefix: string,
  want: (injected: boolean) => boolean,
): Promise<number> {
  const start = ctx.clock.now();
  let n = 0;
  return poll(ctx, `${prefix}: a pod that follows the label`, 5_000, async () => {
    const stored = await createPod(ctx, ns, pod(`${prefix}-${(n += 1)}`));
    return want(isInjected(stored)) ? ctx.clock.now() - start : undefined;
  });
}

export const labelFlip: Scenario = {
  name: 'a namespace label flipped with `kubectl label --overwrite` is followed by the next pods within 5 s',
  async run(ctx) {
    const ns = await namespace(ctx, 'e2e-flip', { 'istio-injection': 'disabled' });
    const before = await createPod(ctx, ns, pod('before'));
    assert(!isInjected(before), `disabled namespace injected: ${describePod(before)}`);
    await ctx.kubectl.ok(['label', 'namespace', ns, 'istio-injection=enabled', '--overwrite']);
    const enabledMs = await firstPodThat(ctx, ns, 'enabled', (injected) => injected);
    await ctx.kubectl.ok(['label', 'namespace', ns, 'istio-injection=disabled', '--overwrite']);
    const disabledMs = await firstPodThat(ctx, ns, 'disabled', (injected) => !injected);
    return `disabled→enabled followed after ${enabledMs} ms, enabled→disabled after ${disabledMs} ms`;
  },
};

export const outage: Scenario = {
  name: 'webhook stopped: a labelled namespace refuses pods with the failure-policy message, opt-in pods elsewhere are still created; restarted: injection resumes',
  needs: ['webhook'],
  async run(ctx) {
    const webhook = ctx.webhook!;
    const ns = await namespace(ctx, 'e2e-outage', ENABLED);
    const plain = await namespace(ctx, 'e2e-outage-plain');
    await webhook.stop();
    let refusal: string;
    try {
      const refused = await ctx.kubectl.run(['-n', ns, 'create', '-f', '-', '-o', 'json'], {
        input: JSON.stringify(pod('refused')),
      });
      refusal = refused.stderr.trim();
      assert(refused.code !== 0, `created while the webhook was down: ${refused.stdout.slice(0, 200)}`);
      assert(refusal.includes('failed calling webhook "namespace.sidecar-injector.io"'), `refused with: ${refusal}`);
      const optIn = await createPod(ctx, plain, pod('opted-in', { 'sidecar.inject': 'true' }));
      assert(!isInjected(optIn), `injected while down?: ${describePod(optIn)}`);
    } finally {
      await webhook.start();
    }
    const after = await createPod(ctx, ns, pod('after-restart'));
    assert(isInjected(after), `not injected after the restart: ${describePod(after)}`);
    return `refused: ${refusal}`;
  },
};

export const rotation: Scenario = {
  name: 'the serving certificate rotated by a ..data symlink swap while pods are being created: zero failed creations',
  needs: ['rotation'],
  async run(ctx) {
    const ns = await namespace(ctx, 'e2e-rotation', ENABLED);
    const failures: string[] = [];
    let next = 0;
    let stopAt = Number.POSITIVE_INFINITY;
    const creating = (async () => {
      while (next < stopAt) {
        const name = `during-${(next += 1)}`;
        const result = await ctx.kubectl.run(['-n', ns, 'create', '-f', '-', '-o', 'json'], {
          input: JSON.stringify(pod(name)),
        });
        if (result.code !== 0) failures.push(result.stderr.trim());
        else if (!isInjected(JSON.parse(result.stdout) as Json)) failures.push(`${name} not injected`);
      }
    })();
    let before = '';
    let served = '';
    try {
      await ctx.clock.sleep(1_500);
      const rotation = await ctx.webhook!.rotateCertificate!();
      before = rotation.before;
      served = await poll(ctx, 'the webhook serving the new certificate', 30_000, async () => {
        const now = await rotation.after();
        return now !== before ? now : undefined;
      });
    } finally {
      stopAt = next + 10; // keep creating a little after the new certificate is served
      await creating;
    }
    assert(failures.length === 0, `${failures.length} failed creations: ${failures.slice(0, 3).join(' | ')}`);
    return `${next} pods created across the swap, 0 failed; served ${before.slice(0, 16)}… → ${served.slice(0, 16)}…`;
  },
};

export const APPENDED = 'appended-by-second-webhook';
/** Asks the second webhook to put its init container in front instead (test/cluster/append-webhook.ts). */
export const INSERT_FRONT = 'e2e.sidecar-injector.io/insert-front';

export const reinvocation: Scenario = {
  name: 'a second webhook appending an init container after us (reinvocationPolicy IfNeeded): stored pod valid, order as the README says',
  needs: ['appendWebhook'],
  async run(ctx) {
    const { url, caBundle } = ctx.appendWebhook!;
    const ns = await namespace(ctx, 'e2e-reinvocation', { ...ENABLED, 'e2e-append': 'true' });
    await ctx.kubectl.submit(['apply'], appendConfiguration(url, caBundle));
    try {
      const user = pod('user');
      (user['spec'] as { initContainers?: unknown[] }).initContainers = [
        { name: 'user-init', image: 'registry.k8s.io/pause:3.10' },
      ];
      let n = 0;
      const stored = await poll(ctx, 'the second webhook taking effect', 30_000, async () => {
        const object = await ctx.kubectl.submit(
          ['create'],
          inNamespace({ ...user, metadata: { name: `user-${(n += 1)}` } }, ns),
        );
        return describePod(object).includes(APPENDED) ? object : undefined;
      });
      const init = (stored['spec'] as { initContainers: Array<{ name: string }> }).initContainers.map((c) => c.name);
      const ours = init.filter((name) => name.startsWith('sidecar-'));
      const expected = [...ours, 'user-init', APPENDED];
      assert(isInjected(stored) && ours.length > 0, `not injected: ${describePod(stored)}`);
      assert(
        JSON.stringify(init) === JSON.stringify(expected),
        `init order ${JSON.stringify(init)}, want ${JSON.stringify(expected)}`,
      );
      return `stored initContainers ${JSON.stringify(init)}`;
    } finally {
      await ctx.kubectl.run(['delete', 'mutatingwebhookconfiguration', 'zz-sidecar-injector-e2e-append']);
    }
  },
};

/** Sorted after `sidecar-injector`, so the API server calls it after our webhook. */
export function appendConfiguration(url: string, caBundle: string): Record<string, unknown> {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: 'zz-sidecar-injector-e2e-append' },
    webhooks: [
      {
        name: 'append.e2e.sidecar-injector.io',
        admissionReviewVersions: ['v1'],
        sideEffects: 'None',
        failurePolicy: 'Fail',
        reinvocationPolicy: 'IfNeeded',
        clientConfig: { url, caBundle },
        rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
        namespaceSelector: { matchLabels: { 'e2e-append': 'true' } },
      },
    ],
  };
}
