// The baseline: the minimal correct webhook on node:https. It reads the body, JSON.parses the
// review, builds by hand the ops the default `proxy` template produces (classic mode), base64s
// them and JSON.stringifies the AdmissionReview, over the same certificate. The benchmark checks
// that its patch equals the project's before it measures anything.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';

const INIT_SCRIPT = `set -e
iptables -t nat -N SIDECAR_INBOUND
iptables -t nat -A SIDECAR_INBOUND -p tcp --dport 15090 -j RETURN
iptables -t nat -A SIDECAR_INBOUND -p tcp -j REDIRECT --to-ports 15006
iptables -t nat -A PREROUTING -p tcp -j SIDECAR_INBOUND
iptables -t nat -N SIDECAR_OUTBOUND
iptables -t nat -A SIDECAR_OUTBOUND -m owner --uid-owner 1337 -j RETURN
iptables -t nat -A SIDECAR_OUTBOUND -d 127.0.0.1/32 -j RETURN
iptables -t nat -A SIDECAR_OUTBOUND -p tcp -j REDIRECT --to-ports 15001
iptables -t nat -A OUTPUT -p tcp -j SIDECAR_OUTBOUND
`;

const STATUS = JSON.stringify({
  version: 1,
  native: false,
  templates: {
    proxy: {
      initContainers: ['sidecar-init'],
      sidecars: ['sidecar-proxy'],
      volumes: ['sidecar-envoy-config'],
      appVolumeMounts: [],
      appEnv: [],
    },
  },
});

function proxy(name, namespace, serviceAccount, ports) {
  return {
    name: 'sidecar-proxy',
    image: 'docker.io/envoyproxy/envoy:v1.32.3',
    args: ['-c', '/etc/envoy/envoy.yaml', '--service-node', name, '--service-cluster', namespace],
    env: [
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'SERVICE_ACCOUNT', value: serviceAccount },
      { name: 'APP_PORTS', value: ports },
    ],
    ports: [
      { name: 'proxy-outbound', containerPort: 15001, protocol: 'TCP' },
      { name: 'proxy-inbound', containerPort: 15006, protocol: 'TCP' },
      { name: 'http-envoy-prom', containerPort: 15090, protocol: 'TCP' },
    ],
    readinessProbe: { tcpSocket: { port: 15006 }, periodSeconds: 5 },
    startupProbe: { tcpSocket: { port: 15006 }, periodSeconds: 1, failureThreshold: 60 },
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
    securityContext: {
      privileged: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: 1337,
      runAsGroup: 1337,
      capabilities: { drop: ['ALL'] },
    },
    volumeMounts: [{ name: 'sidecar-envoy-config', mountPath: '/etc/envoy', readOnly: true }],
  };
}

const INIT = {
  name: 'sidecar-init',
  image: 'docker.io/istio/proxyv2:1.24.2',
  command: ['sh', '-c'],
  args: [INIT_SCRIPT],
  resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '64Mi' } },
  securityContext: {
    privileged: false,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: false,
    runAsUser: 0,
    capabilities: { drop: ['ALL'], add: ['NET_ADMIN', 'NET_RAW'] },
  },
};

function ops(pod, namespace) {
  const meta = pod.metadata ?? {};
  const spec = pod.spec;
  const ports = [...new Set(spec.containers.flatMap((c) => (c.ports ?? []).map((p) => p.containerPort)))].join(',');
  const name = meta.name || meta.generateName || '';
  const out = [
    {
      op: 'add',
      path: '/spec/containers/-',
      value: proxy(name, namespace, spec.serviceAccountName || 'default', ports),
    },
  ];
  out.push(
    Array.isArray(spec.initContainers)
      ? { op: 'add', path: '/spec/initContainers/-', value: INIT }
      : { op: 'add', path: '/spec/initContainers', value: [INIT] },
  );
  const volume = { name: 'sidecar-envoy-config', configMap: { name: 'sidecar-envoy-config', optional: true } };
  out.push(
    Array.isArray(spec.volumes)
      ? { op: 'add', path: '/spec/volumes/-', value: volume }
      : { op: 'add', path: '/spec/volumes', value: [volume] },
  );
  out.push(
    meta.annotations
      ? { op: 'add', path: '/metadata/annotations/sidecar.inject~1status', value: STATUS }
      : { op: 'add', path: '/metadata/annotations', value: { 'sidecar.inject/status': STATUS } },
  );
  return out;
}

function answer(body) {
  const review = JSON.parse(body);
  const request = review.request;
  const pod = request.object;
  const annotations = pod.metadata?.annotations ?? {};
  const response = { uid: request.uid, allowed: true };
  if (String(annotations['sidecar.inject']).toLowerCase() !== 'false' && !annotations['sidecar.inject/status']) {
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
server.listen(Number(process.env.PORT ?? 0), () => process.stdout.write(`listening ${server.address().port}\n`));
