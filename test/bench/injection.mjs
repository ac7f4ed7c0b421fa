// What the project's default template injects, read from the project itself: a review of a
// sentinel pod (whose name, namespace, service account and port are marker values) is posted to
// the running server, its patch applied, and what was added written down with the markers left
// in. The baseline and the Go peer inject that, substituting each pod's own values for the
// markers, so they track template changes; `samePod` then checks, per benchmark case, that their
// answers produce the project's pod, or the comparison would mean nothing.
import { isDeepStrictEqual } from 'node:util';
import fastJsonPatch from 'fast-json-patch';

export const SENTINELS = {
  name: 'zq-sentinel-name',
  namespace: 'zq-sentinel-ns',
  serviceAccount: 'zq-sentinel-sa',
  ports: '65431',
};
export const SENTINEL_LABELS = `${SENTINELS.namespace}: {istio-injection: enabled}\n`;

function sentinelReview() {
  const app = {
    name: 'app',
    image: 'example/app:1',
    ports: [{ containerPort: Number(SENTINELS.ports), protocol: 'TCP' }],
    env: [{ name: 'APP', value: '1' }],
    volumeMounts: [{ name: 'data', mountPath: '/data' }],
  };
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: SENTINELS.name, namespace: SENTINELS.namespace, annotations: { keep: 'me' } },
    spec: {
      serviceAccountName: SENTINELS.serviceAccount,
      initContainers: [{ name: 'app-init', image: 'example/init:1' }],
      containers: [app],
      volumes: [{ name: 'data', emptyDir: {} }],
    },
  };
  const request = {
    uid: '00000000-0000-4000-8000-00000000beef',
    kind: { group: '', version: 'v1', kind: 'Pod' },
    resource: { group: '', version: 'v1', resource: 'pods' },
    namespace: SENTINELS.namespace,
    operation: 'CREATE',
    userInfo: { username: 'bench' },
    object: pod,
  };
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request };
}

/** The pod after a /mutate answer's patch, or the pod unchanged when the answer has none. */
export function patchedPod(reviewText, answerText) {
  const pod = JSON.parse(reviewText).request.object;
  const response = JSON.parse(answerText).response;
  if (!response?.allowed) throw new Error(`not allowed: ${answerText.slice(0, 300)}`);
  if (!response.patch) return pod;
  const patch = JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8'));
  return fastJsonPatch.applyPatch(pod, patch, true, true).newDocument;
}

/** What the project adds to the sentinel pod, markers included. */
export async function referenceInjection(postReview) {
  const review = JSON.stringify(sentinelReview());
  const before = JSON.parse(review).request.object;
  const after = patchedPod(review, await postReview(review));
  const [app] = after.spec.containers;
  const appInit = after.spec.initContainers.findIndex((c) => c.name === 'app-init');
  const annotations = Object.fromEntries(
    Object.entries(after.metadata.annotations).filter(([key, value]) => before.metadata.annotations[key] !== value),
  );
  if (Object.keys(annotations).length === 0) {
    throw new Error(`the project did not inject the sentinel pod: check ${SENTINELS.namespace}'s labels`);
  }
  return {
    sentinels: SENTINELS,
    containers: after.spec.containers.slice(1),
    initContainersFirst: after.spec.initContainers.slice(0, appInit),
    initContainersLast: after.spec.initContainers.slice(appInit + 1),
    volumes: after.spec.volumes.slice(1),
    appVolumeMounts: app.volumeMounts.slice(1),
    appEnv: app.env.slice(1),
    annotations,
  };
}

/** The parts of a pod an injector owns; Go's re-encoding may add empty fields elsewhere. */
function injectedParts(pod) {
  return {
    containers: pod.spec.containers,
    initContainers: pod.spec.initContainers ?? [],
    volumes: pod.spec.volumes ?? [],
    annotations: pod.metadata.annotations ?? {},
  };
}

/** Undefined when both answers give the same pod, else where they differ. */
export function podDifference(reviewText, expectedAnswer, actualAnswer) {
  const expected = injectedParts(patchedPod(reviewText, expectedAnswer));
  const actual = injectedParts(patchedPod(reviewText, actualAnswer));
  for (const key of Object.keys(expected)) {
    if (!isDeepStrictEqual(expected[key], actual[key])) {
      return `${key}: expected ${JSON.stringify(expected[key]).slice(0, 400)}\n  got ${JSON.stringify(actual[key]).slice(0, 400)}`;
    }
  }
  return undefined;
}
