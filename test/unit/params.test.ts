import { describe, expect, it } from 'vitest';
import { checkValue } from '../../src/core/params.js';

describe('checkValue', () => {
  it('bounds quantities across suffixes', () => {
    expect(checkValue('quantity', '1Gi', { max: '2Gi' })).toEqual({ ok: true, value: '1Gi' });
    expect(checkValue('quantity', '3000Mi', { max: '2Gi' })).toMatchObject({
      ok: false,
      message: 'expected a Kubernetes quantity such as 250m or 512Mi, at most 2Gi',
    });
    expect(checkValue('quantity', '5m', { min: '10m' }).ok).toBe(false);
  });

  it('compares quantities exactly, not in float64', () => {
    expect(checkValue('quantity', '0.5000000000000000001', { max: '500m' }).ok).toBe(false);
    expect(checkValue('quantity', '0.5', { max: '500m' }).ok).toBe(true);
    expect(checkValue('quantity', '2Ei', { max: '4Gi' }).ok).toBe(false);
    expect(checkValue('quantity', '-1', {}).ok).toBe(false);
  });

  it('accepts single-unit durations within bounds', () => {
    expect(checkValue('duration', '5m', { min: '10s', max: '24h' })).toEqual({ ok: true, value: '5m' });
    expect(checkValue('duration', '25h', { max: '24h' }).ok).toBe(false);
    expect(checkValue('duration', '1m30s', {}).ok).toBe(false);
  });

  it('accepts absolute paths without dot segments', () => {
    expect(checkValue('path', '/var/log/my-app', {}).ok).toBe(true);
    for (const bad of ['var/log', '/var/../etc', '/var/./log', '/a//b', '/a b', '/a\n'])
      expect(checkValue('path', bad, {}).ok).toBe(false);
  });

  it('accepts http(s) URLs and normalises them', () => {
    expect(checkValue('url', 'HTTPS://Config.Example:8443/a', {})).toEqual({
      ok: true,
      value: 'https://config.example:8443/a',
    });
    for (const bad of [
      'ftp://x',
      'http://',
      'http://a b',
      'http://x/"',
      "http://x/'",
      'http://x/$(A)',
      'http://u:p@x/',
    ]) {
      expect(checkValue('url', bad, {}).ok).toBe(false);
    }
  });

  it('parses integers within bounds as numbers', () => {
    expect(checkValue('integer', '42', { max: 100 })).toEqual({ ok: true, value: 42 });
    expect(checkValue('integer', '4.2', {}).ok).toBe(false);
  });
});
