/**
 * A chunked line splitter for log files that may be huge, binary or cut short. Memory is bounded:
 * a line longer than `maxLineBytes` keeps its first `maxLineBytes` bytes and counts the rest as cut.
 * Lines come in batches (one per chunk read) so a million-line file costs a few thousand awaits.
 * Shared by strace/ and gotool/ (go's log has the same needs). Read with fs.read into one reused
 * buffer (lines are copied out of it) rather than a read stream, which would load node's stream
 * modules and node:fs/promises for `analyze` (src/io/files.ts).
 */
import { FileDescriptor } from '../io/files.js';

export const MAX_LINE_BYTES = 64 * 1024;

export interface LogLine {
  /** 1-based line number in the file. */
  no: number;
  /** Line text without the newline (and without a trailing CR), decoded as UTF-8. */
  text: string;
  /** Bytes dropped from the end of an over-long line (0 when whole). */
  cut: number;
  /** The file ended without a newline after this line. */
  unterminated: boolean;
  /** Holds a NUL or other control bytes that no text log has. */
  binary: boolean;
}

export interface ReadLinesOptions {
  maxLineBytes?: number;
  signal?: AbortSignal;
  chunkBytes?: number;
  /** Called with the size of each chunk read from the file (for progress). */
  onBytes?: (n: number) => void;
}

export async function* readLines(path: string, opts: ReadLinesOptions = {}): AsyncGenerator<LogLine[]> {
  const max = opts.maxLineBytes ?? MAX_LINE_BYTES;
  const chunkBytes = opts.chunkBytes ?? 256 * 1024;
  const fh = await FileDescriptor.open(path, 'r');
  const buf = Buffer.allocUnsafe(chunkBytes);
  let parts: Buffer[] = [];
  let partLen = 0;
  let cut = 0;
  let no = 0;
  const make = (body: Buffer, unterminated: boolean): LogLine => {
    let end = body.length;
    if (end > 0 && body[end - 1] === 13) end--;
    const view = end === body.length ? body : body.subarray(0, end);
    no++;
    const line: LogLine = { no, text: view.toString('utf8'), cut, unterminated, binary: hasControlBytes(view) };
    cut = 0;
    return line;
  };
  try {
    for (;;) {
      const n = await fh.read(buf, 0, chunkBytes, null);
      if (n === 0 || opts.signal?.aborted) break;
      const chunk = buf.subarray(0, n);
      opts.onBytes?.(chunk.length);
      const batch: LogLine[] = [];
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf(10, start);
        if (nl < 0) break;
        const piece = chunk.subarray(start, nl);
        if (partLen === 0) {
          batch.push(make(clip(piece, max, (n) => { cut += n; }), false));
        } else {
          push(piece);
          batch.push(make(Buffer.concat(parts, partLen), false));
          parts = [];
          partLen = 0;
        }
        start = nl + 1;
      }
      if (start < chunk.length) push(chunk.subarray(start));
      if (batch.length) yield batch;
    }
    if (partLen > 0 || cut > 0) yield [make(Buffer.concat(parts, partLen), true)];
  } finally {
    await fh.close().catch(() => undefined);
  }

  function push(piece: Buffer): void {
    const room = max - partLen;
    if (room <= 0) { cut += piece.length; return; }
    if (piece.length > room) { cut += piece.length - room; piece = piece.subarray(0, room); }
    // Copy: the chunk buffer is read into again.
    parts.push(Buffer.from(piece));
    partLen += piece.length;
  }
}

function clip(piece: Buffer, max: number, onCut: (n: number) => void): Buffer {
  if (piece.length <= max) return piece;
  onCut(piece.length - max);
  return piece.subarray(0, max);
}

/** NUL, or C0 controls other than TAB/CR/ESC: text logs never hold them (strace escapes them as \x..). */
export function hasControlBytes(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c < 32 && c !== 9 && c !== 13 && c !== 27) return true;
    if (c === 127) return true;
  }
  return false;
}
