/**
 * What a system call is about, and whether the report keeps it. Kept: every lock taken on a module
 * cache file or a `.lock` file, terminal reads by git/ssh, every connect (the join key to the
 * capture), and calls that were slow (≥ SLOW_SECONDS) or still unfinished when the log ended.
 * Go's idle threads (futex, nanosleep) are never kept on their own.
 */
import type { SyscallRecord } from '../report/schema.js';

export type SyscallKind = SyscallRecord['kind'];
export const SLOW_SECONDS = 0.5;

export interface CacheLockPath {
  /** 'download' (per module version), 'vcs' (per repository), 'global' ($GOMODCACHE/cache/lock). */
  scope: 'download' | 'vcs' | 'global';
  /** 'module@version', 'module' (for @v/list), 'vcs:<hash>', or null for the global lock. */
  module: string | null;
}

/** `!x` → `X`: the module cache's case escaping. Returns null for an invalid escape. */
export function unescapeModulePath(p: string): string | null {
  let out = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '!') {
      const n = p[i + 1];
      if (n === undefined || n < 'a' || n > 'z') return null;
      out += n.toUpperCase();
      i++;
    } else out += c;
  }
  return out;
}

/**
 * `$GOMODCACHE/cache/download/<escaped path>/@v/<version>.lock` → module@version;
 * `…/@v/list` → module; `cache/vcs/<sha256>.lock` → vcs:<hash>; `cache/lock` → global.
 */
export function decodeCacheLockPath(path: string | null): CacheLockPath | null {
  if (!path) return null;
  const dl = /(?:^|\/)cache\/download\/(.+?)\/@v\/([^/]+)$/.exec(path);
  if (dl) {
    const mod = unescapeModulePath(dl[1]) ?? dl[1];
    const file = dl[2];
    if (file === 'list' || file === 'list.lock') return { scope: 'download', module: mod };
    const v = /^(.+?)\.(lock|info|mod|zip|ziphash|partial)$/.exec(file);
    const version = v ? unescapeModulePath(v[1]) ?? v[1] : null;
    return { scope: 'download', module: version ? `${mod}@${version}` : mod };
  }
  const vcs = /(?:^|\/)cache\/vcs\/([0-9a-f]{16,64})\.lock$/.exec(path);
  if (vcs) return { scope: 'vcs', module: `vcs:${vcs[1]}` };
  if (/(?:^|\/)cache\/lock$/.test(path)) return { scope: 'global', module: null };
  return null;
}

export interface CallFacts {
  name: string;
  args: string[];
  /** Path of the fd the call is about (first argument), when known. */
  path: string | null;
  /** Remote address of the socket, when known (for connect: the target). */
  remote: string | null;
  fd: number | null;
  command: string | null;
  unfinished: boolean;
  duration: number | null;
}

const IDLE = new Set(['futex', 'nanosleep', 'clock_nanosleep', 'restart_syscall', 'sched_yield', 'pause',
  'rt_sigsuspend', 'rt_sigtimedwait', 'sigsuspend', 'exit', 'exit_group']);
const NET_WAIT = new Set(['epoll_wait', 'epoll_pwait', 'epoll_pwait2', 'poll', 'ppoll', 'select', 'pselect6', '_newselect']);
const WAIT = new Set(['wait4', 'waitid', 'waitpid']);
const READS = new Set(['read', 'readv', 'pread64', 'preadv', 'preadv2']);
const PROMPTERS = /^(git|git-remote-\w+|git-credential-\w+|ssh|ssh-askpass|gpg|hg|svn|bzr|fossil|sudo)$/;

export function isTerminalPath(p: string | null): boolean {
  return p !== null && /^\/dev\/(tty\w*|pts\/\d+|console)$/.test(p);
}

function isLockCall(f: CallFacts): boolean {
  if (f.name === 'flock') {
    const op = f.args[1] ?? '';
    // -X raw / -X verbose print the number: LOCK_UN is 8.
    const n = /^(0x[0-9a-f]+|\d+)/.exec(op);
    return !/LOCK_UN/.test(op) && !(n && (Number(n[1]) & 8) !== 0);
  }
  if (f.name === 'fcntl' || f.name === 'fcntl64') return /F_(OFD_)?SETLKW?/.test(f.args[1] ?? '') && !/F_UNLCK/.test(f.args[2] ?? '');
  return false;
}

/** Kind of the call, or null when the report does not keep it. */
export function classify(f: CallFacts): SyscallKind | null {
  const slow = f.unfinished || (f.duration !== null && f.duration >= SLOW_SECONDS);
  if (isLockCall(f)) {
    const cache = decodeCacheLockPath(f.path);
    // Lock files are always kept; files locked in place (go.sum, @v/list, .ziphash) when slow.
    const lockFile = (f.path !== null && f.path.endsWith('.lock')) || cache?.scope === 'global';
    if (cache && (lockFile || slow)) return 'cache-lock';
    if (lockFile || slow) return 'file-lock';
    return null;
  }
  if (f.name === 'connect') return /:53$/.test(f.remote ?? '') ? 'dns' : 'connect';
  if (READS.has(f.name) && f.command !== null && PROMPTERS.test(f.command)) {
    if (isTerminalPath(f.path)) return 'terminal-read';
    if (f.fd === 0 && f.path === null && slow) return 'terminal-read';
  }
  if (!slow) return null;
  if (IDLE.has(f.name)) return null;
  if (WAIT.has(f.name)) return 'child-wait';
  if (NET_WAIT.has(f.name)) return 'net-wait';
  if (/:53$/.test(f.remote ?? '')) return 'dns';
  return 'other';
}
