import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { StreamPlan } from '../../src/share/plan.js';

const bytes = (n: number, from = 1): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (from + i) & 0xff || 0xff);

describe('StreamPlan', () => {
  it('keeps kept bytes, zeroes zero ranges, and shortens the packet after the last of them', () => {
    const p = new StreamPlan();
    p.keep(0, 5);
    p.zero(10, 12);
    p.keep(100, 105);
    const out = p.apply(0, bytes(50));
    expect(out.length).toBe(12);
    expect([...out.subarray(0, 5)]).toEqual([1, 2, 3, 4, 5]);
    expect([...out.subarray(5, 12)]).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });

  it('maps a payload that starts in the middle of the stream', () => {
    const p = new StreamPlan();
    p.keep(98, 103);
    const out = p.apply(100, bytes(10, 0x40));
    expect([...out]).toEqual([0x40, 0x41, 0x42]);
  });

  it('a payload with nothing kept becomes empty', () => {
    const p = new StreamPlan();
    p.keep(0, 5);
    expect(p.apply(5, bytes(20)).length).toBe(0);
    expect(p.apply(-30, bytes(20)).length).toBe(0);
  });

  it('keep wins over zero where they overlap; masks overwrite kept bytes', () => {
    const p = new StreamPlan();
    p.zero(0, 10);
    p.keep(4, 6);
    p.mask(5, Uint8Array.of(0x2a, 0x2a));
    const out = p.apply(0, bytes(10));
    expect([...out]).toEqual([0, 0, 0, 0, 5, 0x2a, 0, 0, 0, 0]);
  });

  it('property: every output byte is an input byte at a kept offset or 0, never longer than the input', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.nat(300), fc.nat(40), fc.boolean()), { maxLength: 20 }),
      fc.integer({ min: -50, max: 300 }), fc.nat(200),
      (ranges, off, len) => {
        const p = new StreamPlan();
        const kept = new Set<number>();
        const zeroed = new Set<number>();
        for (const [s, n, k] of ranges) {
          if (k) p.keep(s, s + n);
          else p.zero(s, s + n);
          for (let i = s; i < s + n; i++) (k ? kept : zeroed).add(i);
        }
        const input = bytes(len, 7);
        const out = p.apply(off, input);
        expect(out.length).toBeLessThanOrEqual(len);
        for (let i = 0; i < out.length; i++) {
          if (kept.has(off + i)) expect(out[i]).toBe(input[i]);
          else expect(out[i]).toBe(0);
        }
        // Nothing kept or zeroed lies past the end of the output.
        for (let i = out.length; i < len; i++) expect(kept.has(off + i) || zeroed.has(off + i)).toBe(false);
      },
    ), { numRuns: 300 });
  });
});
