/**
 * TCP sequence-number arithmetic modulo 2^32 (RFC 1982 style). Sequence numbers are plain uint32
 * `number`s; comparisons look at the signed 32-bit difference, so they stay right across the wrap as
 * long as the two numbers are less than 2^31 apart — true for anything one TCP window apart.
 */

/** a - b as a signed 32-bit integer: negative when a is "before" b. */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/** a + n, wrapped to uint32. */
export function seqAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}

export function seqLt(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

export function seqLe(a: number, b: number): boolean {
  return ((a - b) | 0) <= 0;
}

export function seqGt(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}

export function seqGe(a: number, b: number): boolean {
  return ((a - b) | 0) >= 0;
}

/** The later of two sequence numbers. */
export function seqMax(a: number, b: number): number {
  return ((a - b) | 0) >= 0 ? a : b;
}
