/**
 * The bundle's /proc snapshot (meta.json `stopped`, written by record just before it stops go:
 * see src/record/snapshot.ts) as process and syscall records, for recordings made without
 * --strace. Each blocked call becomes an unfinished SyscallRecord with `origin: 'proc'`; when it
 * began is not in /proc, so `start` is estimated — the start of the helper a process waits on (an
 * askpass prompt begins when the helper starts), else the process's own start, and for go itself
 * its last progress (the caller's `goProgress`). meta.json is input like any other: every field is
 * checked before use.
 */
import type { ProcessRecord, SyscallRecord } from '../report/schema.js';
import { decodeCacheLockPath } from '../strace/classify.js';

interface SnapCall { syscall: string; fd: number | null; target: string | null }
interface SnapProcess { pid: number; ppid: number | null; command: string | null; argv: string[]; start: number | null; blocked: SnapCall[] }

const MAX = 64;

function str(x: unknown, max = 4096): string | null {
  return typeof x === 'string' ? x.slice(0, max) : null;
}

function num(x: unknown): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}

function parse(stopped: unknown): SnapProcess[] {
  if (!Array.isArray(stopped)) return [];
  const out: SnapProcess[] = [];
  for (const p of stopped.slice(0, MAX)) {
    if (!p || typeof p !== 'object') continue;
    const o = p as Record<string, unknown>;
    const pid = num(o.pid);
    if (pid === null) continue;
    const blocked: SnapCall[] = [];
    for (const b of Array.isArray(o.blocked) ? o.blocked.slice(0, MAX) : []) {
      if (!b || typeof b !== 'object') continue;
      const c = b as Record<string, unknown>;
      const syscall = str(c.syscall, 32);
      if (syscall) blocked.push({ syscall, fd: num(c.fd), target: str(c.target) });
    }
    out.push({
      pid, ppid: num(o.ppid), command: str(o.command, 64),
      argv: Array.isArray(o.argv) ? o.argv.slice(0, 16).map((a) => str(a, 300) ?? '') : [],
      start: num(o.start), blocked,
    });
  }
  return out;
}

function kindOf(call: SnapCall): SyscallRecord['kind'] | null {
  switch (call.syscall) {
    case 'flock':
    case 'fcntl':
      return decodeCacheLockPath(call.target) ? 'cache-lock' : 'file-lock';
    case 'read':
      return call.target && /^\/dev\/(tty|pts\/\d+)$/.test(call.target) ? 'terminal-read' : 'other';
    case 'wait4':
    case 'waitid':
      return 'child-wait';
    case 'connect':
      return 'connect';
    default:
      return null; // poll, epoll, futex…: how every idle process sleeps, not a finding
  }
}

/**
 * `stopped` as records with times relative to `t0`. `root` is the pid record started (go, or
 * strace wrapping go); `goProgress` the time (since t0) of go's last sign of progress.
 */
export function recordsFromSnapshot(stopped: unknown, t0: number, goProgress: number | null): { processes: ProcessRecord[]; syscalls: SyscallRecord[] } {
  const procs = parse(stopped);
  const rel = (t: number | null): number | null => (t === null ? null : t - t0);
  const processes: ProcessRecord[] = procs.map((p) => ({
    pid: p.pid, ppid: p.ppid, command: p.command, argv: p.argv, start: rel(p.start), end: null, exit: null,
  }));
  const isGo = (p: SnapProcess): boolean => /^go(\d|$)/.test(p.command ?? '');
  const syscalls: SyscallRecord[] = [];
  for (const p of procs) {
    const children = procs.filter((c) => c.ppid === p.pid && c.start !== null);
    for (const call of p.blocked) {
      const kind = kindOf(call);
      if (!kind) continue;
      // Waiting on a helper it started (askpass): since the helper's start.
      const helper = call.syscall === 'read' ? children.reduce<SnapProcess | null>((a, c) => (!a || (c.start ?? 0) > (a.start ?? 0) ? c : a), null) : null;
      const start = helper?.start != null ? rel(helper.start)
        : isGo(p) ? goProgress ?? rel(p.start)
          : rel(p.start);
      const lock = decodeCacheLockPath(call.target);
      const fdText = call.fd === null ? '' : `${call.fd}${call.target ? `<${call.target}>` : ''}`;
      syscalls.push({
        pid: p.pid, command: p.command, name: call.syscall, start: start ?? 0, duration: null, result: null, kind,
        fd: call.fd, path: call.target, module: lock?.module ?? null, socket: null, line: 0,
        text: `${call.syscall}(${fdText}${fdText ? ', ' : ''}…) blocked when the recording stopped`,
        origin: 'proc',
      });
    }
  }
  return { processes, syscalls };
}
