/**
 * The strace command line `record --strace` wraps go in. strace follows every thread and child
 * (-f), prints absolute microsecond times (-ttt) and durations (-T), decodes file descriptors to
 * paths and socket endpoints (-yy), and filters in the kernel with seccomp-bpf where it can
 * (strace ≥ 5.3), so that untraced calls (futex, nanosleep, …) cost nothing.
 *
 * The syscall set is what the analysis needs and no more. Measured on scripts/bench-record.mjs
 * (150 modules): %file is mostly newfstatat from go's cache walks, and openat fires once per
 * file extracted into the cache — both cost more than everything else together, and neither is
 * needed: -yy prints the path of the fd a flock or read works on.
 *  - %network: connect (to :53 for DNS, to proxies and servers), socket setup;
 *  - %process: clone/execve/wait4/exit of go's git and ssh children;
 *  - flock, fcntl: module-cache locks (flock on Linux, fcntl locks in git); -yy prints the lock
 *    file's path on the fd, so no openat is needed to name it;
 * Not traced:
 *  - epoll_pwait/epoll_wait: go's network poller sleeps there between every read (a quarter of all
 *    stops); a network wait is already in the capture and in go's `-x` log.
 *  - read: go reads every socket with it (well over half of all stops on the benchmark, which
 *    doubled strace's cost). What it was for — git or ssh blocked on a terminal or on the pipe of
 *    its askpass helper — the /proc snapshot record takes when it stops go names exactly
 *    (snapshot.ts: the blocked call, its fd's target, the helper's start), with or without strace.
 */
import { straceHasSeccomp } from './tools.js';

export const STRACE_SYSCALLS = '%network,%process,flock,fcntl';

export interface StraceOptions {
  strace: string;
  version: string | null;
  file: string;
  /** strace -u: run the traced command as this user (under sudo). */
  user?: string;
  /** Override the syscall set (tests, benchmarks). */
  syscalls?: string;
}

/** Arguments that go before go's own command line. */
export function straceArgs(opts: StraceOptions): string[] {
  const args = ['-f', '-ttt', '-T', '-yy', '-s', '256'];
  if (straceHasSeccomp(opts.version)) args.push('--seccomp-bpf');
  args.push('-e', `trace=${opts.syscalls ?? STRACE_SYSCALLS}`, '-o', opts.file);
  if (opts.user) args.push('-u', opts.user);
  args.push('--');
  return args;
}

/** A short form for meta.json and the report's input summary. */
export function straceFormat(opts: StraceOptions): string {
  return `strace -f -ttt -T -yy -s 256${straceHasSeccomp(opts.version) ? ' --seccomp-bpf' : ''}`;
}
