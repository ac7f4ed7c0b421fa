import { describe, expect, it } from 'vitest';
import { warmUp } from '../../src/core/warm-up.js';
import { SETTINGS, loadTemplateSet } from '../helpers/pods.js';

describe('warmUp', () => {
  const templates = loadTemplateSet();

  it('runs the whole request path: the sample review decodes and the default templates inject it', () => {
    const outcome = warmUp(templates, SETTINGS, 2);
    expect(outcome).toMatchObject({ kind: 'inject', templates: SETTINGS.defaultTemplates });
  });

  it('answers with the outcome, not an exception, when the sample pod cannot take the templates', () => {
    const outcome = warmUp(templates, { ...SETTINGS, defaultTemplates: ['secrets'] }, 1);
    expect(outcome).toMatchObject({ kind: 'deny', reason: 'missing_setting' });
  });

  it('honours a configured namespace label key', () => {
    const outcome = warmUp(templates, { ...SETTINGS, namespaceLabel: 'mesh.example/inject' }, 1);
    expect(outcome.kind).toBe('inject');
  });
});
