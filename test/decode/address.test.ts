import { describe, expect, it } from 'vitest';
import { formatEndpoint, formatEndpointAt, formatIp } from '../../src/decode/address.js';
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
  it('formats endpoints read in place, the same through its caches and after they are full', () => {
    // An address in the middle of a larger buffer, as in a captured packet.
    const b = new Uint8Array([9, 9, 192, 0, 2, 1, 9, 0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 1]);
    expect(formatEndpointAt(b, 2, 4, 53)).toBe('192.0.2.1:53');
    expect(formatEndpointAt(b, 7, 16, 443)).toBe('[2001:db8::1]:443');
    // Every port of one address, then many addresses: past the caches' bounds, texts stay right.
    for (let port = 0; port < 65536; port += 7) expect(formatEndpointAt(b, 2, 4, port)).toBe(`192.0.2.1:${port}`);
    const a = new Uint8Array(4);
    for (let i = 0; i < 5000; i++) {
      a[0] = 10; a[1] = i >> 8; a[2] = i & 0xff; a[3] = 1;
      expect(formatEndpointAt(a, 0, 4, 80)).toBe(`10.${i >> 8}.${i & 0xff}.1:80`);
    }
    expect(formatEndpointAt(b, 2, 4, 53)).toBe('192.0.2.1:53');
  });
});
