/**
 * Running tcpdump for `record`: start it, wait until it really listens (it says "listening on …"
 * on stderr once the capture is open), and stop it with SIGINT so it flushes the file and prints
 * its counts ("N packets captured", "N packets received by filter", "N packets dropped by kernel").
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { signal as sendSignal } from './proctree.js';
import { compareVersions } from './tools.js';
import { withParentDeathSignal } from './lifeline.js';

export interface CaptureOptions {
  tcpdump: string;
  file: string;
  /** tcpdump -i; default 'any'. */
  interface?: string;
  /** BPF filter expression; none by default. */
  filter?: string;
  /** tcpdump -s; 0 = full packets (the default). */
  snaplen?: number;
  /** How long to wait for "listening on" before giving up (ms); default 10 s. */
  startTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** tcpdump's version: --immediate-mode is used from 4.9 on. */
  version?: string | null;
  /** setpriv's path: tcpdump then gets SIGTERM from the kernel if we die (lifeline.ts). */
  setpriv?: string | null;
}

export interface CaptureStats {
  captured: number | null;
  receivedByFilter: number | null;
  droppedByKernel: number | null;
  /** How tcpdump ended: its exit code or the signal that ended it. */
  exit: { code: number | null; signal: string | null };
}

/** Why tcpdump did not start; `stderr` is what it said, `permission` when it lacked the right to capture. */
export class CaptureStartError extends Error {
  readonly stderr: string;
  readonly permission: boolean;
  constructor(message: string, stderr: string) {
    super(message);
    this.name = 'CaptureStartError';
    this.stderr = stderr;
    this.permission = /permission|not permitted|EPERM|Operation not permitted|socket: Operation/i.test(stderr);
  }
}

export function tcpdumpArgs(opts: CaptureOptions): string[] {
  const args = ['-i', opts.interface ?? 'any', '-U', '-s', String(opts.snaplen ?? 0), '-w', opts.file, '-n'];
  // Without immediate mode, packets wait in the kernel ring for a block timeout, and a SIGINT
  // then ends tcpdump before it has written them ("0 packets captured, 28 received by filter").
  if (!opts.version || compareVersions(opts.version, '4.9') >= 0) args.push('--immediate-mode');
  // A 32 MiB kernel buffer (-B is in KiB): with full snaplen and immediate mode the default 2 MiB
  // ring holds only a few frames, and a burst of 400 loopback packets lost 11–764 of them
  // ("dropped by kernel"); with -B 32768, none in repeated runs. (Added by the lab, issue 7.)
  args.push('-B', '32768');
  // Root tcpdump drops to its own user before writing; keep root so it can write where we can.
  if (typeof process.getuid === 'function' && process.getuid() === 0) args.push('-Z', 'root');
  if (opts.filter && opts.filter.trim()) args.push(opts.filter);
  return args;
}

/** Parse tcpdump's closing statistics. Missing lines stay null. */
export function parseCaptureStats(stderr: string): Omit<CaptureStats, 'exit'> {
  const num = (re: RegExp): number | null => {
    const m = re.exec(stderr);
    return m ? Number(m[1]) : null;
  };
  return {
    captured: num(/(\d+) packets? captured/),
    receivedByFilter: num(/(\d+) packets? received by filter/),
    droppedByKernel: num(/(\d+) packets? dropped by kernel/),
  };
}

export class CaptureProcess {
  readonly child: ChildProcess;
  readonly file: string;
  private stderrText = '';
  private exited: Promise<{ code: number | null; signal: string | null }>;
  private exitInfo: { code: number | null; signal: string | null } | null = null;

  private constructor(child: ChildProcess, file: string) {
    this.child = child;
    this.file = file;
    this.exited = new Promise((resolve) => {
      child.on('close', (code, sig) => {
        this.exitInfo = { code, signal: sig };
        resolve(this.exitInfo);
      });
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      // tcpdump says little; keep the last 64 KiB at most.
      this.stderrText = (this.stderrText + chunk).slice(-65536);
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get stderr(): string {
    return this.stderrText;
  }

  /** True while tcpdump runs. */
  get running(): boolean {
    return this.exitInfo === null;
  }

  static async start(opts: CaptureOptions): Promise<CaptureProcess> {
    const [command, ...args] = withParentDeathSignal(opts.setpriv ?? null, 'TERM', [opts.tcpdump, ...tcpdumpArgs(opts)]);
    // Own process group: a Ctrl-C on the terminal reaches gomod-trace only, which stops tcpdump last.
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true, env: opts.env ?? process.env });
    const cap = new CaptureProcess(child, opts.file);
    const timeoutMs = opts.startTimeoutMs ?? 10_000;
    await new Promise<void>((resolve, reject) => {
      let done = false;
      const finish = (err?: Error): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        child.stderr?.off('data', onData);
        if (err) reject(err);
        else resolve();
      };
      const onData = (): void => {
        if (/listening on /.test(cap.stderrText)) finish();
      };
      const timer = setTimeout(() => {
        cap.killNow();
        finish(new CaptureStartError(`tcpdump did not start listening within ${timeoutMs / 1000} s`, cap.stderrText));
      }, timeoutMs);
      child.stderr?.on('data', onData);
      child.on('error', (err) => finish(new CaptureStartError(`cannot run ${opts.tcpdump}: ${err.message}`, cap.stderrText)));
      void cap.exited.then((e) => {
        const said = firstErrorLine(cap.stderrText);
        finish(new CaptureStartError(`tcpdump exited before capturing (${e.signal ?? `status ${e.code}`})${said ? `: ${said}` : ''}`, cap.stderrText));
      });
    });
    return cap;
  }

  /** Stop with SIGINT (flushes), then SIGTERM, then SIGKILL; returns the counts tcpdump printed. */
  async stop(graceMs = 5000, settleMs = 300): Promise<CaptureStats> {
    if (this.running) {
      // Let the last packets (FIN, RST) reach the file before asking tcpdump to stop: wait until
      // the file has not grown for 100 ms, at most `settleMs`.
      await this.settle(settleMs);
      sendSignal(this.pid, 'SIGINT');
      if (!(await this.waitExit(graceMs))) {
        sendSignal(this.pid, 'SIGTERM');
        if (!(await this.waitExit(1000))) {
          this.killNow();
          await this.waitExit(2000);
        }
      }
    }
    const exit = this.exitInfo ?? { code: null, signal: null };
    return { ...parseCaptureStats(this.stderrText), exit };
  }

  private async settle(maxMs: number): Promise<void> {
    const size = (): number => {
      try {
        return statSync(this.file).size;
      } catch {
        return -1;
      }
    };
    const end = Date.now() + maxMs;
    let last = size();
    let stableSince = Date.now();
    while (Date.now() < end) {
      await new Promise((r) => setTimeout(r, 25));
      const now = size();
      if (now !== last) {
        last = now;
        stableSince = Date.now();
      } else if (Date.now() - stableSince >= 100) return;
    }
  }

  /** Last-resort synchronous kill (process exit handler). */
  killNow(): void {
    if (this.running) sendSignal(this.pid, 'SIGKILL');
    // tcpdump leads its own process group; nothing of it may outlive us.
    sendSignal(-this.pid, 'SIGKILL');
  }

  private waitExit(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), ms);
      void this.exited.then(() => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }
}

/** tcpdump's own complaint, without the "listening"/counter chatter. */
export function firstErrorLine(stderr: string): string {
  return stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^(tcpdump: )?listening on |packets? (captured|received|dropped)|^\(/.test(l))
    .join('; ')
    .slice(0, 300);
}
