/**
 * When gomod-trace stops go by itself: at `--timeout S` after go started, or after
 * `--stall-after S` with no progress — no new packet of go's in the capture (DNS, or a 4-tuple of
 * a socket go's processes hold: sockets.ts) and no new line from go.
 * The watcher is fed progress events and calls `onStop` once with the reason.
 */

export type StopReason = { kind: 'timeout'; seconds: number } | { kind: 'stall'; seconds: number };

export interface StallWatcherOptions {
  timeout?: number | null;
  stallAfter?: number | null;
  onStop: (reason: StopReason) => void;
  /** Epoch seconds now; injectable for tests. */
  now?: () => number;
  /** How often to check (ms); default 250. */
  tickMs?: number;
}

export class StallWatcher {
  private readonly started: number;
  private lastProgress: number;
  private timer: NodeJS.Timeout | null = null;
  private fired = false;
  private readonly now: () => number;

  constructor(private readonly opts: StallWatcherOptions) {
    this.now = opts.now ?? (() => Date.now() / 1000);
    this.started = this.now();
    this.lastProgress = this.started;
    if (opts.timeout || opts.stallAfter) {
      this.timer = setInterval(() => this.check(), opts.tickMs ?? 250);
      this.timer.unref();
    }
  }

  /** A new packet or a new go line: the stall clock starts again. */
  progress(): void {
    this.lastProgress = this.now();
  }

  /** Seconds since the last progress. */
  idle(): number {
    return this.now() - this.lastProgress;
  }

  check(): void {
    if (this.fired) return;
    const now = this.now();
    const { timeout, stallAfter } = this.opts;
    if (timeout && now - this.started >= timeout) return this.fire({ kind: 'timeout', seconds: timeout });
    if (stallAfter && now - this.lastProgress >= stallAfter) return this.fire({ kind: 'stall', seconds: stallAfter });
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private fire(reason: StopReason): void {
    this.fired = true;
    this.stop();
    this.opts.onStop(reason);
  }
}

export function describeStop(reason: StopReason): string {
  return reason.kind === 'timeout'
    ? `--timeout ${reason.seconds} s reached`
    : `no progress for ${reason.seconds} s (--stall-after): no new packet of go's and no new line from go`;
}
