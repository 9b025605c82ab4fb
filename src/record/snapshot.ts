/**
 * What go and its children were blocked in when gomod-trace stopped them, read from /proc just
 * before teardown: for each process its parent, command line and start time, and for each of its
 * threads the system call it sleeps in (/proc/PID/task/TID/syscall) with the file behind the
 * call's fd (/proc/PID/fd/N). A snapshot costs nothing while go runs — unlike strace — and still
 * shows the two stalls packets cannot: a go thread in flock on a module-cache lock, and git blocked
 * reading the pipe of its askpass helper (or a terminal). strace, when used, also gives the times.
 *
 * Reading another process's syscall file needs the right to ptrace it (root, or the same user);
 * what cannot be read is left out.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { descendants } from './proctree.js';
import { redactText } from '../report/redact.js';

export interface BlockedCall {
  tid: number;
  syscall: string;
  fd: number | null;
  /** What the fd is: a path, `pipe:[N]`, `socket:[N]`, `/dev/pts/3`. */
  target: string | null;
}

export interface StoppedProcess {
  pid: number;
  ppid: number | null;
  command: string | null;
  /** Credentials redacted, at most 16 arguments of 300 characters. */
  argv: string[];
  /** Epoch seconds the process started. */
  start: number | null;
  /** Threads asleep in a system call worth naming (futex and plain scheduler sleeps are left out). */
  blocked: BlockedCall[];
}

/** System calls worth naming, by number, for the two architectures go's Linux users run. */
const SYSCALLS: Record<string, Record<number, string>> = {
  x64: {
    0: 'read', 1: 'write', 7: 'poll', 23: 'select', 42: 'connect', 43: 'accept', 45: 'recvfrom', 47: 'recvmsg',
    61: 'wait4', 72: 'fcntl', 73: 'flock', 247: 'waitid', 257: 'openat', 270: 'pselect6', 271: 'ppoll',
    232: 'epoll_wait', 281: 'epoll_pwait', 288: 'accept4', 441: 'epoll_pwait2',
  },
  arm64: {
    63: 'read', 64: 'write', 203: 'connect', 202: 'accept', 207: 'recvfrom', 212: 'recvmsg', 260: 'wait4',
    25: 'fcntl', 32: 'flock', 95: 'waitid', 56: 'openat', 72: 'pselect6', 73: 'ppoll', 22: 'epoll_pwait',
    242: 'accept4', 441: 'epoll_pwait2',
  },
};

/** Calls whose first argument is a file descriptor. */
const FD_FIRST = new Set(['read', 'write', 'connect', 'accept', 'accept4', 'recvfrom', 'recvmsg', 'fcntl', 'flock']);

const MAX_PROCESSES = 64;
const MAX_THREADS = 256;
/** USER_HZ: the unit of /proc/PID/stat times on every Linux architecture go supports. */
const CLOCK_TICKS = 100;

/** `root` and its descendants, as they are right now. */
export function snapshotProcesses(root: number, arch: string = process.arch): StoppedProcess[] {
  const table = SYSCALLS[arch] ?? {};
  const boot = bootEpoch();
  const out: StoppedProcess[] = [];
  for (const pid of [root, ...descendants(root)].slice(0, MAX_PROCESSES)) {
    const stat = readStat(pid);
    if (!stat) continue;
    out.push({
      pid,
      ppid: stat.ppid,
      command: stat.comm,
      argv: readArgv(pid),
      start: boot !== null ? boot + stat.startTicks / CLOCK_TICKS : null,
      blocked: blockedCalls(pid, table),
    });
  }
  return out;
}

/**
 * When the machine booted, in epoch seconds, to within 10 ms: now minus /proc/uptime (the `btime`
 * of /proc/stat is whole seconds, which would put a helper started 0.7 s ago before go's start).
 */
function bootEpoch(): number | null {
  try {
    const up = Number.parseFloat(readFileSync('/proc/uptime', 'utf8'));
    return Number.isFinite(up) ? Date.now() / 1000 - up : null;
  } catch {
    return null;
  }
}

function readStat(pid: number): { comm: string; ppid: number; startTicks: number } | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const open = s.indexOf('(');
    const close = s.lastIndexOf(')');
    const rest = s.slice(close + 2).split(' ');
    // rest[0] is field 3 (state): ppid is field 4, starttime field 22.
    return { comm: s.slice(open + 1, close), ppid: Number(rest[1]), startTicks: Number(rest[19]) };
  } catch {
    return null;
  }
}

function readArgv(pid: number): string[] {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter((a, i, all) => a !== '' || i < all.length - 1).slice(0, 16)
      .map((a) => redactText(a.length > 300 ? `${a.slice(0, 299)}…` : a));
  } catch {
    return [];
  }
}

function blockedCalls(pid: number, table: Record<number, string>): BlockedCall[] {
  const out: BlockedCall[] = [];
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`).slice(0, MAX_THREADS);
  } catch {
    return out;
  }
  for (const t of tids) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/task/${t}/syscall`, 'utf8').trim();
    } catch {
      continue;
    }
    // "running", or "-1 SP PC" (not in a system call), or "NR ARG0 … ARG5 SP PC".
    const f = text.split(' ');
    const nr = Number(f[0]);
    if (!Number.isInteger(nr) || nr < 0 || f.length < 7) continue;
    const syscall = table[nr];
    if (!syscall) continue;
    const fd = FD_FIRST.has(syscall) ? Number.parseInt(f[1], 16) : null;
    let target: string | null = null;
    if (fd !== null && Number.isInteger(fd)) {
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        target = null;
      }
    }
    out.push({ tid: Number(t), syscall, fd: fd !== null && Number.isInteger(fd) ? fd : null, target });
  }
  return out;
}
