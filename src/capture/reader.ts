/**
 * One streaming reader for pcap and pcapng, chosen by magic number. Reads large chunks into one
 * reused buffer and parses them synchronously; a record that spans two chunks is carried over.
 * Memory stays bounded by the buffer (4 MiB, grown only for a single larger pcapng block, at most
 * 16 MiB), whatever the file size.
 *
 * `p.data` handed to the callback is a view into that buffer: valid only during the callback.
 */
import { stat } from 'node:fs/promises';
import { CaptureFormatError, type CaptureSummary, type RawPacket } from './types.js';
import { CaptureStats, type RecordParser } from './parser.js';
import { PcapParser } from './pcap.js';
import { PcapngParser, MAX_BLOCK_LENGTH } from './pcapng.js';
import { detectFormat } from './magic.js';
import { FileSource, MemorySource, StreamSource, type ByteSource } from './source.js';

export interface ReadCaptureOptions {
  /** Keep reading a file that is still being written (tcpdump -w); stop when `signal` aborts. */
  follow?: boolean;
  signal?: AbortSignal;
  /** Poll interval while following, milliseconds (default 200). */
  pollMs?: number;
  /** Read chunk size in bytes (default 4 MiB). */
  chunkSize?: number;
  /**
   * Called after each chunk is parsed (every few MiB) with the bytes of the input consumed so far
   * and the packets handed to `onPacket`; for progress display. Must not throw.
   */
  onProgress?: (bytesRead: number, packets: number) => void;
}

export const DEFAULT_CHUNK = 4 * 1024 * 1024;

/** Read a capture from a path, or from stdin when `source` is '-'. */
export async function readCapture(
  source: string,
  onPacket: (p: RawPacket) => void,
  opts: ReadCaptureOptions = {},
): Promise<CaptureSummary> {
  const name = source === '-' ? '<stdin>' : source;
  let src: ByteSource;
  if (source === '-') {
    src = new StreamSource(process.stdin);
  } else if (opts.follow) {
    src = await openWhenPresent(source, opts);
  } else {
    src = await FileSource.open(source);
  }
  try {
      return await readFrom(src, name, onPacket, opts);
  } finally {
    await src.close();
  }
}

/** Read a capture held in memory (tests, fuzzing, embedded samples). */
export function readCaptureBytes(
  bytes: Uint8Array,
  name: string,
  onPacket: (p: RawPacket) => void,
  opts: Omit<ReadCaptureOptions, 'follow'> = {},
): Promise<CaptureSummary> {
  return readFrom(new MemorySource(bytes), name, onPacket, opts);
}

async function openWhenPresent(path: string, opts: ReadCaptureOptions): Promise<ByteSource> {
  for (;;) {
    try {
      return await FileSource.open(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || opts.signal?.aborted) throw err;
      await pause(opts);
    }
  }
}

/**
 * Wait `pollMs` while following a file, or less if `signal` aborts. (A plain timer rather than
 * node:timers/promises, which would be one module more to load for every read.)
 */
function pause(opts: ReadCaptureOptions): Promise<void> {
  const signal = opts.signal;
  if (signal?.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, opts.pollMs ?? 200);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Headroom before each read buffer's data: the incomplete record left at the end of one chunk is
 * copied there, just in front of the next chunk, so records spanning chunks need no extra buffer.
 * Larger leftovers (a pcapng block over 512 KiB) take a slow path: joined with the next chunk in a
 * temporary buffer.
 */
const HEADROOM = 512 * 1024;

export async function readFrom(
  src: ByteSource,
  name: string,
  onPacket: (p: RawPacket) => void,
  opts: ReadCaptureOptions = {},
): Promise<CaptureSummary> {
  const stats = new CaptureStats();
  const chunk = Math.max(64 * 1024, opts.chunkSize ?? DEFAULT_CHUNK);
  // Two buffers: the next read fills one while we parse the other (I/O overlaps parsing).
  const bufs = [new Uint8Array(HEADROOM + chunk), new Uint8Array(HEADROOM + chunk)];
  const views = bufs.map((b) => new DataView(b.buffer));
  let cur = 0;
  /** Unconsumed bytes from the previous chunk (a view into the other buffer, or a joined copy). */
  let tail: Uint8Array = new Uint8Array(0);
  /** File offset of tail[0]. */
  let base = 0;
  let parser: RecordParser | null = null;
  let pending: Promise<number> | null = src.read(bufs[0], HEADROOM, chunk);

  try {
  for (;;) {
    const n = await pending!;
    pending = null;
    let eof = false;
    if (n === 0) {
      if (opts.follow && !opts.signal?.aborted) {
        await pause(opts);
        if (!opts.signal?.aborted) {
          pending = src.read(bufs[cur], HEADROOM, chunk);
          continue;
        }
      }
      eof = true;
    }
    let buf = bufs[cur];
    let view = views[cur];
    let start: number;
    let end: number;
    if (tail.length <= HEADROOM) {
      start = HEADROOM - tail.length;
      buf.set(tail, start);
      end = HEADROOM + n;
    } else {
      // Slow path: one record larger than the headroom. Join it with the new bytes.
      const need = parser?.pendingLength ?? 0;
      if (need > MAX_BLOCK_LENGTH + 4096) {
        throw new CaptureFormatError(name, base, `record of ${need} bytes is larger than the read limit`);
      }
      const joined = new Uint8Array(tail.length + n);
      joined.set(tail);
      joined.set(buf.subarray(HEADROOM, HEADROOM + n), tail.length);
      buf = joined;
      view = new DataView(joined.buffer);
      start = 0;
      end = joined.length;
    }
    const other = 1 - cur;
    if (!eof) pending = src.read(bufs[other], HEADROOM, chunk);
    const stopped = opts.signal?.aborted === true;
    if (!parser) {
      if (end - start < 4 && !eof && !stopped) {
        tail = buf.subarray(start, end);
        if (tail.buffer === bufs[other].buffer) tail = tail.slice();
        cur = other;
        continue;
      }
      const format = detectFormat(name, buf.subarray(start, end), end - start);
      parser = format === 'pcap' ? new PcapParser(name, onPacket, stats) : new PcapngParser(name, onPacket, stats);
    }
    const used = parser.parse(buf, view, start, end, base - start);
    base += used - start;
    tail = buf.subarray(used, end);
    opts.onProgress?.(base + tail.length, stats.packets);
    if (eof || stopped) {
      if (stopped && !opts.follow) stats.warnings.add('stopped', `stopped at byte ${base} before the end of the input`);
      parser.finish(tail.length, base);
      break;
    }
    if (tail.length > HEADROOM && buf === bufs[cur]) tail = tail.slice(); // keep it: this buffer is reused
    cur = other;
  }
  } finally {
    // A broken file or a throwing callback leaves a read in flight: let it land before the caller
    // closes the file, so it cannot turn into an unhandled rejection.
    if (pending) await pending.catch(() => 0);
  }

  const d = parser.describe();
  return {
    file: name,
    format: parser.format,
    byteOrder: d.byteOrder,
    tsResolution: d.tsResolution,
    version: d.version,
    sections: d.sections,
    interfaces: d.interfaces,
    packets: stats.packets,
    bytes: stats.bytes,
    firstTime: stats.firstTime,
    lastTime: stats.lastTime,
    warnings: stats.warnings.lines(),
  };
}

/** Size of a file, for progress and summaries; null for stdin. */
export async function captureSize(source: string): Promise<number | null> {
  if (source === '-') return null;
  return (await stat(source)).size;
}
