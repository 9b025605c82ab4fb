import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { splitTimestamp, resolutionName, TimestampSplitter } from '../../src/capture/timestamp.js';

describe('splitTimestamp', () => {
  it('agrees with exact BigInt arithmetic for any 64-bit value and common rates', () => {
    const rates = [1, 1e3, 1e6, 1e9, 2 ** 8, 2 ** 20, 2 ** 30, 1e10, 1e12];
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.constantFrom(...rates), (v, rate) => {
      const out = { sec: 0, nsec: 0 };
      splitTimestamp(Number(v >> 32n), Number(v & 0xffffffffn), rate, out);
      const u = BigInt(rate);
      const sec = v / u;
      // Seconds are exact while they fit a double's integer range; nanoseconds always.
      if (sec < 2n ** 53n) expect(out.sec).toBe(Number(sec));
      const nsec = ((v % u) * 1_000_000_000n) / u;
      expect(Math.abs(out.nsec - Number(nsec))).toBeLessThanOrEqual(rate > 1e9 ? 1 : 0);
    }), { numRuns: 2000 });
  });

  it('names resolutions', () => {
    expect(resolutionName(1e9)).toBe('nanoseconds');
    expect(resolutionName(256)).toBe('2^-8 seconds');
    expect(resolutionName(1e4)).toBe('10^-4 seconds');
  });
});

describe('TimestampSplitter (cached high word)', () => {
  it('agrees with exact BigInt arithmetic over runs of timestamps sharing and changing the high word', () => {
    const rates = [1e3, 1e6, 1e9, 2 ** 8, 2 ** 30, 1e10, 1e12];
    fc.assert(fc.property(
      fc.constantFrom(...rates),
      fc.array(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { minLength: 1, maxLength: 20 }),
      fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 1, maxLength: 20 }),
      (rate, his, los) => {
        const s = new TimestampSplitter(rate);
        const out = { sec: 0, nsec: 0 };
        for (const h of his) {
          for (const lo of los) {
            const hi = Number(h >> 32n);
            const v = (BigInt(hi) << 32n) | BigInt(lo);
            s.split(hi, lo, out);
            const u = BigInt(rate);
            if (v / u < 2n ** 53n) expect(out.sec).toBe(Number(v / u));
            expect(Math.abs(out.nsec - Number(((v % u) * 1_000_000_000n) / u))).toBeLessThanOrEqual(rate > 1e9 ? 1 : 0);
          }
        }
      },
    ), { numRuns: 300 });
  });
});
