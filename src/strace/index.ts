/**
 * loadStrace: a strace log (strace 4.x–6.x, -f / -ff, -t / -tt / -ttt / -r, -T, -y / -yy, any -s)
 * → timed evidence: blocked or slow calls and the process tree. Streams the file(s) with bounded
 * memory; bad lines become counted warnings; a file with no strace line at all is a
 * StraceFormatError naming the file and line.
 */
import { stat } from '../io/files.js';
import type { AnomalyRecord, InputSummary, ProcessRecord, SyscallRecord } from '../report/schema.js';
import { readLines, type LogLine } from './readlines.js';
import { parseLine, type StraceEvent } from './line.js';
import { StraceClock, type ClockOptions } from './timestamps.js';
import { StraceParser, MAX_RECORDS } from './parser.js';
import { straceFiles, type StraceFile } from './files.js';
import { StraceFormatError } from './errors.js';

export { StraceFormatError } from './errors.js';
export { decodeCacheLockPath, unescapeModulePath, classify, SLOW_SECONDS } from './classify.js';
export { parseLine } from './line.js';
export { sniffStraceClock } from './sniff.js';

export interface StraceOptions extends ClockOptions {
  /** Most calls kept (still-blocked calls at the end are always kept). */
  maxRecords?: number;
  signal?: AbortSignal;
  /**
   * Progress, for a display: bytes read so far over all files, their total size, and lines read.
   * Called once per read chunk (every 16–256 KiB) and once at the end. Must not throw.
   */
  onProgress?: (p: StraceProgress) => void;
}

export interface StraceProgress {
  bytes: number;
  total: number;
  lines: number;
}

export interface StraceRecords {
  syscalls: SyscallRecord[];
  processes: ProcessRecord[];
  anomalies: AnomalyRecord[];
}

export interface StraceEvidence {
  /** Epoch seconds of the first and last timed line; null for unanchored -r logs or no times. */
  firstTime: number | null;
  lastTime: number | null;
  input: Omit<InputSummary, 'start' | 'end'>;
  /** Records with times relative to t0 (an unanchored -r log starts at t0). */
  toRecords(t0: number): StraceRecords;
  assumptions: string[];
}

/** More -ff files than this are refused (open files, read buffers); strace-log-merge joins them. */
const MAX_FF_FILES = 1000;

/** Non-blank lines read without one strace line before the file is declared not a strace log. */
const SNIFF_LINES = 2000;

interface Head { line: LogLine; ev: StraceEvent; time: number | null }

class Cursor {
  private batch: LogLine[] = [];
  private idx = 0;
  private readonly gen: AsyncGenerator<LogLine[]>;
  readonly clock: StraceClock;
  head: Head | null = null;
  constructor(readonly file: StraceFile, readonly label: string, opts: StraceOptions, chunkBytes: number, onBytes?: (n: number) => void) {
    this.gen = readLines(file.path, { signal: opts.signal, chunkBytes, onBytes });
    this.clock = new StraceClock(opts);
  }
  /** Move to the next line; false when the batch is used up and advance() must read on. */
  advanceInBatch(): boolean {
    if (this.idx >= this.batch.length) return false;
    const line = this.batch[this.idx++];
    const ev: StraceEvent = line.binary
      ? { type: 'garbage', text: '', pid: null, pidStyle: 'none', time: null }
      : parseLine(line.text, line.unterminated);
    const time = ev.type === 'garbage' ? null : this.clock.place(ev.time) ?? this.clock.last;
    this.head = { line, ev, time };
    return true;
  }
  async advance(): Promise<void> {
    while (this.idx >= this.batch.length) {
      // Let go of the used batch before reading on: its lines are garbage now.
      this.batch = [];
      this.idx = 0;
      const r = await this.gen.next();
      if (r.done) { this.head = null; return; }
      this.batch = r.value;
    }
    this.advanceInBatch();
  }
  key(): number { return this.head?.time ?? this.clock.last ?? -Infinity; }
  async close(): Promise<void> { await this.gen.return(undefined); }
}

export async function loadStrace(path: string, opts: StraceOptions = {}): Promise<StraceEvidence> {
  const files = await straceFiles(path);
  if (files.length > MAX_FF_FILES) {
    const e = new Error(`${path}: ${files.length} strace -ff files is more than ${MAX_FF_FILES} read at once; merge them first (strace-log-merge ${path} > merged.log)`);
    e.name = 'InputError';
    throw e;
  }
  // Read buffers stay bounded however many -ff files there are.
  const chunkBytes = Math.max(16 * 1024, Math.min(256 * 1024, Math.floor((32 * 1024 * 1024) / files.length)));
  const multi = files.length > 1 || files[0].pid !== null;
  const parser = new StraceParser(opts.maxRecords ?? MAX_RECORDS);
  const progress = opts.onProgress ? await progressFor(files, opts.onProgress, () => parser.lines) : null;
  const cursors = files.map((f) => new Cursor(f, multi ? f.path : '', opts, chunkBytes, progress?.onBytes));
  let firstBad: { file: string; line: number; text: string } | null = null;
  let nonBlank = 0;
  try {
    for (const c of cursors) await c.advance();
    for (;;) {
      // Take the earliest head (files are each in time order); ties go to the first file.
      let best: Cursor | null = null;
      for (const c of cursors) if (c.head && (best === null || c.key() < best.key())) best = c;
      if (!best) break;
      const h = best.head!;
      if (h.line.text.trim() !== '') {
        nonBlank++;
        if (h.ev.type === 'garbage' && firstBad === null) firstBad = { file: best.file.path, line: h.line.no, text: h.line.text };
      }
      parser.feed(h.ev, h.time, h.line, best.label, best.file.pid);
      if (parser.parsedLines === 0 && nonBlank >= SNIFF_LINES) break;
      if (opts.signal?.aborted) break;
      // Most lines come from the batch in hand: no promise per line.
      if (!best.advanceInBatch()) await best.advance();
    }
  } finally {
    for (const c of cursors) await c.close();
  }
  if (parser.parsedLines === 0 && firstBad !== null) {
    const shown = firstBad.text.replace(/[^\x20-\x7e]+/g, '?').slice(0, 60);
    throw new StraceFormatError(firstBad.file, firstBad.line, `not a strace log: no line looks like strace output (first: "${shown}")`);
  }
  parser.finish();
  progress?.end();

  const clocks = cursors.map((c) => c.clock);
  const relative = clocks.some((c) => c.isRelative);
  const assumptions = [...new Set(clocks.flatMap((c) => c.assumptions()))];
  const warnings = buildWarnings(parser, files.length);
  if (parser.lines === 0) warnings.push('strace log is empty');
  if (!parser.features.epoch && !parser.features.tod && !parser.features.rel && parser.parsedLines > 0) {
    assumptions.push('strace log has no timestamps (no -t/-tt/-ttt/-r): its calls are only ordered, all placed at t0');
  }
  if (!parser.features.durations && parser.parsedLines > 0 && (parser.features.epoch || parser.features.tod || parser.features.rel)) {
    assumptions.push('strace log has no -T durations: a call is taken to last until the next line (an upper bound)');
  }
  const format = describeFormat(parser, files.length);

  return {
    firstTime: relative ? null : parser.firstTime,
    lastTime: relative ? null : parser.lastTime,
    input: { kind: 'strace', file: path, format, lines: parser.lines, warnings },
    assumptions,
    toRecords(t0: number): StraceRecords {
      const rel = (t: number | null): number | null => (t === null ? null : Math.round((relative ? t : t - t0) * 1e6) / 1e6);
      const syscalls: SyscallRecord[] = parser.kept.map((k) => ({
        pid: k.pid, command: k.command, name: k.name, start: rel(k.start) ?? 0, duration: k.duration,
        result: k.result, kind: k.kind, fd: k.fd, path: k.path, module: k.module,
        socket: k.socket ? { local: k.socket.local, remote: k.socket.remote, protocol: k.socket.protocol } : null,
        line: k.line, text: k.text,
      }));
      syscalls.sort((a, b) => a.start - b.start || a.line - b.line);
      const processes: ProcessRecord[] = [];
      for (const p of parser.tree.procs.values()) {
        processes.push({ pid: p.pid, ppid: p.ppid, command: p.command, argv: [...p.argv], start: rel(p.start), end: rel(p.end), exit: p.exit ? { ...p.exit } : null });
      }
      processes.sort((a, b) => (a.start ?? 0) - (b.start ?? 0) || a.pid - b.pid);
      const anomalies: AnomalyRecord[] = parser.anomalies.map((a) => {
        const r: AnomalyRecord = { name: a.name, t: rel(a.t), ref: a.ref };
        if (a.detail !== undefined) r.detail = a.detail;
        return r;
      });
      return { syscalls, processes, anomalies };
    },
  };
}

/**
 * Byte counting for onProgress. A chunk is counted when read, before its lines are parsed (read
 * ahead by at most one chunk per file); the report is sent on the next chunk, so `lines` trails.
 */
async function progressFor(files: StraceFile[], cb: (p: StraceProgress) => void, lines: () => number): Promise<{ onBytes: (n: number) => void; end: () => void }> {
  let total = 0;
  for (const f of files) {
    try { total += (await stat(f.path)).size; } catch { /* gone: read will say so */ }
  }
  let bytes = 0;
  return {
    onBytes: (n) => { bytes += n; cb({ bytes, total: Math.max(total, bytes), lines: lines() }); },
    end: () => cb({ bytes, total: Math.max(total, bytes), lines: lines() }),
  };
}

function buildWarnings(p: StraceParser, files: number): string[] {
  const w: string[] = [];
  const c = p.counters;
  const at = (first: string | null): string => (first ? ` (first: ${first})` : '');
  if (c.garbage.count) w.push(`${c.garbage.count} line(s) not recognised as strace output, skipped${at(c.garbage.first)}`);
  if (c.binary.count) w.push(`${c.binary.count} line(s) with binary bytes skipped${at(c.binary.first)}`);
  if (c.cut.count) w.push(`${c.cut.count} line(s) longer than 64 KiB were cut${at(c.cut.first)}`);
  if (c.partial.count) w.push(`last line has no newline: its call is taken as still in progress${at(c.partial.first)}`);
  if (c.brokenPartial.count) w.push(`last line is cut short (no newline) and was skipped${at(c.brokenPartial.first)}`);
  if (p.joiner.orphans) w.push(`${p.joiner.orphans} resumed call(s) had no start in the log (first: line ${p.joiner.firstOrphanLine})`);
  if (p.droppedRecords) w.push(`kept-call limit reached: ${p.droppedRecords} more call(s) not kept (quick ones make way for slow and blocked calls)`);
  if (p.tree.dropped) w.push(`process limit reached: ${p.tree.dropped} line(s) of untracked processes`);
  if (p.tree.fdsDropped) w.push(`fd table limit reached: ${p.tree.fdsDropped} fd(s) not tracked`);
  if (p.tree.threadsDropped) w.push(`thread limit reached: ${p.tree.threadsDropped} line(s) of untracked threads`);
  if (files > 1) w.push(`${files} strace -ff files merged by time`);
  return w;
}

function describeFormat(p: StraceParser, files: number): string {
  const f = p.features;
  const parts = ['strace'];
  if (files > 1) parts.push('-ff');
  else if (f.pidColumn) parts.push('-f');
  else if (f.pidBracket) parts.push('-f ([pid N])');
  if (f.epoch) parts.push('-ttt');
  else if (f.tod) parts.push(f.todMicro ? '-tt' : '-t');
  else if (f.rel) parts.push('-r');
  if (f.durations) parts.push('-T');
  if (f.socketNotes) parts.push('-yy');
  else if (f.pathNotes) parts.push('-y');
  return parts.join(' ');
}
