/**
 * `<unfinished ...>` / `<... NAME resumed>` pairs → whole calls. strace splits a call when another
 * thread's line comes between its entry and its return; the pending part is kept per thread id.
 * Calls still pending when the log ends are the blocked ones.
 */

export interface JoinedCall {
  tid: number;
  name: string;
  /** Argument text (entry part + resumed part, as strace printed them). */
  args: string;
  /** null when the call never returned in the log. */
  result: string | null;
  /** -T duration, else end − start when both are known; null when unfinished or unknown. */
  duration: number | null;
  start: number | null;
  end: number | null;
  /** Line (1-based) where the call started, and the file for -ff logs. */
  line: number;
  file: string;
  /** Still pending when the log (or this process) ended. */
  unfinished: boolean;
}

interface Pending {
  name: string;
  args: string;
  start: number | null;
  line: number;
  file: string;
}

export class CallJoiner {
  private readonly pending = new Map<number, Pending>();
  /** Resumed lines with no matching start. */
  orphans = 0;
  firstOrphanLine: number | null = null;

  start(tid: number, name: string, args: string, start: number | null, line: number, file: string): JoinedCall | null {
    const prev = this.pending.get(tid);
    this.pending.set(tid, { name, args, start, line, file });
    // A thread cannot be in two calls: a leftover start ended without its resumed line.
    return prev ? { tid, name: prev.name, args: prev.args, result: null, duration: null, start: prev.start, end: null, line: prev.line, file: prev.file, unfinished: true } : null;
  }

  resume(tid: number, name: string, rest: string, result: string | null, duration: number | null, time: number | null, line: number, file: string): JoinedCall {
    const p = this.pending.get(tid);
    if (p && (p.name === name || name === '????')) {
      this.pending.delete(tid);
      const dur = duration ?? (p.start !== null && time !== null ? Math.max(0, time - p.start) : null);
      return { tid, name: p.name, args: p.args + rest, result, duration: dur, start: p.start, end: time, line: p.line, file: p.file, unfinished: false };
    }
    this.orphans++;
    if (this.firstOrphanLine === null) this.firstOrphanLine = line;
    const start = duration !== null && time !== null ? time - duration : time;
    return { tid, name, args: rest, result, duration, start, end: time, line, file, unfinished: false };
  }

  renameTid(from: number, to: number): void {
    const p = this.pending.get(from);
    if (p && !this.pending.has(to)) { this.pending.delete(from); this.pending.set(to, p); }
  }

  /** The thread ended (exit or kill) while in a call: it ended then. */
  end(tid: number, time: number | null): JoinedCall | null {
    const p = this.pending.get(tid);
    if (!p) return null;
    this.pending.delete(tid);
    const dur = p.start !== null && time !== null ? Math.max(0, time - p.start) : null;
    return { tid, name: p.name, args: p.args, result: '?', duration: dur, start: p.start, end: time, line: p.line, file: p.file, unfinished: false };
  }

  /** Calls still pending at the end of the log: still blocked. */
  drain(): JoinedCall[] {
    const out: JoinedCall[] = [];
    for (const [tid, p] of this.pending) {
      out.push({ tid, name: p.name, args: p.args, result: null, duration: null, start: p.start, end: null, line: p.line, file: p.file, unfinished: true });
    }
    this.pending.clear();
    return out;
  }
}
