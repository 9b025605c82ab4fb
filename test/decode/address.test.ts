import { describe, expect, it } from 'vitest';
import { formatEndpoint, formatIp } from '../../src/decode/address.js';
import { ipBytes } from '../capture/fixtures/frames.js';

describe('formatIp / formatEndpoint', () => {
  const cases: Array<[string, string]> = [
    ['192.0.2.1', '192.0.2.1'],
    ['2001:db8:0:0:0:0:0:1', '2001:db8::1'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['2001:db8:1:1:1:1:1:1', '2001:db8:1:1:1:1:1:1'],
    ['fe80:0:0:0:0:0:0:0', 'fe80::'],
    ['0:0:0:0:0:ffff:c000:201', '::ffff:192.0.2.1'],
  ];
  for (const [input, want] of cases) {
    it(`${input} → ${want} (RFC 5952)`, () => {
      expect(formatIp(ipBytes(input))).toBe(want);
      expect(formatIp(ipBytes(input))).toBe(want); // cached path
    });
  }
  it('brackets IPv6 endpoints', () => {
    expect(formatEndpoint(ipBytes('2001:db8::1'), 443)).toBe('[2001:db8::1]:443');
    expect(formatEndpoint('10.0.0.1', 53)).toBe('10.0.0.1:53');
  });
});
