#!/usr/bin/env node
// End-to-end against a real kind cluster: build the image, install with kubectl apply -k, then
// create real pods and read back what the API server stored. Needs docker, kind and kubectl;
// where any is missing it prints one line saying so and exits 0 without claiming a pass.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;
const CLUSTER = 'sidecar-injector-e2e';
const IMAGE = 'sidecar-injector:0.1.0';
const KEEP = process.env.KEEP_CLUSTER === '1';

function missingTool() {
  for (const [tool, args] of [
    ['docker', ['info']],
    ['kind', ['version']],
    ['kubectl', ['version', '--client']],
  ]) {
    const probe = spawnSync(tool, args, { stdio: 'ignore', timeout: 20_000 });
    if (probe.error || probe.status !== 0)
      return tool === 'docker' ? 'no Docker engine is reachable (docker info failed)' : `${tool} is not installed`;
  }
  return undefined;
}

function run(cmd, args, options = {}) {
  const timeout = options.timeout ?? 300_000;
  process.stderr.write(`$ ${cmd} ${args.join(' ')}\n`);
  return execFileSync(cmd, args, {
    encoding: 'utf8',
    timeout,
    stdio: ['pipe', 'pipe', 'inherit'],
    input: options.input,
    cwd: ROOT,
  });
}

const kubectl = (...args) => run('kubectl', ['--context', `kind-${CLUSTER}`, ...args]);
const kubectlJson = (...args) => JSON.parse(kubectl(...args, '-o', 'json'));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const results = [];
async function check(name, fn) {
  try {
    await fn();
    results.push([name, 'ok']);
    process.stdout.write(`ok   ${name}\n`);
  } catch (error) {
    results.push([name, error.message]);
    process.stdout.write(`FAIL ${name}: ${error.message}\n`);
  }
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

const names = (list) => (list ?? []).map((c) => c.name);
function pod(name, annotations = {}) {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, annotations },
    spec: { containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10', ports: [{ containerPort: 8080 }] }] },
  });
}

/** Where the sidecar ended up: classic container or native init container. */
function sidecarOf(object) {
  const spec = object.spec;
  return [...(spec.containers ?? []), ...(spec.initContainers ?? [])].find((c) => c.name === 'sidecar-proxy');
}

function createPod(namespace, name, annotations) {
  kubectl('-n', namespace, 'apply', '-f', '-', { input: pod(name, annotations) });
  return kubectlJson('-n', namespace, 'get', 'pod', name);
}

async function main() {
  const missing = missingTool();
  if (missing) {
    process.stdout.write(
      `SKIP e2e: ${missing}; the kind suite needs Docker, kind and kubectl (see README "End-to-end tests")\n`,
    );
    return 0;
  }
  const existing = run('kind', ['get', 'clusters']).split('\n');
  if (!existing.includes(CLUSTER))
    run('kind', ['create', 'cluster', '--name', CLUSTER, '--config', 'kind-config.yaml', '--wait', '120s'], {
      timeout: 600_000,
    });
  try {
    run('docker', ['build', '-t', IMAGE, '.'], { timeout: 900_000 });
    run('kind', ['load', 'docker-image', IMAGE, '--name', CLUSTER]);
    const work = mkdtempSync(join(tmpdir(), 'sidecar-injector-e2e-'));
    for (const folder of ['manifests', 'templates'])
      cpSync(join(ROOT, folder), join(work, folder), { recursive: true });
    cpSync(join(ROOT, 'certs/kustomization.yaml'), join(work, 'certs/kustomization.yaml'));
    run('node', ['dist/cli/main.js', 'certs', '--out', join(work, 'certs')]);
    kubectl('apply', '-k', join(work, 'manifests'));
    kubectl('-n', 'sidecar-injector', 'rollout', 'status', 'deployment/sidecar-injector', '--timeout=180s');
    for (const [ns, labels] of [
      ['e2e-enabled', { 'istio-injection': 'enabled' }],
      ['e2e-plain', {}],
    ]) {
      // apply, not create: KEEP_CLUSTER=1 reruns against the same cluster.
      kubectl('apply', '-f', '-', {
        input: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels } }),
      });
      kubectl('-n', ns, 'delete', 'pods,deployments', '--all', '--wait=true');
    }

    await check('a labelled namespace gets the sidecar and its init container', () => {
      const created = createPod('e2e-enabled', 'injected');
      assert(sidecarOf(created), `no sidecar-proxy in ${JSON.stringify(names(created.spec.containers))}`);
      assert(names(created.spec.initContainers).includes('sidecar-init'), 'no sidecar-init');
      assert(created.metadata.annotations['sidecar.inject/status'], 'no status annotation');
    });
    await check('on Kubernetes 1.33 NATIVE_SIDECARS=auto makes the proxy a native sidecar', () => {
      const created = kubectlJson('-n', 'e2e-enabled', 'get', 'pod', 'injected');
      const proxy = (created.spec.initContainers ?? []).find((c) => c.name === 'sidecar-proxy');
      assert(
        proxy?.restartPolicy === 'Always',
        `initContainers: ${JSON.stringify(names(created.spec.initContainers))}`,
      );
    });
    await check('the opt-out annotation gets no sidecar', () => {
      const created = createPod('e2e-enabled', 'opted-out', { 'sidecar.inject': 'false' });
      assert(!sidecarOf(created), 'sidecar injected despite sidecar.inject: "false"');
    });
    await check('an unlabelled namespace gets no sidecar', () => {
      assert(!sidecarOf(createPod('e2e-plain', 'plain')), 'sidecar injected in an unlabelled namespace');
    });
    await check('an unlabelled namespace injects a pod that opts in', () => {
      assert(sidecarOf(createPod('e2e-plain', 'opted-in', { 'sidecar.inject': 'true' })), 'opt-in pod not injected');
    });
    await check("a Deployment's generateName pods are injected", async () => {
      kubectl('-n', 'e2e-enabled', 'create', 'deployment', 'web', '--image=registry.k8s.io/pause:3.10', '--replicas=2');
      for (let i = 0; i < 60; i += 1) {
        const pods = kubectlJson('-n', 'e2e-enabled', 'get', 'pods', '-l', 'app=web').items;
        if (pods.length === 2) {
          assert(
            pods.every((p) => sidecarOf(p)),
            'a Deployment pod has no sidecar',
          );
          return;
        }
        await sleep(2000);
      }
      throw new Error('Deployment pods never appeared');
    });
    await check('kubectl apply --dry-run=server works and shows the injection', () => {
      const out = JSON.parse(
        kubectl('-n', 'e2e-enabled', 'apply', '--dry-run=server', '-o', 'json', '-f', '-', { input: pod('dry-run') }),
      );
      assert(sidecarOf(out), 'dry run not injected');
    });
    await check("deleting the injector's own pods does not block their restart", async () => {
      kubectl(
        '-n',
        'sidecar-injector',
        'delete',
        'pods',
        '-l',
        'app.kubernetes.io/name=sidecar-injector',
        '--wait=false',
      );
      await sleep(2000);
      kubectl('-n', 'sidecar-injector', 'rollout', 'status', 'deployment/sidecar-injector', '--timeout=180s');
      kubectl(
        '-n',
        'sidecar-injector',
        'wait',
        '--for=condition=Ready',
        'pods',
        '-l',
        'app.kubernetes.io/name=sidecar-injector',
        '--timeout=180s',
      );
      assert(sidecarOf(createPod('e2e-enabled', 'after-restart')), 'not injected after the injector restarted');
    });
  } finally {
    if (!KEEP) run('kind', ['delete', 'cluster', '--name', CLUSTER]);
  }
  const failed = results.filter(([, outcome]) => outcome !== 'ok');
  process.stdout.write(`\n${results.length - failed.length}/${results.length} e2e checks passed\n`);
  return failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`e2e: ${error.message}\n`);
    process.exit(1);
  },
);
