/**
 * An HTTP/1 header block (request or status line plus header lines, up to the empty line) gathered
 * across TCP segments, bounded; and its parse into the first line and the headers. Shared by the
 * HTTP reader (http.ts) and the capture redactor (share/http-walk.ts), which must agree on where
 * every block ends and on what is kept of it.
 *
 * Memory stays bounded whatever the sender does: a line keeps its first MAX_LINE bytes and the rest
 * of it is skipped to its end; a block keeps its first MAX_HEADER bytes and the lines after them
 * are skipped to the block's end. A block read that way is still a block (a request still counts);
 * which lines were cut short is told with it.
 */
import { latin1 } from './text.js';

/** A line keeps this many bytes; the rest of it is skipped (HTTP_line_too_long). */
export const MAX_LINE = 8 * 1024;
/** A header block keeps this many bytes; the lines after them are skipped (HTTP_header_too_long). */
export const MAX_HEADER = 16 * 1024;

const LF = 0x0a;
const CR = 0x0d;

/** A complete header block: the bytes kept, and the lines (0 = the start line) that were cut short. */
export interface TakenBlock {
  bytes: Uint8Array;
  cut: readonly number[];
}

export class HeaderBlock {
  private buf = new Uint8Array(0);
  private fill = 0;
  /** Complete lines of the block so far. */
  private lines = 0;
  /** Bytes of the current line so far (kept or skipped, without its LF), its first byte, how many kept. */
  private lineLength = 0;
  private lineFirst = 0;
  private lineKept = 0;
  /** Lines (0 = the start line) longer than MAX_LINE, and the one partly kept when the block filled. */
  private long: number[] = [];
  private partAtFull = -1;
  private isFull = false;

  /** Nothing gathered yet (the next bytes start a new block). */
  get empty(): boolean {
    return this.lines === 0 && this.lineLength === 0;
  }

  /** The lines of this block so far longer than MAX_LINE (0 = the start line). */
  get longLines(): readonly number[] {
    return this.long;
  }

  /** MAX_HEADER bytes kept: the rest of the block is skipped. */
  get full(): boolean {
    return this.isFull;
  }

  /** The bytes kept of the line not ended yet (a view, valid until the next append). */
  get openLine(): Uint8Array {
    return this.buf.subarray(this.fill - this.lineKept, this.fill);
  }

  /**
   * Append from b[pos..]; returns the position in `b` just after the block's empty line, or -1
   * when the block goes on. `skipped` is told each stretch b[from..to) that is not kept (never an
   * LF: the line ends are what finds the end of the block); `ended`, each line's end: its LF at
   * b[lf] and the bytes kept of the line (a view without the LF, valid during the call).
   */
  append(b: Uint8Array, pos: number, skipped?: (from: number, to: number) => void, ended?: (lf: number, kept: Uint8Array) => void): number {
    while (pos < b.length) {
      const lf = b.indexOf(LF, pos);
      const stop = lf < 0 ? b.length : lf;
      const n = stop - pos;
      if (n > 0) {
        if (this.lineLength === 0) this.lineFirst = b[pos];
        this.lineLength += n;
        const keep = this.isFull ? 0 : Math.min(n, MAX_LINE - this.lineKept, MAX_HEADER - this.fill);
        this.store(b, pos, pos + keep);
        this.lineKept += keep;
        if (keep < n) {
          const cutAlready = this.isFull || this.long[this.long.length - 1] === this.lines;
          if (!cutAlready && this.fill >= MAX_HEADER) {
            this.isFull = true;
            // A line partly kept is cut short; one wholly skipped is not in the block at all.
            if (this.lineKept > 0) this.partAtFull = this.lines;
          } else if (!cutAlready) this.long.push(this.lines);
          skipped?.(pos + keep, stop);
        }
      }
      if (lf < 0) return -1;
      const end = this.lines > 0 && (this.lineLength === 0 || (this.lineLength === 1 && this.lineFirst === CR));
      ended?.(lf, this.openLine);
      if (this.fill < MAX_HEADER) this.store(b, lf, lf + 1);
      else this.isFull = true;
      this.lines++;
      this.lineLength = 0;
      this.lineKept = 0;
      pos = lf + 1;
      if (end) return pos;
    }
    return -1;
  }

  private store(b: Uint8Array, from: number, to: number): void {
    const n = to - from;
    if (n <= 0) return;
    if (this.buf.length < this.fill + n) {
      const bigger = new Uint8Array(Math.min(MAX_HEADER, Math.max(512, (this.fill + n) * 2)));
      bigger.set(this.buf.subarray(0, this.fill));
      this.buf = bigger;
    }
    this.buf.set(b.subarray(from, to), this.fill);
    this.fill += n;
  }

  /** The complete block (its bytes a view, valid until the next append), and start a new block. */
  take(): TakenBlock {
    const block = { bytes: this.buf.subarray(0, this.fill), cut: this.partAtFull < 0 ? this.long : [...this.long, this.partAtFull] };
    this.fill = 0;
    this.lines = 0;
    this.lineLength = 0;
    this.lineKept = 0;
    this.long = [];
    this.partAtFull = -1;
    this.isFull = false;
    return block;
  }
}

/**
 * A header block as its first line and its headers (names lower-cased, the first of each kept).
 * A header line cut short is left out (its value is not known); `firstCut`: the first line was.
 */
export function parseHeaderBlock(block: TakenBlock): { first: string; firstCut: boolean; headers: Map<string, string> } {
  const lines = latin1(block.bytes).split(/\r?\n/);
  const headers = new Map<string, string>();
  for (let i = 1; i < lines.length; i++) {
    if (block.cut.includes(i)) continue;
    const c = lines[i].indexOf(':');
    if (c <= 0) continue;
    const k = lines[i].slice(0, c).trim().toLowerCase();
    if (!headers.has(k)) headers.set(k, lines[i].slice(c + 1).trim());
  }
  return { first: lines[0], firstCut: block.cut[0] === 0, headers };
}

/**
 * A request line's method and target, or null when it is not one. A line cut short keeps its
 * method and the start of its target (`cut`); its version was in the part skipped.
 */
export function parseRequestLine(first: string, firstCut: boolean): { method: string; target: string; cut: boolean } | null {
  const m = firstCut ? /^([A-Z][A-Z-]{0,19}) (\S+)$/.exec(first) : /^([A-Z][A-Z-]{0,19}) (\S+) HTTP\/\d\.\d$/.exec(first);
  return m ? { method: m[1], target: m[2], cut: firstCut } : null;
}
