// The baseline: the minimal correct webhook on node:https. It reads the body, JSON.parses the
// review, decides (opted out? already injected?) and builds the JSON Patch ops itself, base64s
// them and JSON.stringifies the AdmissionReview, over the same certificate.
//
// What it injects is read at start from INJECTION_FILE: what the project's default template
// rendered for a sentinel pod (test/bench/injection.mjs), so the baseline follows template
// changes without code changes. Per request it rebuilds only the subtrees that hold pod values
// (name, namespace, service account, ports) and shares the constant ones, as a hand-written
// webhook holding its sidecar in module constants would. The benchmark checks that applying its
// patch gives the same pod as the project's before it measures anything.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';

const injection = JSON.parse(readFileSync(process.env.INJECTION_FILE, 'utf8'));
const VARIABLES = Object.keys(injection.sentinels);
const SENTINELS = VARIABLES.map((name) => injection.sentinels[name]);

/**
 * A builder for `value` given the pod's values. Constant subtrees are built once, here; a
 * builder's arity says whether it needs the pod's values (0: constant).
 */
function compile(value) {
  if (typeof value === 'string') {
    if (!SENTINELS.some((s) => value.includes(s))) return () => value;
    return (vars) => VARIABLES.reduce((text, name, i) => text.replaceAll(SENTINELS[i], vars[name]), value);
  }
  if (value === null || typeof value !== 'object') return () => value;
  const parts = Object.entries(value).map(([key, child]) => [key, compile(child)]);
  const dynamic = parts.some(([, build]) => build.length > 0);
  const assemble = (vars) => {
    const out = Array.isArray(value) ? [] : {};
    for (const [key, build] of parts) out[key] = build(vars);
    return out;
  };
  if (!dynamic) {
    const constant = assemble({});
    return () => constant;
  }
  return (vars) => assemble(vars);
}

const build = Object.fromEntries(
  ['containers', 'initContainersFirst', 'initContainersLast', 'volumes', 'appVolumeMounts', 'appEnv'].map((key) => [
    key,
    injection[key].map(compile),
  ]),
);
const annotations = Object.entries(injection.annotations).map(([key, value]) => [key, compile(value)]);
const all = (builders, vars) => builders.map((b) => b(vars));

/** Append to an existing array, or create it: never replace what the user wrote. */
function appendOps(path, existing, items) {
  if (items.length === 0) return [];
  if (Array.isArray(existing)) return items.map((value) => ({ op: 'add', path: `${path}/-`, value }));
  return [{ op: 'add', path, value: items }];
}

function initContainerOps(existing, vars) {
  const first = all(build.initContainersFirst, vars);
  const last = all(build.initContainersLast, vars);
  if (!Array.isArray(existing)) return appendOps('/spec/initContainers', undefined, [...first, ...last]);
  return [
    ...first.map((value, i) => ({ op: 'add', path: `/spec/initContainers/${i}`, value })),
    ...appendOps('/spec/initContainers', existing, last),
  ];
}

function ops(pod, namespace) {
  const meta = pod.metadata ?? {};
  const spec = pod.spec;
  const vars = {
    name: meta.name || meta.generateName || '',
    namespace,
    serviceAccount: spec.serviceAccountName || 'default',
    ports: [...new Set(spec.containers.flatMap((c) => (c.ports ?? []).map((p) => p.containerPort)))].join(','),
  };
  const escape = (key) => key.replaceAll('~', '~0').replaceAll('/', '~1');
  const added = annotations.map(([key, value]) => [key, value(vars)]);
  return [
    ...appendOps('/spec/containers', spec.containers, all(build.containers, vars)),
    ...initContainerOps(spec.initContainers, vars),
    ...appendOps('/spec/volumes', spec.volumes, all(build.volumes, vars)),
    ...spec.containers.flatMap((c, i) => [
      ...appendOps(`/spec/containers/${i}/volumeMounts`, c.volumeMounts, all(build.appVolumeMounts, vars)),
      ...appendOps(`/spec/containers/${i}/env`, c.env, all(build.appEnv, vars)),
    ]),
    ...(meta.annotations
      ? added.map(([key, value]) => ({ op: 'add', path: `/metadata/annotations/${escape(key)}`, value }))
      : [{ op: 'add', path: '/metadata/annotations', value: Object.fromEntries(added) }]),
  ];
}

function answer(body) {
  const review = JSON.parse(body);
  const request = review.request;
  const pod = request.object;
  const annotations = pod.metadata?.annotations ?? {};
  const response = { uid: request.uid, allowed: true };
  const optedOut = String(annotations['sidecar.inject']).trim().toLowerCase() === 'false';
  if (!optedOut && !annotations['sidecar.inject/status']) {
    response.patchType = 'JSONPatch';
    response.patch = Buffer.from(JSON.stringify(ops(pod, request.namespace))).toString('base64');
  }
  return JSON.stringify({ apiVersion: review.apiVersion, kind: 'AdmissionReview', response });
}

const server = createServer(
  { cert: readFileSync(process.env.TLS_CERT_FILE), key: readFileSync(process.env.TLS_KEY_FILE) },
  (req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST') return void res.end('ok');
      let text;
      try {
        text = answer(Buffer.concat(chunks).toString('utf8'));
      } catch (error) {
        res.writeHead(400, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ message: error.message }));
      }
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  },
);
server.keepAliveTimeout = 120_000;
process.on('SIGINT', () => process.exit(0));
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () =>
  process.stdout.write(`listening ${server.address().port}\n`),
);
