/**
 * Reading progress on a terminal, for long inputs: one status line on stderr, redrawn in place,
 *
 *   capture big.pcap: 812.0 MiB / 2.0 GiB (39%) · 845,123 packets · 310.2 MiB/s · ETA 4 s
 *
 * shown only when stderr is a TTY (not TERM=dumb, not under CI, not GOMOD_TRACE_PROGRESS=0), only
 * once the run has taken `delayMs` (1 s: small inputs show nothing), redrawn at most every
 * `intervalMs` (100 ms), and erased by `done()`, leaving the terminal as if it had never been
 * there. No colour: NO_COLOR has nothing to turn off. GOMOD_TRACE_PROGRESS=1 forces it on.
 *
 * Usage: `const progress = createProgress(process.stderr, process.env)`, pass `progress.update` as
 * analyze()'s `onProgress`, call `progress.done()` in a finally block (before any error message).
 */
import type { AnalyzeProgress } from '../timeline/analyze.js';

export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  /** Clock in milliseconds (tests pass a fake one). Default: performance.now(). */
  now?: () => number;
  /** Nothing is drawn before the run has taken this long (default 1000 ms). */
  delayMs?: number;
  /** Least time between two redraws (default 100 ms). */
  intervalMs?: number;
}

export interface Progress {
  /** Record the latest position; redraws when due. Cheap enough to call per chunk. */
  update(p: AnalyzeProgress): void;
  /** Erase the status line (if one was drawn). Idempotent. */
  done(): void;
  /** Whether anything was drawn (tests, and callers that want to print a summary). */
  readonly shown: boolean;
}

/** Whether to show progress on this stream: a TTY, and the environment does not say otherwise. */
export function progressEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  const force = env.GOMOD_TRACE_PROGRESS;
  if (force === '0' || force === 'false' || force === 'off') return false;
  if (force === '1' || force === 'true' || force === 'on') return true;
  if (stream.isTTY !== true) return false;
  if (env.TERM === 'dumb') return false;
  if (env.CI !== undefined && env.CI !== '' && env.CI !== '0' && env.CI !== 'false') return false;
  return true;
}

/** A reporter that does nothing (not a terminal, or --no-progress). */
export const NO_PROGRESS: Progress = { update: () => undefined, done: () => undefined, shown: false };

export function createProgress(stream: ProgressStream, env: NodeJS.ProcessEnv, opts: ProgressOptions = {}): Progress {
  if (!progressEnabled(stream, env)) return NO_PROGRESS;
  return new TerminalProgress(stream, opts);
}

/** "\r" + text + erase-to-end-of-line: redraws the line in place without leaving leftovers. */
const ERASE_LINE = '\x1b[K';

export class TerminalProgress implements Progress {
  private readonly now: () => number;
  private readonly delayMs: number;
  private readonly intervalMs: number;
  private readonly started: number;
  private lastDraw = -Infinity;
  private drawn = false;
  private finished = false;
  /** The input being read, and when its first update came (for its rate). */
  private current: { key: string; since: number; bytes0: number } | null = null;
  private latest: AnalyzeProgress | null = null;

  constructor(private readonly stream: ProgressStream, opts: ProgressOptions = {}) {
    this.now = opts.now ?? (() => performance.now());
    this.delayMs = opts.delayMs ?? 1000;
    this.intervalMs = opts.intervalMs ?? 100;
    this.started = this.now();
    // Callers pass `progress.update` around as a callback.
    this.update = this.update.bind(this);
    this.done = this.done.bind(this);
  }

  get shown(): boolean { return this.drawn; }

  update(p: AnalyzeProgress): void {
    if (this.finished) return;
    const t = this.now();
    const key = `${p.kind}\0${p.file}`;
    if (this.current === null || this.current.key !== key) this.current = { key, since: t, bytes0: p.bytes };
    this.latest = p;
    if (p.done) return; // the next input (or done()) replaces the line
    if (t - this.started < this.delayMs || t - this.lastDraw < this.intervalMs) return;
    this.lastDraw = t;
    this.drawn = true;
    const columns = this.stream.columns;
    const width = columns !== undefined && columns > 20 ? columns - 1 : 79;
    this.stream.write(`\r${formatProgress(p, (t - this.current.since) / 1000, p.bytes - this.current.bytes0, width)}${ERASE_LINE}`);
  }

  done(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.drawn) this.stream.write(`\r${ERASE_LINE}`);
  }
}

/**
 * The status line for one update, at most `width` characters (a wrapped line cannot be redrawn):
 * what is read, how far (bytes, %, packets or lines), how fast, how long is left. `seconds` and
 * `bytesSince` measure the rate over this input so far. The file name is shortened first, then
 * the count and the rate are dropped, so that the percentage and the ETA stay visible.
 */
export function formatProgress(p: AnalyzeProgress, seconds: number, bytesSince: number, width = 79): string {
  const what = p.kind === 'capture' ? 'capture' : 'strace';
  let amount = formatBytes(p.bytes);
  let short = amount;
  if (p.total !== null && p.total > 0) {
    const pct = Math.min(100, Math.floor((p.bytes / p.total) * 100));
    amount += ` / ${formatBytes(p.total)} (${pct}%)`;
    short = `${pct}%`;
  }
  const count = `${p.count.toLocaleString('en-US')} ${p.kind === 'capture' ? 'packets' : 'lines'}`;
  const rate = seconds > 0.05 && bytesSince > 0 ? bytesSince / seconds : null;
  const speed = rate !== null ? `${formatBytes(rate)}/s` : null;
  const eta = rate !== null && p.total !== null && p.total > p.bytes ? `ETA ${formatDuration((p.total - p.bytes) / rate)}` : null;
  const name = displayName(p.file);
  const tries: Array<[number, Array<string | null>]> = [[24, [amount, count, speed, eta]], [24, [amount, count, eta]], [24, [amount, eta]], [8, [amount, eta]], [8, [short, eta]]];
  for (const [least, tail] of tries) {
    const rest = tail.filter((x): x is string => x !== null).join(' · ');
    const room = width - what.length - rest.length - 3; // "what NAME: rest"
    if (room >= Math.min(least, name.length)) return `${what} ${shorten(name, room)}: ${rest}`;
  }
  const minimal = [`${what}: ${short}`, eta].filter((x) => x !== null).join(' · ');
  return minimal.length <= width ? minimal : minimal.slice(0, width);
}

/** The file's base name, with control characters (which could drive the terminal) shown as '?'. */
function displayName(file: string): string {
  if (file === '-') return '<stdin>';
  const base = file.replace(/\/+$/, '').split('/').pop() ?? file;
  // eslint-disable-next-line no-control-regex
  return (base === '' ? file : base).replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

function shorten(name: string, room: number): string {
  if (name.length <= room) return name;
  const half = Math.max(1, Math.floor((room - 1) / 2));
  return `${name.slice(0, half)}…${name.slice(name.length - (room - 1 - half))}`;
}

/** 1023 B, 1.5 KiB, 812.3 MiB, 2.0 GiB. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${Math.round(n)} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${v.toFixed(1)} ${units[i]}`;
}

/** 4 s, 1 min 05 s, 2 h 03 min. */
export function formatDuration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  const secs = Math.ceil(s);
  if (secs < 60) return `${secs} s`;
  if (secs < 3600) return `${Math.floor(secs / 60)} min ${String(secs % 60).padStart(2, '0')} s`;
  return `${Math.floor(secs / 3600)} h ${String(Math.floor((secs % 3600) / 60)).padStart(2, '0')} min`;
}
