/**
 * One streaming reader for pcap and pcapng, chosen by magic number. Reads chunks into two reused
 * buffers and parses them synchronously; a record that spans two chunks is carried over. Memory
 * stays bounded by the buffers (4 MiB chunks read ahead asynchronously, or, for a regular file on
 * a machine with one CPU, 128 KiB chunks read with blocking calls; plus headroom, and a larger
 * pcapng block joined in a buffer of its own, at most 16 MiB), whatever the file size.
 *
 * `p.data` handed to the callback is a view into that buffer: valid only during the callback.
 */
import { stat } from '../io/files.js';
import { availableParallelism } from 'node:os';
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
  /** Read chunk size in bytes (default 4 MiB, or SYNC_CHUNK when reading with blocking calls). */
  chunkSize?: number;
  /**
   * Read a regular file with blocking calls on this thread rather than ahead on the thread pool
   * (see SYNC_CHUNK). Default: when the process has one CPU to run on. Ignored for stdin, pipes
   * and devices, and with `follow`.
   */
  blocking?: boolean;
  /**
   * Called after each chunk is parsed (every few MiB) with the bytes of the input consumed so far
   * and the packets handed to `onPacket`; for progress display. Must not throw.
   */
  onProgress?: (bytesRead: number, packets: number) => void;
}

export const DEFAULT_CHUNK = 4 * 1024 * 1024;

/**
 * Chunk size for a regular file read with blocking calls on this thread (`blocking`): the kernel's
 * copy leaves the chunk in this core's cache, where the record loop then finds every header. With
 * 4 MiB chunks copied ahead by the thread pool, nearly every record header is a cache miss that
 * stalls the per-packet code (perf: about two thirds of the record loop's samples sat on that
 * load), but the copy runs on another core. On the bench capture (docs/performance.md, reading):
 * with one core, blocking reads take 13–18 % less time; with two, the same for the reconstruction
 * and 5–20 ms more for the bare decoder, for 60–90 ms less CPU.
 */
export const SYNC_CHUNK = 128 * 1024;

let oneCore: boolean | undefined;

/**
 * Whether a regular file is read with blocking calls when the caller does not say: when this
 * process may run on one CPU only (`os.availableParallelism`, which follows taskset and cpusets),
 * so that no other core could do the copy.
 */
function blockingByDefault(): boolean {
  return (oneCore ??= availableParallelism() <= 1);
}

/** While reading with blocking calls, give the event loop a turn (signals, timers) every so many bytes. */
const YIELD_BYTES = 32 * 1024 * 1024;

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

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
  // A regular file (not followed while it grows) may be read with blocking calls; anything else ahead.
  const readSync = opts.follow || !(opts.blocking ?? blockingByDefault()) ? undefined : src.readSync;
  const chunk = Math.max(64 * 1024, opts.chunkSize ?? (readSync ? SYNC_CHUNK : DEFAULT_CHUNK));
  // Two buffers: the next read fills one while we parse the other (I/O overlaps parsing when reads
  // are asynchronous; read blocking, the other buffer holds the tail carried over).
  const bufs = [new Uint8Array(HEADROOM + chunk), new Uint8Array(HEADROOM + chunk)];
  const views = bufs.map((b) => new DataView(b.buffer));
  let cur = 0;
  /** Unconsumed bytes from the previous chunk (a view into the other buffer, or a joined copy). */
  let tail: Uint8Array = new Uint8Array(0);
  /** File offset of tail[0]. */
  let base = 0;
  let parser: RecordParser | null = null;
  let pending: Promise<number> | null = readSync ? null : src.read(bufs[0], HEADROOM, chunk);
  let sinceYield = 0;
  /** The buffer of the slow path below (a record larger than the headroom), kept while it grows. */
  let join: Uint8Array<ArrayBuffer> | null = null;

  try {
  for (;;) {
    let n: number;
    if (readSync) {
      n = readSync(bufs[cur], HEADROOM, chunk);
      if ((sinceYield += n) >= YIELD_BYTES) {
        sinceYield = 0;
        await yieldToEventLoop();
      }
    } else {
      n = await pending!;
      pending = null;
    }
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
      // Slow path: one record larger than the headroom. Join it with the new bytes, in a buffer
      // sized for the whole record when its length is known (else doubled): a block of many chunks
      // then has each chunk appended once, not the whole tail copied again for every chunk.
      const need = parser?.pendingLength ?? 0;
      if (need > MAX_BLOCK_LENGTH + 4096) {
        throw new CaptureFormatError(name, base, `record of ${need} bytes is larger than the read limit`);
      }
      const size = tail.length + n;
      let joined: Uint8Array<ArrayBuffer> | null = join;
      if (joined === null || tail.buffer !== joined.buffer || tail.byteOffset !== 0 || joined.length < size) {
        joined = new Uint8Array(Math.max(size, Math.min(Math.max(need, 2 * size), MAX_BLOCK_LENGTH + 4096)));
        joined.set(tail);
        join = joined;
      }
      joined.set(buf.subarray(HEADROOM, HEADROOM + n), tail.length);
      buf = joined;
      view = new DataView(joined.buffer);
      start = 0;
      end = size;
    }
    const other = 1 - cur;
    if (!eof && !readSync) pending = src.read(bufs[other], HEADROOM, chunk);
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

  clockWarnings(stats);
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

/** A capture of one `go mod download` spans minutes; over this, its times are not one clock's. */
const MAX_SPAN_SECONDS = 30 * 86400;

/**
 * Packet times no single recording gives: a span of over 30 days (captures of different days or
 * years merged into one file) or times after the reader's own clock (a broken clock, or a field
 * read wrongly: a negative 64-bit pcapng time read as unsigned). Waits across such a span are not
 * real; the analysis goes on, and says so.
 */
function clockWarnings(stats: CaptureStats): void {
  const first = stats.firstTime;
  const last = stats.lastTime;
  if (first === null || last === null) return;
  if (last - first > MAX_SPAN_SECONDS) {
    stats.warnings.add('span', `packet times span ${Math.round((last - first) / 86400)} days (${isoDay(first)} to ${isoDay(last)}): merged captures or a broken clock; a wait across a gap in them is not real`);
  }
  if (last > Date.now() / 1000 + 86400) stats.warnings.add('future', `packet times reach ${isoDay(last)}, after today: a broken clock or broken timestamps`);
}

/** The UTC day of an epoch time, or the number when it is outside the dates JavaScript can show. */
function isoDay(t: number): string {
  const d = new Date(t * 1000);
  return Number.isNaN(d.getTime()) ? `${t.toExponential(3)} s after 1970` : d.toISOString().slice(0, 10);
}

/** Size of a file, for progress and summaries; null for stdin. */
export async function captureSize(source: string): Promise<number | null> {
  if (source === '-') return null;
  return (await stat(source)).size;
}
