import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { makePod, type Json } from '../helpers/pods.js';
import { COMMON, LABELS, cli } from './run-cli.js';

/** The CLI beside other injectors (issue 14 items 1 and 8), run as users run it. */
const offline: NodeJS.ProcessEnv = { ...process.env, KUBECONFIG: '/nonexistent/kubeconfig', HOME: '/nonexistent' };

function podWith(container: Json, annotations: Record<string, string> = {}): string {
  const pod = makePod({ annotations });
  (pod['spec'] as { containers: Json[] }).containers.push(container);
  return stringify(pod);
}

describe('inject and explain skip pods another mesh injected', () => {
  it('passes an Istio-injected pod through byte-identical and warns on stderr naming Istio', async () => {
    const input = podWith(
      { name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.24.2' },
      {
        'sidecar.istio.io/status': '{"containers":["istio-proxy"]}',
      },
    );
    const result = await cli(['inject', '-', ...COMMON], input);
    expect(result).toMatchObject({ status: 0, stdout: input });
    expect(result.stderr).toBe(
      'Warning: <stdin>: document 0: Pod/app: foreign sidecar: already injected by Istio (annotation sidecar.istio.io/status)\n',
    );
  });

  it('explains a Linkerd-injected pod as foreign_sidecar with the warning under it', async () => {
    const input = podWith({ name: 'linkerd-proxy', image: 'cr.l5d.io/linkerd/proxy:stable-2.14.10' });
    const result = await cli(['explain', '-f', '-', ...COMMON], input);
    expect(result).toMatchObject({ status: 0, stderr: '' });
    expect(result.stdout).toBe(
      "Pod/app skip foreign_sidecar -\n  warning: foreign sidecar: Linkerd's container linkerd-proxy is already in the pod\n",
    );
  });
});

describe('native sidecars by default where no cluster can be asked', () => {
  const job = stringify({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'once', namespace: 'demo' },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'task', image: 'busybox:1.36' }] } } },
  });

  it('injects a Job with native sidecars when --native is left at auto and there is no kubeconfig', async () => {
    const result = await cli(['inject', '-', '--namespace-labels', LABELS], job, offline);
    expect(result).toMatchObject({ status: 0, stderr: '' });
    const spec = (parse(result.stdout) as { spec: { template: { spec: Json } } }).spec.template.spec;
    const init = spec['initContainers'] as { name: string; restartPolicy?: string }[];
    expect(init.find((c) => c.name === 'sidecar-proxy')?.restartPolicy).toBe('Always');
    expect((spec['containers'] as { name: string }[]).map((c) => c.name)).toEqual(['task']);
  });

  it('warns that the Job will not complete when classic sidecars are asked for', async () => {
    const result = await cli(['inject', '-', '--namespace-labels', LABELS, '--native', 'false'], job, offline);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe(
      'Warning: <stdin>: document 0: Job/once: classic sidecars keep a restartPolicy Never pod (a Job\'s) from completing; set sidecar.inject/native: "true"\n',
    );
  });
});

describe("Istio's switch and the namespace label key on the command line", () => {
  const labels = join(mkdtempSync(join(tmpdir(), 'labels-')), 'labels.yaml');
  writeFileSync(labels, 'demo: {example.com/sidecar-injection: enabled}\nistio: {istio-injection: enabled}\n');
  const explain = (input: string, ...flags: string[]) =>
    cli(['explain', '-f', '-', '--namespace-labels', labels, '--native', 'true', ...flags], input);

  it('reads the key --namespace-label names, and only that key', async () => {
    const pod = stringify(makePod());
    const flag = ['--namespace-label', 'example.com/sidecar-injection'];
    expect((await explain(pod, ...flag)).stdout).toBe('Pod/app inject namespace_enabled proxy\n');
    const inIstio = stringify(makePod({ metadata: { namespace: 'istio' } }));
    expect((await explain(inIstio, ...flag)).stdout).toMatch(/^Pod\/app skip namespace_not_enabled -/);
  });

  it('honours sidecar.istio.io/inject: "false", unless --istio-alias false', async () => {
    const pod = stringify(
      makePod({ metadata: { namespace: 'istio' }, annotations: { 'sidecar.istio.io/inject': 'false' } }),
    );
    expect((await explain(pod)).stdout).toBe('Pod/app skip pod_opted_out -\n');
    expect((await explain(pod, '--istio-alias', 'false')).stdout).toBe('Pod/app inject namespace_enabled proxy\n');
  });

  it('refuses a namespace label key that is not a label key, naming the flag', async () => {
    const result = await explain(stringify(makePod()), '--namespace-label', 'not a key');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--namespace-label: a label key/);
  });
});
