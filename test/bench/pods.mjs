// Realistic Pod CREATE reviews of a target size: two containers with probes, env, volumes and
// managedFields, as a Deployment's ReplicaSet sends them. Bigger sizes grow the way real pods
// grow: more env, more mounts, longer managedFields.

function container(name, image, port, envCount) {
  return {
    name,
    image,
    ports: [{ name: 'http', containerPort: port, protocol: 'TCP' }],
    env: Array.from({ length: envCount }, (_, i) => ({
      name: `${name.toUpperCase()}_SETTING_${i}`,
      value: `value-${i}-${'x'.repeat(24)}`,
    })),
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
    volumeMounts: [
      { name: 'config', mountPath: `/etc/${name}` },
      { name: 'kube-api-access-x7k2p', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true },
    ],
    readinessProbe: {
      httpGet: { path: '/ready', port, scheme: 'HTTP' },
      periodSeconds: 5,
      timeoutSeconds: 1,
      successThreshold: 1,
      failureThreshold: 3,
    },
    livenessProbe: {
      httpGet: { path: '/live', port, scheme: 'HTTP' },
      periodSeconds: 10,
      timeoutSeconds: 1,
      successThreshold: 1,
      failureThreshold: 3,
    },
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    imagePullPolicy: 'IfNotPresent',
  };
}

function managedFields(count) {
  return Array.from({ length: count }, (_, i) => ({
    manager: i === 0 ? 'kube-controller-manager' : `operator-${i}`,
    operation: 'Update',
    apiVersion: 'v1',
    time: '2026-11-01T10:00:00Z',
    fieldsType: 'FieldsV1',
    fieldsV1: {
      'f:metadata': { 'f:labels': { '.': {}, [`f:label-${i}`]: {} } },
      'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:env': {} } } },
    },
  }));
}

export function makePod({ envCount = 4, fields = 1, annotations = {} } = {}) {
  return {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: {
      generateName: 'web-7d4b9c8f6-',
      namespace: 'bench',
      labels: { app: 'web', 'pod-template-hash': '7d4b9c8f6' },
      annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-01T10:00:00Z', ...annotations },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: 'web-7d4b9c8f6',
          uid: '8f1c7a1e-2b4d-4c7e-9f3a-1d2e3f4a5b6c',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
      managedFields: managedFields(fields),
    },
    spec: {
      volumes: [
        { name: 'config', configMap: { name: 'web-config', defaultMode: 420 } },
        {
          name: 'kube-api-access-x7k2p',
          projected: {
            sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } }],
            defaultMode: 420,
          },
        },
      ],
      containers: [
        container('web', 'example/web:1.4.2', 8080, envCount),
        container('metrics', 'example/exporter:0.26', 9102, Math.max(1, envCount >> 2)),
      ],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'web',
      serviceAccount: 'web',
      securityContext: {},
      schedulerName: 'default-scheduler',
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
      priority: 0,
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
    },
  };
}

export function makeReview(pod, uid = '4b0e5d1c-6a7f-4e2b-9c3d-8a1b2c3d4e5f') {
  return {
    kind: 'AdmissionReview',
    apiVersion: 'admission.k8s.io/v1',
    request: {
      uid,
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      requestKind: { group: '', version: 'v1', kind: 'Pod' },
      requestResource: { group: '', version: 'v1', resource: 'pods' },
      namespace: 'bench',
      operation: 'CREATE',
      userInfo: {
        username: 'system:serviceaccount:kube-system:replicaset-controller',
        groups: ['system:serviceaccounts', 'system:authenticated'],
      },
      object: pod,
      oldObject: null,
      dryRun: false,
      options: { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1' },
    },
  };
}

/** The smallest pod shape whose review is at least `bytes` long. */
export function reviewOfSize(bytes, annotations = {}) {
  let envCount = 4;
  let fields = 1;
  for (;;) {
    const text = JSON.stringify(makeReview(makePod({ envCount, fields, annotations })));
    if (text.length >= bytes) return text;
    const grow = Math.max(1, Math.floor(((bytes - text.length) / 80) * 0.5));
    envCount += grow;
    fields += Math.max(1, grow >> 4);
  }
}

export const SIZES = [
  { name: '6KB', bytes: 6 * 1024 },
  { name: '100KB', bytes: 100 * 1024 },
  { name: '1MiB', bytes: 1024 * 1024 },
];
