import { NAMESPACE_ENABLED, NAMESPACE_LABEL } from './annotations.js';
import { decide } from './decide.js';
import type { InjectionSettings } from './inject.js';
import { errored, type Outcome } from './outcome.js';
import { decodeReview, encodeReview } from './review.js';
import type { TemplateSet } from './templates.js';

/**
 * A fresh process answers its first review tens of milliseconds slower than the next ones: zod
 * compiles its parsers on first use and V8 compiles every function on the path lazily. Answering
 * a sample review a few times when the server starts, before it reports ready, moves that cost out
 * of the first real pods' admissions (the API server's latency right after every rollout).
 * Returns the sample's outcome, so a test can see the whole path ran.
 */
export function warmUp(templates: TemplateSet, settings: InjectionSettings, rounds = 20): Outcome {
  let outcome: Outcome = errored('internal_error', 'warm-up did not run');
  const body = JSON.stringify(SAMPLE_REVIEW);
  for (let round = 0; round < rounds; round += 1) {
    const decoded = decodeReview(body);
    if (!decoded.ok) return errored('bad_request', decoded.message);
    const labels = { [settings.namespaceLabel ?? NAMESPACE_LABEL]: NAMESPACE_ENABLED };
    const { request } = decoded;
    const namespace = request.namespace ?? '';
    outcome = decide({
      request,
      object: request.object,
      namespace,
      namespaceLabels: { known: true, labels },
      templates,
      settings,
    });
    encodeReview(decoded.apiVersion, request.uid, outcome);
  }
  return outcome;
}

const CONTAINER = {
  name: 'app',
  image: 'registry.example/app:1',
  ports: [{ containerPort: 8080, protocol: 'TCP' }],
  env: [{ name: 'MODE', value: 'warm-up' }],
  volumeMounts: [{ name: 'data', mountPath: '/data' }],
};
const POD = {
  metadata: { generateName: 'app-', labels: { app: 'app' }, annotations: { team: 'a' } },
  spec: { containers: [CONTAINER], volumes: [{ name: 'data', emptyDir: {} }], serviceAccountName: 'app' },
};
const PODS = { group: '', version: 'v1', resource: 'pods' };
const REQUEST = { uid: 'warm-up', resource: PODS, namespace: 'warm-up', operation: 'CREATE', object: POD };
const SAMPLE_REVIEW = { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: REQUEST };
