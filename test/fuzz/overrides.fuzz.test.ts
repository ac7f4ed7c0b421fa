import fc from 'fast-check';
import fastJsonPatch from 'fast-json-patch';
import { describe, expect, it } from 'vitest';
import { STATUS_ANNOTATION, TEMPLATES_ANNOTATION } from '../../src/core/annotations.js';
import { podFacts, renderAdditions, selectTemplates } from '../../src/core/inject.js';
import { buildPatch } from '../../src/core/patch.js';
import { readPod, type PodView } from '../../src/core/pod.js';
import { sampleParams } from '../../src/core/param-values.js';
import { annotatedParameters, parameterMaps, parameterValues } from '../helpers/arbitraries.js';
import {
  SETTINGS,
  VAULT_NAMESPACE_LABELS,
  applyStrictly,
  decideInDemo,
  loadTemplateSet,
  makePod,
  type Json,
} from '../helpers/pods.js';

/**
 * Property-based: an annotation value can change nothing in the rendered pod but the leaves its
 * own parameter is placed at. Those leaves are found by rendering each parameter once with a
 * marker value (bypassing validation, which is exactly what no pod can do) and seeing where the
 * marker lands. Every other leaf, and the shape of the whole pod spec, must stay as the defaults
 * render them, whatever the pod author writes.
 */
const templates = loadTemplateSet();
const ALL = [...templates.keys()].join(',');
const MARKER = 'marker-7f3a9c';
const parameters = annotatedParameters(templates);

/** Every primitive of the spec and the status annotation, by path. */
function leaves(value: unknown, path: string, into = new Map<string, unknown>()): Map<string, unknown> {
  if (value !== null && typeof value === 'object')
    for (const [key, child] of Object.entries(value)) leaves(child, `${path}/${key}`, into);
  else into.set(path, value);
  return into;
}

function renderedLeaves(pod: Json): Map<string, unknown> {
  const annotations = (pod['metadata'] as Json)['annotations'] as Json;
  return leaves({ spec: pod['spec'], status: annotations[STATUS_ANNOTATION] }, '');
}

function injected(annotations: Record<string, string>, native: boolean): Json | undefined {
  const object = makePod({ annotations: { [TEMPLATES_ANNOTATION]: ALL, ...annotations } });
  const result = decideInDemo(templates, object, VAULT_NAMESPACE_LABELS, { ...SETTINGS, nativeSidecars: native });
  return result.kind === 'inject' ? applyStrictly(object, result.ops) : undefined;
}

/** The leaves a parameter is rendered into: where a marker value given to it lands. */
function ownLeaves(template: string, name: string, native: boolean): Set<string> {
  const object = makePod({ annotations: { [TEMPLATES_ANNOTATION]: ALL } });
  const pod = (readPod(object) as { ok: true; pod: PodView }).pod;
  const selection = selectTemplates({ [TEMPLATES_ANNOTATION]: ALL }, templates, []);
  if (!selection.ok) throw new Error(selection.message);
  const params = new Map(selection.templates.map((t) => [t.name, sampleParams(t.parameters)]));
  params.set(template, { ...params.get(template), [name]: MARKER });
  const additions = renderAdditions(selection.templates, { facts: podFacts(pod, 'demo'), params, native });
  // Not validated: a marker is no quantity, which is why no pod could ever send it.
  const marked = renderedLeaves(fastJsonPatch.applyPatch(object, buildPatch(object, additions), true).newDocument);
  return new Set([...marked].filter(([, value]) => String(value).includes(MARKER)).map(([path]) => path));
}

describe('an annotation value changes only its own parameter’s leaves', () => {
  for (const native of [false, true]) {
    const baseline = renderedLeaves(injected({}, native) ?? {});
    const own = new Map(
      parameters.map(({ template, param, annotation }) => [annotation, ownLeaves(template, param.name, native)]),
    );

    it(`every parameter is rendered somewhere (${native ? 'native' : 'classic'})`, () => {
      for (const [annotation, paths] of own) expect(paths.size, annotation).toBeGreaterThan(0);
    });

    it(`arbitrary annotation maps (${native ? 'native' : 'classic'} sidecars)`, () => {
      fc.assert(
        fc.property(parameterMaps(templates), (annotations) => {
          const pod = injected(annotations, native);
          if (pod === undefined) return;
          const rendered = renderedLeaves(pod);
          expect([...rendered.keys()]).toEqual([...baseline.keys()]);
          const allowed = new Set(Object.keys(annotations).flatMap((k) => [...(own.get(k) ?? [])]));
          const changed = [...rendered].filter(([path, value]) => baseline.get(path) !== value).map(([path]) => path);
          expect(changed.filter((path) => !allowed.has(path))).toEqual([]);
        }),
        { numRuns: 150 },
      );
    });

    it(`each parameter alone, with values of its type (${native ? 'native' : 'classic'})`, () => {
      for (const { param, annotation } of parameters) {
        fc.assert(
          fc.property(parameterValues(param), (value) => {
            const pod = injected({ [annotation]: value }, native);
            if (pod === undefined) return;
            const rendered = renderedLeaves(pod);
            expect([...rendered.keys()]).toEqual([...baseline.keys()]);
            const changed = [...rendered].filter(([path, v]) => baseline.get(path) !== v).map(([path]) => path);
            expect(changed.filter((path) => !own.get(annotation)?.has(path))).toEqual([]);
          }),
          { numRuns: 40 },
        );
      }
    });
  }
});
