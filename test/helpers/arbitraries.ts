import fc from 'fast-check';
import {
  MIRROR_ANNOTATION,
  NATIVE_ANNOTATION,
  STATUS_ANNOTATION,
  TEMPLATES_ANNOTATION,
} from '../../src/core/annotations.js';
import type { Parameter } from '../../src/core/params.js';
import type { TemplateSet } from '../../src/core/templates.js';
import { makePod, type Json } from './pods.js';

/** Text a hostile pod author would try: controls, bidi, separators, quotes, template syntax. */
export const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('', ' ', ',', '{{ pod.name }}', '$(X)', '\u202e1', '1Ei', '1e400', 'NaN', '-1', '0'),
);

/** Values of a parameter's type, mostly well-formed and often within bounds, sometimes not. */
export function parameterValues(param: Parameter): fc.Arbitrary<string> {
  const digits = fc.oneof(fc.nat({ max: 9 }), fc.nat({ max: 5000 })).map(String);
  const typed = {
    quantity: fc
      .tuple(
        digits,
        fc.constantFrom('', '.5', '.0000000001'),
        fc.constantFrom('', 'm', 'Mi', 'Gi', 'k', 'Ei', 'e2', 'e-3'),
      )
      .map((parts) => parts.join('')),
    duration: fc.tuple(digits, fc.constantFrom('s', 'm', 'h', 'd', '')).map((parts) => parts.join('')),
    path: fc
      .array(fc.constantFrom('var', 'log', 'app', '..', '.', 'a-b', 'x_y', ''), { minLength: 1, maxLength: 4 })
      .map((segments) => `/${segments.join('/')}${segments.length % 2 ? '/' : ''}`),
    url: fc.webUrl({ withQueryParameters: true, withFragments: true }),
    integer: fc.integer({ min: -10, max: 100_000 }).map(String),
    hostname: fc.domain(),
    'secret-path': fc
      .array(fc.constantFrom('secret', 'data', 'web', '..', '.', 'a_b', ''), { minLength: 1, maxLength: 4 })
      .map((segments) => segments.join('/')),
    'port-list': fc
      .array(fc.integer({ min: -1, max: 70_000 }).map(String), { maxLength: 40 })
      .map((ports) => ports.join(',')),
    'cidr-list': fc
      .array(
        fc.oneof(
          fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 40 })).map(([ip, prefix]) => `${ip}/${prefix}`),
          fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 140 })).map(([ip, prefix]) => `${ip}/${prefix}`),
        ),
        { maxLength: 40 },
      )
      .map((cidrs) => cidrs.join(',')),
    name: fc.stringMatching(/^[A-Za-z0-9_.-]{0,130}$/),
    choice: fc.constantFrom(...(param.choices ?? []), 'other'),
  }[param.type];
  return fc.oneof(
    { weight: 4, arbitrary: typed },
    { weight: 1, arbitrary: fc.constant(String(param.default ?? param.example)) },
    hostileString,
  );
}

/** Every parameter a pod sets through one annotation of its own (maps and namespace-only ones excluded). */
export function annotatedParameters(
  templates: TemplateSet,
): { template: string; param: Parameter; annotation: string }[] {
  return [...templates.values()].flatMap((t) =>
    t.parameters.flatMap((param) =>
      param.annotation === undefined ? [] : [{ template: t.name, param, annotation: param.annotation }],
    ),
  );
}

/** Annotation maps of parameter overrides only, plus keys the injector does not read. */
export function parameterMaps(templates: TemplateSet): fc.Arbitrary<Record<string, string>> {
  const entries = annotatedParameters(templates).map((p) =>
    fc.tuple(fc.constant(p.annotation), parameterValues(p.param)),
  );
  const unrelated = fc.tuple(
    fc.string({ maxLength: 20 }).filter((k) => !k.startsWith('sidecar.inject')),
    hostileString,
  );
  return fc.array(fc.oneof(...entries, unrelated), { maxLength: 6 }).map((pairs) => Object.fromEntries(pairs));
}

/** Annotation maps over every key the injector reads, a few it does not, and arbitrary ones. */
export function annotationMaps(templates: TemplateSet): fc.Arbitrary<Record<string, string>> {
  const names = [...templates.keys()];
  const entries: fc.Arbitrary<[string, string]>[] = [
    ...annotatedParameters(templates).map((p) => fc.tuple(fc.constant(p.annotation), parameterValues(p.param))),
    fc.tuple(
      fc.constantFrom('sidecar.inject', NATIVE_ANNOTATION),
      fc.oneof(fc.constantFrom('true', 'false'), hostileString),
    ),
    fc.tuple(
      fc.constant(TEMPLATES_ANNOTATION),
      fc.oneof(
        { weight: 4, arbitrary: fc.subarray([...names, ' ', ',', names[0] ?? '']).map((n) => n.join(',')) },
        hostileString,
      ),
    ),
    fc.tuple(fc.constantFrom(STATUS_ANNOTATION, MIRROR_ANNOTATION), hostileString),
    fc.tuple(
      fc.string({ maxLength: 30 }).map((s) => `sidecar.inject/${s}`),
      hostileString,
    ),
    fc.tuple(fc.string({ maxLength: 30 }), hostileString),
  ];
  return fc.array(fc.oneof(...entries), { maxLength: 6 }).map((pairs) => Object.fromEntries(pairs));
}

const rarely = fc
  .boolean()
  .chain((b) => (b ? fc.boolean() : fc.constant(false)))
  .chain((b) => (b ? fc.boolean() : fc.constant(false)));

/** A pod the API server could send, with arbitrary annotations and a few shape variations. */
export function pods(templates: TemplateSet): fc.Arbitrary<Json> {
  return fc
    .record({
      annotations: annotationMaps(templates),
      hostNetwork: rarely,
      sidecarNamedLikeOurs: rarely,
      withInit: fc.boolean(),
      withoutVolumes: fc.boolean(),
      name: fc.option(hostileString, { nil: undefined }),
    })
    .map((v) => {
      const pod = makePod({ annotations: v.annotations, spec: { hostNetwork: v.hostNetwork } });
      const spec = pod['spec'] as Json;
      const metadata = pod['metadata'] as Json;
      if (v.name === undefined) delete metadata['name'];
      else metadata['name'] = v.name;
      if (v.sidecarNamedLikeOurs) (spec['containers'] as Json[]).push({ name: 'sidecar-proxy', image: 'x' });
      if (v.withInit) spec['initContainers'] = [{ name: 'init', image: 'busybox' }];
      if (v.withoutVolumes) delete spec['volumes'];
      return pod;
    });
}

/** Mostly `good`, now and then anything at all. */
function mostly<T>(good: fc.Arbitrary<T>): fc.Arbitrary<T | fc.JsonValue> {
  return fc.oneof({ weight: 25, arbitrary: good }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) });
}

/** Review envelopes: mostly well-formed, with every field sometimes arbitrary. */
export function reviews(templates: TemplateSet): fc.Arbitrary<Json> {
  return fc.record({
    apiVersion: mostly(fc.constantFrom('admission.k8s.io/v1', 'admission.k8s.io/v1beta1')),
    kind: mostly(fc.constant('AdmissionReview')),
    request: fc.record({
      uid: mostly(fc.uuid()),
      resource: mostly(fc.constant({ group: '', version: 'v1', resource: 'pods' })),
      operation: mostly(
        fc.oneof({ weight: 10, arbitrary: fc.constant('CREATE') }, fc.constantFrom('UPDATE', 'DELETE')),
      ),
      namespace: fc.oneof(
        { weight: 8, arbitrary: fc.constant('demo') },
        fc.constantFrom('default', 'opted-out', 'kube-system', 'sidecar-injector', 'unknown'),
      ),
      object: mostly(pods(templates)),
      dryRun: fc.boolean(),
    }),
  });
}
