/**
 * A small seeded PRNG (mulberry32): the same --seed gives the same sequence of mutations, so a run
 * can be repeated. Not for anything but fuzzing.
 */
import { mulberry32 } from '../lib/rng.mjs';

export class Rng {
  constructor(seed) {
    this.next = mulberry32((seed >>> 0) || 0x9e3779b9);
  }

  /** Uniform 32-bit unsigned integer. */
  u32() {
    return this.next();
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
