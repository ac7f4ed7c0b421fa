import { describe, expect, it } from 'vitest';
import { nextRotationStep, renewalTime, type RotationInput, type StoredCertificates } from '../../src/tls/rotation.js';

const HOUR = 3_600_000;
const ca = (fingerprint: string, notBefore = 0, lifetime = 300 * HOUR) => ({
  fingerprint,
  notBefore,
  notAfter: notBefore + lifetime,
});
const stored = (over: Partial<StoredCertificates> = {}): StoredCertificates => ({
  signer: ca('ca1'),
  serving: { fingerprint: 's1', notBefore: 0, notAfter: 30 * HOUR, signedBy: 'ca1', namesOk: true },
  bundle: [ca('ca1')],
  ...over,
});
const input = (over: Partial<RotationInput> = {}): RotationInput => ({
  now: HOUR,
  stored: stored(),
  published: [['ca1'], ['ca1']],
  replicasServing: ['s1', 's1'],
  ...over,
});

describe('the next certificate step', () => {
  it('creates the CA and serving certificate when there is no Secret or an unusable one', () => {
    expect(nextRotationStep(input({ stored: undefined })).kind).toBe('create');
    expect(nextRotationStep(input({ stored: 'invalid' })).kind).toBe('create');
    expect(nextRotationStep(input({ now: 400 * HOUR })).kind).toBe('create');
  });

  it('publishes the bundle until every webhook trusts exactly its CAs', () => {
    expect(nextRotationStep(input({ published: [['ca1'], []] })).kind).toBe('publish');
    expect(nextRotationStep(input({ published: [] })).kind).toBe('publish');
    expect(nextRotationStep(input({ published: [['ca1', 'old'], ['ca1']] })).kind).toBe('publish');
    expect(nextRotationStep(input()).kind).toBe('wait');
  });

  it('renews the serving certificate at two thirds of its lifetime, or when it is wrong', () => {
    expect(renewalTime({ fingerprint: 'x', notBefore: 0, notAfter: 30 * HOUR })).toBe(20 * HOUR);
    expect(nextRotationStep(input({ now: 19 * HOUR }))).toEqual({ kind: 'wait', until: 20 * HOUR, why: 'nothing due' });
    expect(nextRotationStep(input({ now: 20 * HOUR })).kind).toBe('renew-serving');
    const renamed = stored({ serving: { ...stored().serving, namesOk: false } });
    expect(nextRotationStep(input({ stored: renamed }))).toMatchObject({ why: 'the service names changed' });
    const foreign = stored({ serving: { ...stored().serving, signedBy: undefined } });
    expect(nextRotationStep(input({ stored: foreign }))).toMatchObject({ why: 'not signed by the current CA' });
  });

  it('rotates the CA at two thirds of its lifetime without ever serving an untrusted certificate', () => {
    const now = 200 * HOUR;
    const serving = { fingerprint: 's1', notBefore: 190 * HOUR, notAfter: 220 * HOUR, signedBy: 'ca1', namesOk: true };
    expect(nextRotationStep(input({ now, stored: stored({ serving }) })).kind).toBe('add-next-ca');
    // The new CA is in the Secret's bundle: it must reach the webhooks before it signs anything.
    const added = stored({ serving, next: ca('ca2', now), bundle: [ca('ca1'), ca('ca2', now)] });
    expect(nextRotationStep(input({ now, stored: added })).kind).toBe('publish');
    expect(
      nextRotationStep(
        input({
          now,
          stored: added,
          published: [
            ['ca1', 'ca2'],
            ['ca2', 'ca1'],
          ],
        }),
      ).kind,
    ).toBe('switch-signer');
    // Signing with the new CA: the old one stays trusted while any live replica serves from it.
    const switched = stored({
      signer: ca('ca2', now),
      serving: { fingerprint: 's2', notBefore: now, notAfter: now + 30 * HOUR, signedBy: 'ca2', namesOk: true },
      bundle: [ca('ca1'), ca('ca2', now)],
    });
    const both = [
      ['ca1', 'ca2'],
      ['ca1', 'ca2'],
    ];
    expect(
      nextRotationStep(input({ now, stored: switched, published: both, replicasServing: ['s2', 's1'] })),
    ).toMatchObject({
      kind: 'wait',
      why: 'a replica still serves a certificate from the old CA',
    });
    expect(
      nextRotationStep(input({ now, stored: switched, published: both, replicasServing: ['s2', 's2'] })).kind,
    ).toBe('retire-old-cas');
    const retired = { ...switched, bundle: [ca('ca2', now)] };
    expect(nextRotationStep(input({ now, stored: retired, published: both, replicasServing: ['s2'] })).kind).toBe(
      'publish',
    );
    expect(
      nextRotationStep(input({ now, stored: retired, published: [['ca2'], ['ca2']], replicasServing: ['s2'] })).kind,
    ).toBe('wait');
  });
});
