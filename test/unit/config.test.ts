import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

describe('loadConfig', () => {
  it('gives the documented defaults on an empty environment', () => {
    const result = loadConfig({});
    expect(result).toMatchObject({
      ok: true,
      config: {
        PORT: 8443,
        METRICS_PORT: 9090,
        TLS_CERT_FILE: 'certs/tls.crt',
        TLS_KEY_FILE: 'certs/tls.key',
        TEMPLATES_DIR: 'templates/',
        INJECTOR_NAMESPACE: 'sidecar-injector',
        LOG_LEVEL: 'info',
        DEFAULT_TEMPLATES: ['proxy'],
        NATIVE_SIDECARS: 'auto',
      },
    });
    expect(result.ok && result.config.NAMESPACE_LABELS_FILE).toBeUndefined();
  });

  it('lists every problem with its variable', () => {
    const result = loadConfig({
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      NATIVE_SIDECARS: 'maybe',
      INJECTOR_NAMESPACE: 'Bad_NS',
    });
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    expect(errors.map((e) => e.split(':')[0]).sort()).toEqual([
      'INJECTOR_NAMESPACE',
      'LOG_LEVEL',
      'NATIVE_SIDECARS',
      'PORT',
    ]);
  });

  it('freezes the result deeply and ignores variables it does not define', () => {
    const result = loadConfig({ PORT: '9443', DEFAULT_TEMPLATES: 'proxy, logging', UNRELATED: 'x' });
    if (!result.ok) throw new Error(result.errors.join());
    expect(Object.isFrozen(result.config)).toBe(true);
    expect(Object.isFrozen(result.config.DEFAULT_TEMPLATES)).toBe(true);
    expect(result.config.DEFAULT_TEMPLATES).toEqual(['proxy', 'logging']);
    expect(result.config).not.toHaveProperty('UNRELATED');
  });
});
