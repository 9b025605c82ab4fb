/**
 * Running go for `record`: `-x` added through GOFLAGS (the user's flags kept), every output line
 * written to go.log as `<epoch seconds, 6 decimals> <O|E> <line>` (O stdout, E stderr) and echoed
 * live to the user's terminal.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { basename } from 'node:path';
import { commOf, descendants } from './proctree.js';
import { GroupGuard } from './lifeline.js';

/** Longest line kept whole; a longer run without a newline is cut into pieces of this size. */
export const MAX_LINE = 64 * 1024;

/** Current time as epoch seconds with sub-millisecond precision. */
export function nowEpoch(): number {
  return (performance.timeOrigin + performance.now()) / 1000;
}

export function formatLogLine(t: number, stream: 'O' | 'E', line: string): string {
  return `${t.toFixed(6)} ${stream} ${line}\n`;
}

/** GOFLAGS with -x added; the user's own flags are kept, and an existing -x is not doubled. */
export function withXFlag(goflags: string | undefined): string {
  const flags = (goflags ?? '').split(/\s+/).filter(Boolean);
  const kept = flags.filter((f) => !/^--?x(=(true|false|1|0|t|f|TRUE|FALSE|True|False))?$/.test(f));
  return [...kept, '-x'].join(' ');
}

/**
 * GODEBUG with the net package's resolver debugging on (`netdns=2`): go then prints which resolver
 * it uses and `hostLookupOrder(HOST) = files,dns` as each lookup starts, which names the DNS stage
 * even without a capture. A resolver the user chose stays chosen (`netdns=cgo` → `netdns=cgo+2`);
 * a debug level already set is kept.
 */
export function withNetdnsDebug(godebug: string | undefined): string {
  const parts = (godebug ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const i = parts.findIndex((p) => p.startsWith('netdns='));
  if (i < 0) return [...parts, 'netdns=2'].join(',');
  const value = parts[i].slice('netdns='.length);
  if (/\d/.test(value)) return parts.join(',');
  parts[i] = value === '' ? 'netdns=2' : `netdns=${value}+2`;
  return parts.join(',');
}

/** Splits a byte stream into lines, bounded by MAX_LINE; calls `emit` for each. */
export class LineSplitter {
  private partial = '';
  constructor(private readonly emit: (line: string) => void) {}

  push(chunk: string): void {
    let text = this.partial + chunk;
    let nl: number;
    while ((nl = text.indexOf('\n')) >= 0) {
      let line = text.slice(0, nl);
      if (line.endsWith('\r')) line = line.slice(0, -1);
      this.emitBounded(line);
      text = text.slice(nl + 1);
    }
    while (text.length > MAX_LINE) {
      this.emit(text.slice(0, MAX_LINE));
      text = text.slice(MAX_LINE);
    }
    this.partial = text;
  }

  flush(): void {
    if (this.partial.length > 0) this.emitBounded(this.partial);
    this.partial = '';
  }

  private emitBounded(line: string): void {
    for (let i = 0; i < line.length; i += MAX_LINE) this.emit(line.slice(i, i + MAX_LINE));
    if (line.length === 0) this.emit('');
  }
}

export interface GoRunOptions {
  /** Resolved path of go and its arguments, e.g. ['mod', 'download']. */
  go: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  logFile: string;
  /** Where to echo go's output live; null to stay quiet. */
  echo?: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } | null;
  /** Run go under this wrapper (strace): command and its arguments before go's path. */
  wrap?: { command: string; args: string[] } | null;
  /** Commands between the wrapper and go (e.g. the lab's `unshare -m …` helper). */
  prefix?: string[];
  uid?: number;
  gid?: number;
  /** Called for every line, with its epoch time. */
  onLine?: (t: number, stream: 'O' | 'E', line: string) => void;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class GoRun {
  readonly child: ChildProcess;
  /** go runs under strace or a prefix command, not as our direct child. */
  readonly wrapped: boolean;
  private readonly goName: string;
  readonly exited: Promise<ExitInfo>;
  private exitInfo: ExitInfo | null = null;
  private processExited = false;
  private readonly log: WriteStream;
  private readonly logClosed: Promise<void>;
  /** SIGKILLs go's process group if we die before tearing it down (lifeline.ts). */
  private readonly guard: GroupGuard | null;
  lines = 0;
  lastLineAt: number | null = null;
  logError: Error | null = null;

  constructor(opts: GoRunOptions) {
    this.wrapped = !!opts.wrap || (opts.prefix?.length ?? 0) > 0;
    this.goName = basename(opts.go).slice(0, 15);
    this.log = createWriteStream(opts.logFile, { flags: 'w', mode: 0o644 });
    this.logClosed = new Promise((resolve) => {
      this.log.on('close', () => resolve());
    });
    this.log.on('error', (err) => {
      this.logError = err;
    });
    const full = [...(opts.wrap ? [opts.wrap.command, ...opts.wrap.args] : []), ...(opts.prefix ?? []), opts.go, ...opts.args];
    const command = full[0];
    const args = full.slice(1);
    // Own process group: Ctrl-C reaches gomod-trace alone, which then sends go SIGQUIT first.
    this.child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      env: opts.env,
      cwd: opts.cwd,
      ...(opts.uid !== undefined && !opts.wrap ? { uid: opts.uid, gid: opts.gid } : {}),
    });
    this.guard = this.child.pid === undefined ? null : GroupGuard.start(this.child.pid);
    const handle = (stream: 'O' | 'E', echo: NodeJS.WritableStream | undefined) => {
      return new LineSplitter((line) => {
        const t = nowEpoch();
        this.lines++;
        this.lastLineAt = t;
        if (!this.logError) this.log.write(formatLogLine(t, stream, line));
        if (echo) echo.write(line + '\n');
        opts.onLine?.(t, stream, line);
      });
    };
    const out = handle('O', opts.echo?.stdout);
    const err = handle('E', opts.echo?.stderr);
    this.child.stdout?.setEncoding('utf8');
    this.child.stderr?.setEncoding('utf8');
    this.child.stdout?.on('data', (c: string) => out.push(c));
    this.child.stderr?.on('data', (c: string) => err.push(c));
    this.exited = new Promise((resolve) => {
      let spawnError: Error | null = null;
      let exit: ExitInfo | null = null;
      let settled = false;
      const settle = (): void => {
        if (settled || !exit) return;
        settled = true;
        out.flush();
        err.flush();
        if (spawnError && !this.logError) this.log.write(formatLogLine(nowEpoch(), 'E', `gomod-trace: cannot run ${command}: ${spawnError.message}`));
        this.exitInfo = exit;
        resolve(exit);
      };
      this.child.on('error', (e) => {
        spawnError = e;
        this.processExited = true;
        exit = { code: 127, signal: null };
        settle();
      });
      this.child.on('exit', (code, sig) => {
        exit = { code, signal: sig };
        this.processExited = true;
        // Output still in the pipes arrives before 'close'; a grandchild that kept the pipes open
        // must not keep us waiting, so give 'close' two seconds.
        setTimeout(() => {
          this.child.stdout?.destroy();
          this.child.stderr?.destroy();
          settle();
        }, 2000).unref();
      });
      this.child.on('close', () => settle());
    });
  }

  get running(): boolean {
    return !this.processExited && this.exitInfo === null;
  }

  /** The go process itself: the wrapper's first child when wrapped, else our child. */
  goPid(): number | null {
    const pid = this.child.pid;
    if (pid === undefined) return null;
    if (!this.wrapped) return pid;
    // The first process in the tree running go itself (its comm is go's file name).
    const tree = [pid, ...descendants(pid)];
    const go = tree.find((p) => commOf(p) === this.goName);
    if (go !== undefined) return go;
    return tree.length > 1 ? tree[1] : null;
  }

  /** go's process group is gone, or torn down by us: its guard goes. */
  releaseGuard(): void {
    this.guard?.release();
  }

  /** Append a note of our own to go.log (e.g. why we stopped go), marked as gomod-trace's. */
  note(text: string): void {
    if (!this.logError && this.log.writable) this.log.write(formatLogLine(nowEpoch(), 'E', `gomod-trace: ${text}`));
  }

  async closeLog(): Promise<void> {
    if (!this.log.closed) this.log.end();
    await this.logClosed;
  }
}
