import { describe, expect, it } from 'vitest';
import { checkValue, describeType } from '../../src/core/params.js';

describe('list parameters (port-list, cidr-list)', () => {
  it('accept comma-separated elements, drop duplicates, and read the empty string as the empty list', () => {
    expect(checkValue('port-list', '8080,9090,8080', {})).toEqual({ ok: true, value: '8080,9090' });
    expect(checkValue('port-list', '', {})).toEqual({ ok: true, value: '' });
    expect(checkValue('cidr-list', '10.0.0.0/8,169.254.169.254/32', {})).toEqual({
      ok: true,
      value: '10.0.0.0/8,169.254.169.254/32',
    });
  });

  it.each(['0', '65536', '080', '80,', ',80', '80,,81', '80 ,81', '80;81', '-1', '1e3', '0x50', '８０'])(
    'port-list refuses %j',
    (value) => expect(checkValue('port-list', value, {}).ok).toBe(false),
  );

  it.each([
    '10.0.0.0',
    '10.0.0.0/33',
    '256.0.0.0/8',
    '010.0.0.0/8',
    '10.0.0/8',
    '10.0.0.0.0/8',
    '10.0.0.0/08',
    '::1/129',
    '10.0.0.0/8/8',
    '10.0.0.0/8 ',
  ])('cidr-list refuses %j', (value) => expect(checkValue('cidr-list', value, {}).ok).toBe(false));

  it('refuses more elements than maxItems, and says the bound', () => {
    const ports = Array.from({ length: 5 }, (_, i) => String(8000 + i)).join(',');
    expect(checkValue('port-list', ports, { maxItems: 5 }).ok).toBe(true);
    expect(checkValue('port-list', `${ports},9000`, { maxItems: 5 })).toEqual({
      ok: false,
      message: 'expected comma-separated TCP ports (1-65535) such as 8080,9090, at most 5 of them',
    });
  });
});

describe('none', () => {
  it('is accepted only where the parameter allows it, and becomes null (the key is left out)', () => {
    expect(checkValue('quantity', 'none', { none: true })).toEqual({ ok: true, value: null });
    expect(checkValue('quantity', 'none', {}).ok).toBe(false);
    expect(checkValue('quantity', 'None', { none: true }).ok).toBe(false);
    expect(describeType('quantity', { none: true, max: '4' })).toBe(
      'a Kubernetes quantity such as 250m or 512Mi, at most 4, or none',
    );
  });
});

describe('hostname and secret-path', () => {
  it('accept DNS names and Vault-style paths', () => {
    expect(checkValue('hostname', 'vault.vault.svc', {}).ok).toBe(true);
    expect(checkValue('secret-path', 'secret/data/web/db', {}).ok).toBe(true);
  });

  it.each(['Vault.svc', 'vault..svc', '-vault', 'vault:8200', 'a'.repeat(64), 'http://vault'])(
    'hostname refuses %j',
    (value) => expect(checkValue('hostname', value, {}).ok).toBe(false),
  );

  it.each(['/secret/db', 'secret/', 'secret//db', 'secret/../db', 'secret/db"', 'secret/{{db}}', 'secret/db]]', 'a b'])(
    'secret-path refuses %j',
    (value) => expect(checkValue('secret-path', value, {}).ok).toBe(false),
  );
});
