/**
 * mulberry32: a small seeded PRNG, so that generated benchmark inputs and fuzzing runs repeat
 * exactly for a seed. Not for anything that needs real randomness.
 */

/** A generator of uniform 32-bit unsigned integers from `seed`. */
export function mulberry32(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** A generator of uniform floats in [0, 1) from `seed`. */
export function seededRandom(seed) {
  const next = mulberry32(seed);
  return () => next() / 4294967296;
}
