/**
 * pcapng timestamps are 64-bit counts of units since the epoch, split in two uint32 halves. JavaScript
 * doubles hold integers exactly only up to 2^53, and nanoseconds since 1970 are ~2^61: so we divide
 * the 64-bit value by the unit rate in base-2^16 long division, where every intermediate stays exact
 * (for rates up to 2^37 per second), and only then scale the remainder to nanoseconds.
 */

export interface SplitTime {
  sec: number;
  nsec: number;
}

/** Largest unit rate the exact path handles; beyond it (picoseconds and finer) BigInt is used. */
const EXACT_MAX_UNITS = 2 ** 37;

/** Convert (hi·2^32 + lo) units at `unitsPerSecond` into whole seconds and nanoseconds, into `out`. */
export function splitTimestamp(hi: number, lo: number, unitsPerSecond: number, out: SplitTime): void {
  if (unitsPerSecond === 1) {
    out.sec = hi * 4294967296 + lo;
    out.nsec = 0;
    return;
  }
  if (unitsPerSecond > EXACT_MAX_UNITS) {
    const v = (BigInt(hi) << 32n) | BigInt(lo);
    const u = BigInt(unitsPerSecond);
    out.sec = Number(v / u);
    out.nsec = Number(((v % u) * 1_000_000_000n) / u);
    return;
  }
  const u = unitsPerSecond;
  let q = 0;
  let r = 0;
  // Four 16-bit digits, most significant first.
  let cur = r * 65536 + (hi >>> 16);
  let d = Math.floor(cur / u);
  r = cur - d * u;
  q = d;
  cur = r * 65536 + (hi & 0xffff);
  d = Math.floor(cur / u);
  r = cur - d * u;
  q = q * 65536 + d;
  cur = r * 65536 + (lo >>> 16);
  d = Math.floor(cur / u);
  r = cur - d * u;
  q = q * 65536 + d;
  cur = r * 65536 + (lo & 0xffff);
  d = Math.floor(cur / u);
  r = cur - d * u;
  q = q * 65536 + d;
  out.sec = q;
  if (u === 1_000_000_000) out.nsec = r;
  else if (u === 1_000_000) out.nsec = r * 1000;
  else if (u === 1000) out.nsec = r * 1_000_000;
  else out.nsec = Math.floor((r * 1_000_000_000) / u);
}

/** Human name of a timestamp resolution given in units per second. */
export function resolutionName(unitsPerSecond: number): string {
  switch (unitsPerSecond) {
    case 1: return 'seconds';
    case 1e3: return 'milliseconds';
    case 1e6: return 'microseconds';
    case 1e9: return 'nanoseconds';
    case 1e12: return 'picoseconds';
  }
  const log2 = Math.log2(unitsPerSecond);
  if (Number.isInteger(log2)) return `2^-${log2} seconds`;
  const log10 = Math.round(Math.log10(unitsPerSecond));
  return `10^-${log10} seconds`;
}

/**
 * splitTimestamp with the high word's share cached: the high 32 bits change about every 4 s at
 * nanosecond resolution, so most packets need one division instead of four. One per interface.
 */
export class TimestampSplitter {
  private hi = -1;
  private hiSec = 0;
  private hiRem = 0;
  private readonly tmp: SplitTime = { sec: 0, nsec: 0 };

  constructor(private readonly unitsPerSecond: number) {}

  split(hi: number, lo: number, out: SplitTime): void {
    const u = this.unitsPerSecond;
    if (u === 1 || u > EXACT_MAX_UNITS) {
      splitTimestamp(hi, lo, u, out);
      return;
    }
    if (hi !== this.hi) {
      splitTimestamp(hi, 0, u, this.tmp);
      this.hi = hi;
      this.hiSec = this.tmp.sec;
      this.hiRem = exactRemainder(hi, u);
    }
    const rest = this.hiRem + lo; // < 2^38: exact
    const extra = Math.floor(rest / u);
    const r = rest - extra * u;
    out.sec = this.hiSec + extra;
    if (u === 1_000_000_000) out.nsec = r;
    else if (u === 1_000_000) out.nsec = r * 1000;
    else if (u === 1000) out.nsec = r * 1_000_000;
    else out.nsec = Math.floor((r * 1_000_000_000) / u);
  }
}

/** (hi · 2^32) mod u, by 16-bit long division (exact for u ≤ 2^37). */
function exactRemainder(hi: number, u: number): number {
  let r = 0;
  for (const digit of [hi >>> 16, hi & 0xffff, 0, 0]) {
    const cur = r * 65536 + digit;
    r = cur - Math.floor(cur / u) * u;
  }
  return r;
}
