/**
 * An HTTP/1 header block (request or status line plus header lines, up to the empty line) gathered
 * across TCP segments, bounded; and its parse into the first line and the headers. Shared by the
 * HTTP reader (http.ts) and the capture redactor (share/http-walk.ts), which must agree on where
 * every block ends.
 */
import { latin1 } from './text.js';

/** A header block longer than this is given up on (HTTP_header_too_long). */
export const MAX_HEADER = 16 * 1024;

export class HeaderBlock {
  private buf = new Uint8Array(0);
  private fill = 0;

  /** Nothing gathered yet (the next bytes start a new block). */
  get empty(): boolean {
    return this.fill === 0;
  }

  /** More than MAX_HEADER bytes without an empty line. */
  get tooLong(): boolean {
    return this.fill > MAX_HEADER;
  }

  /**
   * Append from b[pos..]; returns the position in `b` just after the block's empty line, or -1
   * when the block goes on (or is tooLong).
   */
  append(b: Uint8Array, pos: number): number {
    const take = Math.min(b.length - pos, MAX_HEADER + 4 - this.fill);
    if (this.buf.length < this.fill + take) {
      const bigger = new Uint8Array(Math.min(MAX_HEADER + 4, Math.max(512, (this.fill + take) * 2)));
      bigger.set(this.buf.subarray(0, this.fill));
      this.buf = bigger;
    }
    // The empty line may straddle two segments: look back three bytes.
    const from = Math.max(0, this.fill - 3);
    this.buf.set(b.subarray(pos, pos + take), this.fill);
    this.fill += take;
    for (let i = from; i < this.fill; i++) {
      if (this.buf[i] !== 0x0a) continue;
      const end = this.buf[i + 1] === 0x0a ? i + 2 : this.buf[i + 1] === 0x0d && this.buf[i + 2] === 0x0a ? i + 3 : -1;
      if (end > 0 && end <= this.fill) {
        const overshoot = this.fill - end;
        this.fill = end;
        return pos + take - overshoot;
      }
    }
    if (this.fill > MAX_HEADER) this.fill = MAX_HEADER + 1;
    return -1;
  }

  /** The complete block's bytes (a view, valid until the next append), and start a new block. */
  take(): Uint8Array {
    const block = this.buf.subarray(0, this.fill);
    this.fill = 0;
    return block;
  }
}

/** A header block as its first line and its headers (names lower-cased, the first of each kept). */
export function parseHeaderBlock(block: Uint8Array): { first: string; headers: Map<string, string> } {
  const lines = latin1(block).split(/\r?\n/);
  const headers = new Map<string, string>();
  for (let i = 1; i < lines.length; i++) {
    const c = lines[i].indexOf(':');
    if (c <= 0) continue;
    const k = lines[i].slice(0, c).trim().toLowerCase();
    if (!headers.has(k)) headers.set(k, lines[i].slice(c + 1).trim());
  }
  return { first: lines[0], headers };
}
