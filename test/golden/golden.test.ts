import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { decide } from '../../src/core/decide.js';
import { SETTINGS, applyStrictly, loadTemplateSet, type Json } from '../helpers/pods.js';

/**
 * Golden files: each case directory holds input.yaml (namespace, labels, mode, pod) and
 * expected.yaml (the decision and the patched pod). `npm run test:golden:update` rewrites the
 * expected files; review them as diffs. A case without its expected file, or an expected file
 * without its input, fails.
 */
const CASES = new URL('./cases/', import.meta.url).pathname;
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';
const templates = loadTemplateSet();

interface CaseInput {
  namespace?: string;
  namespaceLabels?: Record<string, string>;
  native?: boolean;
  /** false: the cluster is known to predate native sidecars. */
  nativeSupported?: boolean;
  pod: Json;
}

function runCase(input: CaseInput, pod: unknown) {
  return decide({
    object: pod,
    namespace: input.namespace ?? 'demo',
    namespaceLabels: { known: true, labels: input.namespaceLabels ?? { 'istio-injection': 'enabled' } },
    templates,
    settings: {
      ...SETTINGS,
      nativeSidecars: input.native ?? false,
      ...(input.nativeSupported === undefined ? {} : { nativeSupported: input.nativeSupported }),
    },
  });
}

describe('golden files', () => {
  for (const name of readdirSync(CASES).sort()) {
    it(`${name}: patched pod matches expected.yaml, and a second pass changes nothing`, () => {
      const inputFile = join(CASES, name, 'input.yaml');
      const expectedFile = join(CASES, name, 'expected.yaml');
      expect(existsSync(inputFile), `${name} has expected.yaml but no input.yaml`).toBe(true);
      const input = parse(readFileSync(inputFile, 'utf8')) as CaseInput;
      const result = runCase(input, input.pod);
      const patched = result.kind === 'inject' ? applyStrictly(input.pod, result.ops) : input.pod;
      const decision = result.kind === 'inject' ? { ...result, ops: undefined } : result;
      const actual = stringify({ decision: JSON.parse(JSON.stringify(decision)), pod: patched }, { lineWidth: 0 });
      if (UPDATE) writeFileSync(expectedFile, actual);
      expect(existsSync(expectedFile), `${name}: run npm run test:golden:update`).toBe(true);
      expect(actual).toBe(readFileSync(expectedFile, 'utf8'));
      if (result.kind === 'inject')
        expect(runCase(input, patched)).toMatchObject({ kind: 'skip', reason: 'already_injected' });
    });
  }
});
