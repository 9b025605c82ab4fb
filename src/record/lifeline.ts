/**
 * What stops tcpdump and go when record itself dies without tearing down (SIGKILL, the OOM killer,
 * a CI runner that ends only the top process): both run in process groups of their own, so
 * nothing else would, and tcpdump would capture into the bundle for ever.
 *
 * - tcpdump gets SIGTERM from the kernel as record dies: the parent-death signal (prctl
 *   PR_SET_PDEATHSIG), set by util-linux's `setpriv --pdeathsig`, which then execs tcpdump (same
 *   pid). On SIGTERM tcpdump closes its -w file and exits; with -U every packet is already in it.
 *   (The signal comes when the parent *thread* ends: node spawns from its main thread, which
 *   ends with record. It is cleared when tcpdump has file capabilities, from `setcap`, and runs
 *   as a user other than root.)
 * - go's process group — go, git, ssh; under --strace strace and everything it traces — is
 *   SIGKILLed by a guard: a shell blocked reading a pipe whose other end only record holds, which
 *   the kernel closes as record dies. A parent-death signal cannot do this job (measured with
 *   strace 6.1 and go 1.19): on strace, SIGKILL detaches go, which runs on; SIGTERM is blocked by
 *   `strace -o FILE CMD`, and with -I 2 strace passes it on to go but under --seccomp-bpf go never
 *   gets it. On go under strace it would fire whenever strace dies, while record keeps go alive
 *   then for its goroutine dump. And go's children, often what hangs, get none (fork clears it).
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** `argv` run under `setpriv --pdeathsig SIG` when setpriv was found, else as it is. */
export function withParentDeathSignal(setpriv: string | null, signal: 'TERM', argv: string[]): string[] {
  return setpriv ? [setpriv, '--pdeathsig', signal, '--', ...argv] : argv;
}

/** SIGKILLs process group `pgid` if record dies before `release()`. */
export class GroupGuard {
  private constructor(private readonly child: ChildProcess) {}

  static start(pgid: number): GroupGuard {
    // dash's kill takes no `--`: "-PGID" after the signal is the group.
    const child = spawn('/bin/sh', ['-c', 'read -r _; kill -9 "-$1"', 'gomod-trace-guard', String(pgid)], {
      stdio: ['pipe', 'ignore', 'ignore'],
      // A session of its own: a Ctrl-C on the terminal, or a kill of record's process group, leaves it.
      detached: true,
    });
    // A guard that cannot start leaves record as it was without one.
    child.on('error', () => {});
    child.stdin?.on('error', () => {});
    return new GroupGuard(child);
  }

  /** The group is gone or torn down by record: the guard goes without acting (synchronous). */
  release(): void {
    // SIGKILL, not closing the pipe: a closed pipe is what makes it act.
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}
