/**
 * What to keep of one direction of a TCP stream, in stream offsets (0 = the first byte after the
 * SYN, or the first byte seen). Bytes in a `keep` range are copied (with `mask` bytes written over
 * them); bytes in a `zero` range are replaced by zeros but stay in the packet (the analyzer's
 * parser could not skip them as a gap, e.g. chunk data between chunk-size lines); every other byte
 * is cut: when it is at the end of a packet the packet is shortened, in the middle it is zeroed.
 */

export const KEEP = 0;
export const ZERO = 1;

export class StreamPlan {
  /** Flat [start, end, kind, start, end, kind, …]; sorted and merged by `finish`. */
  private ranges: number[] = [];
  private masks: Array<{ off: number; bytes: Uint8Array }> = [];
  private starts: number[] = [];
  private done = false;

  keep(start: number, end: number): void {
    this.add(start, end, KEEP);
  }

  zero(start: number, end: number): void {
    this.add(start, end, ZERO);
  }

  /** Write `bytes` over kept bytes at `off` (same length: stream offsets never move). */
  mask(off: number, bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.masks.push({ off, bytes });
    this.done = false;
  }

  private add(start: number, end: number, kind: number): void {
    if (end <= start) return;
    this.done = false;
    const r = this.ranges;
    const n = r.length;
    // Consecutive calls mostly extend the last range.
    if (n > 0 && r[n - 1] === kind && r[n - 2] === start) {
      r[n - 2] = end;
      return;
    }
    r.push(start, end, kind);
  }

  /** Sort and merge (keep wins over zero where they overlap). Called before `apply`. */
  finish(): void {
    if (this.done) return;
    // Sweep over range boundaries: +1/-1 per kind, elementary pieces take the strongest kind.
    const events: Array<[number, number, number]> = [];
    for (let i = 0; i < this.ranges.length; i += 3) {
      events.push([this.ranges[i], this.ranges[i + 2], 1], [this.ranges[i + 1], this.ranges[i + 2], -1]);
    }
    events.sort((a, b) => a[0] - b[0]);
    const open = [0, 0];
    const out: number[] = [];
    let prev = 0;
    for (let i = 0; i < events.length;) {
      const at = events[i][0];
      if (at > prev) {
        const kind = open[KEEP] > 0 ? KEEP : open[ZERO] > 0 ? ZERO : -1;
        const m = out.length;
        if (kind >= 0) {
          if (m > 0 && out[m - 1] === kind && out[m - 2] === prev) out[m - 2] = at;
          else out.push(prev, at, kind);
        }
      }
      while (i < events.length && events[i][0] === at) {
        open[events[i][1]] += events[i][2];
        i++;
      }
      prev = at;
    }
    this.ranges = out;
    this.starts = [];
    for (let i = 0; i < out.length; i += 3) this.starts.push(out[i]);
    this.masks.sort((a, b) => a.off - b.off);
    this.done = true;
  }

  /** Number of kept or zeroed bytes (for tests and statistics). */
  get kept(): number {
    let n = 0;
    for (let i = 0; i < this.ranges.length; i += 3) if (this.ranges[i + 2] === KEEP) n += this.ranges[i + 1] - this.ranges[i];
    return n;
  }

  /**
   * The redacted form of a payload that starts at stream offset `off`: a new array as long as the
   * part that must stay in the packet (kept or zeroed bytes, and whatever lies between them).
   */
  apply(off: number, payload: Uint8Array): Uint8Array {
    if (!this.done) this.finish();
    const n = payload.length;
    const out = new Uint8Array(n);
    let last = 0;
    const r = this.ranges;
    for (let i = this.firstEndingAfter(off); i < r.length; i += 3) {
      const s = r[i] - off;
      if (s >= n) break;
      const e = Math.min(n, r[i + 1] - off);
      const from = Math.max(0, s);
      if (r[i + 2] === KEEP) out.set(payload.subarray(from, e), from);
      if (e > last) last = e;
    }
    for (const m of this.masksIn(off, off + last)) {
      // Masks cover kept header bytes only: write each byte where the plan keeps it.
      for (let i = 0; i < m.bytes.length; i++) {
        const at = m.off + i;
        if (at < off || at >= off + last) continue;
        if (this.kindAt(at) === KEEP) out[at - off] = m.bytes[i];
      }
    }
    return out.subarray(0, last);
  }

  /** KEEP, ZERO or -1 (cut) for one stream offset. */
  kindAt(off: number): number {
    if (!this.done) this.finish();
    const i = this.firstEndingAfter(off);
    return i < this.ranges.length && this.ranges[i] <= off ? this.ranges[i + 2] : -1;
  }

  /** Index (into `ranges`) of the first range with end > off. */
  private firstEndingAfter(off: number): number {
    const s = this.starts;
    let lo = 0;
    let hi = s.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ranges[mid * 3 + 1] <= off) lo = mid + 1;
      else hi = mid;
    }
    return lo * 3;
  }

  private *masksIn(from: number, to: number): Generator<{ off: number; bytes: Uint8Array }> {
    const m = this.masks;
    let lo = 0;
    let hi = m.length;
    // Masks are short (one header line): look back from the first starting at or after `from - 64K`.
    const start = from - 65_536;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (m[mid].off < start) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < m.length && m[i].off < to; i++) if (m[i].off + m[i].bytes.length > from) yield m[i];
  }
}
