import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCidr, isIpv4Cidr, isIpv6Cidr } from '../../src/core/cidr.js';
import { checkValue } from '../../src/core/params.js';

describe('CIDR ranges for the outbound exclusions (iptables and ip6tables)', () => {
  it.each([
    '::/0',
    '::1/128',
    'fd00::/8',
    'fd00:10:244::/56',
    '2001:db8:0:0:0:0:0:1/128',
    '2001:DB8::1/64',
    'fe80::/10',
    '::ffff:10.0.0.0/104',
    '64:ff9b::192.0.2.33/128',
    '1::/16',
    '1:2:3:4:5:6:7::/112',
  ])('IPv6: accepts %j', (value) => {
    expect(isIpv6Cidr(value)).toBe(true);
    expect(isIpv4Cidr(value)).toBe(false);
  });

  it.each([
    '::1',
    '::1/129',
    '::1/080',
    '::1/-1',
    '1:2:3:4:5:6:7:8:9/128',
    '1:2:3:4:5:6:7/112',
    '1::2::3/64',
    ':::/8',
    ':1::/64',
    '1::2:/64',
    '12345::/16',
    'fg00::/8',
    'fe80::1%eth0/64',
    '[::1]/128',
    '::ffff:10.0.0/104',
    '::ffff:10.0.0.256/104',
    '10.0.0.1::/64',
    '1:2:3:4:5:6:1.2.3.4:8/128',
    ' ::1/128',
    'localhost/128',
  ])('IPv6: refuses %j', (value) => expect(isCidr(value)).toBe(false));

  it('accepts every IPv6 address fast-check writes, with every prefix 0-128, and no prefix above', () => {
    fc.assert(
      fc.property(fc.ipV6(), fc.integer({ min: 0, max: 128 }), (ip, prefix) => {
        expect(isIpv6Cidr(`${ip}/${prefix}`)).toBe(true);
        expect(isCidr(`${ip}/${prefix + 1000}`)).toBe(false);
      }),
    );
  });

  it('keeps the IPv4 rules: dotted quads without leading zeros, prefix 0-32', () => {
    expect(['10.0.0.0/8', '0.0.0.0/0', '169.254.169.254/32'].every(isIpv4Cidr)).toBe(true);
    expect(['010.0.0.0/8', '10.0.0.0/33', '10.0.0/8', '10.0.0.0'].some(isCidr)).toBe(false);
  });

  it('the cidr-list parameter takes both families in one list, and says so when it refuses', () => {
    expect(checkValue('cidr-list', '10.0.0.0/8,fd00::/8,fd00::/8', {})).toEqual({
      ok: true,
      value: '10.0.0.0/8,fd00::/8',
    });
    expect(checkValue('cidr-list', 'fd00::/8,fe80::1%eth0/64', {})).toEqual({
      ok: false,
      message: expect.stringMatching(/^expected comma-separated IPv4 or IPv6 CIDRs/),
    });
  });
});
