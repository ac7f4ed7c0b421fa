import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { issueCa, issueServing, type IssuedPair } from '../../src/tls/issue.js';
import { SECRET_KEYS, decodeMaterial, describeMaterial, encodeMaterial, trustedBy } from '../../src/tls/stored.js';

const names = { dnsNames: ['sidecar-injector.demo.svc'], ipAddresses: ['127.0.0.1'] };
const MINUTE = 60_000;

describe('self-managed certificate material', () => {
  const now = Date.now();
  let ca: IssuedPair;
  let other: IssuedPair;
  let serving: IssuedPair;
  beforeAll(async () => {
    [ca, other] = await Promise.all([issueCa('test-ca@1', 60 * MINUTE, now), issueCa('test-ca@1', 60 * MINUTE, now)]);
    serving = await issueServing({
      ca,
      ...names,
      lifetimeMs: 600 * MINUTE,
      caNotAfter: Date.parse(new X509Certificate(ca.cert).validTo),
      now,
    });
  });

  it('issues ECDSA P-256 keys, a CA that may sign and a serving certificate that never outlives it', () => {
    const authority = new X509Certificate(ca.cert);
    const leaf = new X509Certificate(serving.cert);
    expect(authority.ca).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(leaf.checkHost('sidecar-injector.demo.svc')).toBe('sidecar-injector.demo.svc');
    expect(leaf.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(Date.parse(leaf.validTo)).toBeLessThanOrEqual(Date.parse(authority.validTo));
  });

  it('round-trips through the Secret, and refuses a key that is not the certificate’s', () => {
    const material = { serving, signer: ca, bundle: [ca.cert] };
    expect(decodeMaterial(encodeMaterial(material))).toEqual(material);
    const swapped = encodeMaterial({ ...material, serving: { cert: serving.cert, key: ca.key } });
    expect(decodeMaterial(swapped)).toBeUndefined();
    expect(decodeMaterial({ ...encodeMaterial(material), [SECRET_KEYS.bundle]: '' })).toBeUndefined();
  });

  it('knows which CA signed the serving certificate even when two CAs share a name', () => {
    const described = describeMaterial({ serving, signer: ca, bundle: [other.cert, ca.cert] }, names);
    expect(described.serving.signedBy).toBe(new X509Certificate(ca.cert).fingerprint256);
    expect(described.serving.namesOk).toBe(true);
    expect(
      describeMaterial({ serving, signer: ca, bundle: [ca.cert] }, { ...names, dnsNames: ['x.other.svc'] }).serving
        .namesOk,
    ).toBe(false);
    expect(trustedBy(serving.cert, ca.cert)).toBe(true);
    expect(trustedBy(serving.cert, other.cert)).toBe(false);
    expect(trustedBy(serving.cert, other.cert + ca.cert)).toBe(true);
  });
});
