/**
 * Per-process state rebuilt from the calls: fd → path or socket (threads share one table, fork
 * copies it), the process tree from clone/fork/vfork results, each process's argv from execve,
 * exits. Threads (CLONE_THREAD) are folded into their process: `pid` is always the thread-group id.
 * Memory is bounded: at most MAX_FDS entries per table, MAX_TOTAL_FDS over all tables (a table is
 * released when its last process exits), MAX_PROCESSES processes and MAX_THREADS thread ids.
 */
import type { SocketInfo } from './sockets.js';

export const MAX_FDS = 4096;
export const MAX_TOTAL_FDS = 200_000;
export const MAX_PROCESSES = 20000;
export const MAX_THREADS = 200_000;

export interface FdBudget { used: number; readonly max: number }

export interface FdEntry {
  path: string | null;
  /** Shared with the records that mention it, so later getsockname/-yy facts reach them. */
  socket: SocketInfo | null;
  cloexec: boolean;
}

export class FdTable {
  readonly fds = new Map<number, FdEntry>();
  /** Processes using this table (more than one after clone(CLONE_FILES) without CLONE_THREAD). */
  refs = 1;
  constructor(readonly budget: FdBudget) {}
  set(fd: number, e: FdEntry): boolean {
    if (!this.fds.has(fd)) {
      if (this.fds.size >= MAX_FDS || this.budget.used >= this.budget.max) return false;
      this.budget.used++;
    }
    this.fds.set(fd, e);
    return true;
  }
  delete(fd: number): void {
    if (this.fds.delete(fd)) this.budget.used--;
  }
  /** A process stopped using the table: free it when it was the last one. */
  release(): void {
    if (--this.refs > 0) return;
    this.budget.used -= this.fds.size;
    this.fds.clear();
  }
}

export interface ProcessState {
  pid: number;
  ppid: number | null;
  command: string | null;
  argv: string[];
  start: number | null;
  end: number | null;
  exit: { code: number | null; signal: string | null } | null;
  table: FdTable;
  /** Seen only through its own lines so far: the clone that made it may still come. */
  provisional: boolean;
  execed: boolean;
}

export class ProcessTree {
  /** thread id → process (thread-group) id */
  private readonly tgid = new Map<number, number>();
  readonly procs = new Map<number, ProcessState>();
  /** Processes not kept because MAX_PROCESSES was reached. */
  dropped = 0;
  fdsDropped = 0;
  /** Thread ids not tracked because MAX_THREADS was reached. */
  threadsDropped = 0;
  readonly budget: FdBudget;
  private readonly overflow: ProcessState;

  constructor(maxTotalFds = MAX_TOTAL_FDS) {
    this.budget = { used: 0, max: maxTotalFds };
    this.overflow = newProc(-1, null, null, this.budget);
  }

  processOf(tid: number, time: number | null): ProcessState {
    const pid = this.tgid.get(tid);
    if (pid !== undefined) {
      const p = this.procs.get(pid);
      if (p) return p;
    }
    if (this.procs.size >= MAX_PROCESSES) { this.dropped++; return this.overflow; }
    if (this.tgid.size >= MAX_THREADS) { this.threadsDropped++; return this.overflow; }
    const p = newProc(tid, null, time, this.budget);
    p.provisional = true;
    this.procs.set(tid, p);
    this.tgid.set(tid, tid);
    return p;
  }

  /** A clone/fork in `parentTid` returned `childTid`. `flags` is the flags text ('' for fork). */
  onClone(parentTid: number, childTid: number, flags: string, time: number | null): void {
    const parent = this.processOf(parentTid, time);
    const thread = /CLONE_THREAD/.test(flags);
    const shareFiles = /CLONE_FILES/.test(flags);
    const existingPid = this.tgid.get(childTid);
    const existing = existingPid !== undefined ? this.procs.get(existingPid) : undefined;
    if (thread) {
      if (existing && existing !== parent && existing.provisional && !existing.execed) {
        // The thread's own lines came first: fold what it learnt into the process.
        for (const [fd, e] of existing.table.fds) if (!parent.table.fds.has(fd)) parent.table.set(fd, e);
        existing.table.release();
        this.procs.delete(existing.pid);
      }
      if (this.tgid.has(childTid) || this.tgid.size < MAX_THREADS) this.tgid.set(childTid, parent.pid);
      else this.threadsDropped++;
      return;
    }
    let child = existing;
    if (!child) {
      if (this.procs.size >= MAX_PROCESSES) { this.dropped++; return; }
      child = newProc(childTid, parent.pid, time, this.budget);
      this.procs.set(childTid, child);
      this.tgid.set(childTid, childTid);
    }
    child.provisional = false;
    child.ppid = parent.pid;
    if (child.start === null || (time !== null && time < child.start)) child.start = time;
    if (!child.execed) { child.command = parent.command; child.argv = parent.argv; }
    if (shareFiles && !child.execed) {
      for (const [fd, e] of child.table.fds) if (!parent.table.fds.has(fd)) parent.table.set(fd, e);
      child.table.release();
      child.table = parent.table;
      parent.table.refs++;
    } else {
      for (const [fd, e] of parent.table.fds) {
        if (!child.table.fds.has(fd) && !child.table.set(fd, { ...e })) this.fdsDropped++;
      }
    }
  }

  onExecve(tid: number, filename: string | null, argv: string[], time: number | null): void {
    const p = this.processOf(tid, time);
    p.execed = true;
    p.argv = argv;
    const base = (filename ?? argv[0] ?? '').split('/').pop() ?? '';
    p.command = base || argv[0] || null;
    // The exec'd image gets a table of its own, without the close-on-exec fds.
    const t = new FdTable(this.budget);
    for (const [fd, e] of p.table.fds) if (!e.cloexec) t.set(fd, e);
    p.table.release();
    p.table = t;
    // execve by a thread makes it the leader: its tid becomes the pid.
    if (p.pid !== tid && this.procs.get(p.pid) === p) {
      this.tgid.set(tid, p.pid);
    }
  }

  onExit(tid: number, time: number | null, code: number | null, signal: string | null): void {
    const pid = this.tgid.get(tid);
    if (pid === undefined) return;
    const p = this.procs.get(pid);
    if (!p) return;
    // Threads exit too; only the leader's exit (or a kill) ends the process.
    if (tid === pid || signal !== null) {
      p.end = time;
      p.exit = { code, signal };
      // Its fds are gone; calls still pending elsewhere keep their own facts.
      if (p !== this.overflow) { p.table.release(); p.table = new FdTable(this.budget); }
    }
  }

  /** Whether a thread id has been seen (its own lines or a clone result). */
  knows(tid: number): boolean { return this.tgid.has(tid); }

  /**
   * strace 4.x writes the first process's lines without a pid until a second one exists: they were
   * filed under `from` (0). When its real pid shows up, move everything there.
   */
  rename(from: number, to: number): void {
    const p = this.procs.get(from);
    if (!p || this.procs.has(to)) return;
    this.procs.delete(from);
    p.pid = to;
    this.procs.set(to, p);
    for (const [tid, pid] of this.tgid) if (pid === from) this.tgid.set(tid, to);
    this.tgid.delete(from);
    this.tgid.set(to, to);
    for (const q of this.procs.values()) if (q.ppid === from) q.ppid = to;
  }

  setFd(table: FdTable, fd: number, e: FdEntry): void {
    if (!table.set(fd, e)) this.fdsDropped++;
  }
}

function newProc(pid: number, ppid: number | null, time: number | null, budget: FdBudget): ProcessState {
  return { pid, ppid, command: null, argv: [], start: time, end: null, exit: null, table: new FdTable(budget), provisional: false, execed: false };
}
