/**
 * A small seeded PRNG (mulberry32): the same --seed gives the same sequence of mutations, so a run
 * can be repeated. Not for anything but fuzzing.
 */
export class Rng {
  constructor(seed) {
    this.s = (seed >>> 0) || 0x9e3779b9;
  }

  /** Uniform 32-bit unsigned integer. */
  u32() {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Integer in [0, n); 0 when n <= 0. */
  below(n) {
    return n <= 0 ? 0 : this.u32() % n;
  }

  /** True with probability 1/n. */
  oneIn(n) {
    return this.below(n) === 0;
  }

  pick(arr) {
    return arr[this.below(arr.length)];
  }
}
