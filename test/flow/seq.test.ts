import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seqAdd, seqDiff, seqGe, seqGt, seqLe, seqLt, seqMax } from '../../src/flow/seq.js';

describe('sequence arithmetic', () => {
  it('compares across the 2^32 wrap', () => {
    expect(seqLt(0xfffffff0, 0x10)).toBe(true);
    expect(seqGt(0x10, 0xfffffff0)).toBe(true);
    expect(seqDiff(0x10, 0xfffffff0)).toBe(0x20);
    expect(seqAdd(0xffffffff, 2)).toBe(1);
    expect(seqAdd(0, -1)).toBe(0xffffffff);
    expect(seqMax(0xfffffffe, 3)).toBe(3);
    expect(seqLe(5, 5) && seqGe(5, 5)).toBe(true);
  });

  it('a + n is after a for any a and 0 < n < 2^31', () => {
    fc.assert(fc.property(fc.nat(0xffffffff), fc.integer({ min: 1, max: 0x7fffffff }), (a, n) => {
      const b = seqAdd(a, n);
      return seqLt(a, b) && seqGt(b, a) && seqDiff(b, a) === n && b >= 0 && b <= 0xffffffff;
    }));
  });
});
