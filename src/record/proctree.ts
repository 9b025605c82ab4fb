/**
 * Process-tree helpers over /proc (Linux): who are the descendants of a pid, is a pid still
 * alive, and kill a whole tree. Used by teardown so that go's git/ssh children cannot outlive it.
 */
import { readFileSync, readdirSync } from 'node:fs';

/** Parent pid from /proc/PID/stat, or null when the process is gone. */
export function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid …": comm can hold spaces and parentheses, so cut at the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(rest[1]);
    return Number.isFinite(ppid) ? ppid : null;
  } catch {
    return null;
  }
}

/** The command name (/proc/PID/comm, at most 15 characters), or null when gone. */
export function commOf(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

/** Pids in process group `pgid` (field 5 of /proc/PID/stat). */
export function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const pid of allPids()) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(rest[2]) === pgid) out.push(pid);
    } catch {
      /* gone */
    }
  }
  return out;
}

/** True when the pid exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

function allPids(): number[] {
  try {
    return readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number);
  } catch {
    return [];
  }
}

/** Every descendant of `root` (not root itself), parents before children. */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const pid of allPids()) {
    const ppid = parentOf(pid);
    if (ppid === null) continue;
    const list = children.get(ppid);
    if (list) list.push(pid);
    else children.set(ppid, [pid]);
  }
  const out: number[] = [];
  const queue = [root];
  const seen = new Set<number>([root]);
  while (queue.length > 0) {
    const p = queue.shift() as number;
    for (const c of children.get(p) ?? []) {
      if (seen.has(c)) continue;
      seen.add(c);
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

export function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

/**
 * SIGKILL `root`, its process group (when it leads one) and every descendant, except the pids in
 * `spare`. Descendants are collected before anything is killed, so orphans re-parented to init
 * are still caught; repeated until nothing is left (or 20 rounds).
 */
export function killTree(root: number, opts: { spare?: number[]; group?: boolean } = {}): void {
  const spare = new Set(opts.spare ?? []);
  // The group first: members whose parent already died are no longer root's descendants.
  if (opts.group) signal(-root, 'SIGKILL');
  for (let round = 0; round < 20; round++) {
    const targets = [root, ...descendants(root)].filter((p) => !spare.has(p) && isAlive(p));
    if (targets.length === 0) return;
    // Stop them all first so none can fork a new child between our scan and the kill.
    for (const p of targets) signal(p, 'SIGSTOP');
    const late = descendants(root).filter((p) => !spare.has(p) && !targets.includes(p));
    for (const p of [...targets, ...late]) signal(p, 'SIGKILL');
    if (opts.group) signal(-root, 'SIGKILL');
  }
}

/** Pids whose command line or environment contains `marker` (tests use this to find leftovers). */
export function pidsWithMarker(marker: string): number[] {
  const out: number[] = [];
  for (const pid of allPids()) {
    if (pid === process.pid) continue;
    for (const f of ['cmdline', 'environ']) {
      try {
        if (readFileSync(`/proc/${pid}/${f}`, 'latin1').includes(marker) && isAlive(pid)) {
          out.push(pid);
          break;
        }
      } catch {
        /* gone or not ours to read */
      }
    }
  }
  return out;
}
