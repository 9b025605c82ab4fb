#!/usr/bin/env node
/**
 * Writes a `strace -f -ttt -T -yy` log shaped like `go mod download` of many modules: one go process
 * with several threads (futex/nanosleep/epoll noise, SIGURG), per module a flock on its `.lock` file
 * (unfinished/resumed across threads, now and then slow), the global cache lock taken with fcntl
 * F_SETLKW, openat/write/rename in the module cache, a TCP socket with connect (EINPROGRESS), -yy
 * endpoints, reads and writes, and every few modules a git child process (clone3, execve, reads,
 * exit, wait4, SIGCHLD). Deterministic (seeded), streamed to disk.
 *
 *   node scripts/gen-bench-strace.mjs OUT.log [LINES] [GIT_EVERY]
 */
import { openSync, writeSync, closeSync } from 'node:fs';
import { seededRandom } from './lib/rng.mjs';

export const STRACE_GENERATOR_VERSION = 1;

const rng = seededRandom;

const HOME = '/home/dev';
const CACHE = `${HOME}/go/pkg/mod/cache/download`;
const ORGS = ['github.com/!azure', 'golang.org/x', 'github.com/!burnt!sushi', 'gopkg.in', 'go.uber.org', 'github.com/stretchr'];
const NAMES = ['text', 'net', 'sys', 'toml', 'zap', 'testify', 'crypto', 'mod', 'tools', 'yaml.v3'];

class Out {
  constructor(path) {
    this.fd = openSync(path, 'w');
    this.parts = [];
    this.size = 0;
    this.lines = 0;
  }
  line(s) {
    this.parts.push(s);
    this.size += s.length + 1;
    this.lines++;
    if (this.size > 1 << 20) this.flush();
  }
  flush() {
    if (this.parts.length) writeSync(this.fd, this.parts.join('\n') + '\n');
    this.parts = [];
    this.size = 0;
  }
  close() {
    this.flush();
    closeSync(this.fd);
  }
}

/** `gitEvery`: a git child every N modules (0: none — one go process all along). */
export function generateStrace(path, lines = 1_000_000, { seed = 7, gitEvery = 8 } = {}) {
  const r = rng(seed);
  const o = new Out(path);
  let t = 1_764_045_000;
  const GO = 2001;
  const threads = [2001, 2002, 2003, 2004, 2005, 2006, 2007, 2008];
  let nextPid = 3000;
  let inode = 900000;
  let port = 40000;
  const ts = () => { t += 0.000005 + r() * 0.00004; return t.toFixed(6); };
  const d = (slow) => (slow ? (0.5 + r() * 1.5) : r() * 0.00009 + 0.000005).toFixed(6);
  const L = (pid, s) => o.line(`${pid}  ${ts()} ${s}`);
  const pick = (a) => a[Math.floor(r() * a.length)];
  /** Another thread than `tid`: a thread inside an unfinished call writes no other call line. */
  const other = (tid) => { const i = threads.indexOf(tid); return threads[(i + 1 + Math.floor(r() * (threads.length - 1))) % threads.length]; };

  o.line(`${GO}  ${ts()} execve("/usr/local/go/bin/go", ["go", "mod", "download", "-x"], 0x7ffd2c3a1e28 /* 24 vars */) = 0 <0.000311>`);
  for (const tid of threads.slice(1)) {
    L(GO, `clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, child_tid=0x7f08f6eed990, parent_tid=0x7f08f6eed990, exit_signal=0, stack=0x7f08f66ed000, stack_size=0x7fff80, tls=0x7f08f6eed6c0} => {parent_tid=[${tid}]}, 88) = ${tid} <0.000070>`);
  }
  L(GO, `openat(AT_FDCWD</home/dev/proj>, "${HOME}/go/pkg/mod/cache/lock", O_RDWR|O_CREAT|O_CLOEXEC, 0666) = 8<${HOME}/go/pkg/mod/cache/lock> <0.000040>`);

  const noise = (n) => {
    for (let i = 0; i < n; i++) {
      const tid = pick(threads);
      switch (Math.floor(r() * 9)) {
        case 0: {
          L(tid, 'futex(0xc000080148, FUTEX_WAIT_PRIVATE, 0, NULL <unfinished ...>');
          L(other(tid), 'futex(0xc000080148, FUTEX_WAKE_PRIVATE, 1) = 1 <0.000011>');
          L(tid, `<... futex resumed>) = 0 <${d(false)}>`);
          break;
        }
        case 1: L(tid, `nanosleep({tv_sec=0, tv_nsec=20000}, NULL) = 0 <${d(false)}>`); break;
        case 2: L(tid, `epoll_pwait(4<anon_inode:[eventpoll]>, [], 128, 0, NULL, 0) = 0 <${d(false)}>`); break;
        case 3: L(tid, `--- SIGURG {si_signo=SIGURG, si_code=SI_TKILL, si_pid=${GO}, si_uid=1000} ---`); break;
        case 4: L(tid, `rt_sigreturn({mask=[]}) = 0 <${d(false)}>`); break;
        case 5: L(tid, `mmap(NULL, 262144, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f08e${Math.floor(r() * 65536).toString(16)}000 <${d(false)}>`); break;
        case 6: L(tid, `rt_sigprocmask(SIG_SETMASK, ~[], [], 8) = 0 <${d(false)}>`); break;
        case 7: L(tid, `getpid() = ${GO} <0.000004>`); break;
        default: L(tid, `newfstatat(AT_FDCWD</home/dev/proj>, "${HOME}/proj/go.mod", {st_mode=S_IFREG|0644, st_size=412, ...}, 0) = 0 <${d(false)}>`);
      }
    }
  };

  let mod = 0;
  while (o.lines < lines) {
    mod++;
    const modPath = `${pick(ORGS)}/${pick(NAMES)}${mod % 97}`;
    const ver = `v1.${mod % 40}.${mod % 7}`;
    const dir = `${CACHE}/${modPath}/@v`;
    const a = pick(threads);
    const b = other(a);
    // The per-module lock: sometimes another thread's line interleaves, sometimes it waits long.
    const slowLock = mod % 211 === 0;
    L(a, `openat(AT_FDCWD</home/dev/proj>, "${dir}/${ver}.lock", O_RDWR|O_CREAT|O_CLOEXEC, 0666) = 7<${dir}/${ver}.lock> <${d(false)}>`);
    L(a, `flock(7<${dir}/${ver}.lock>, LOCK_EX <unfinished ...>`);
    L(b, `epoll_pwait(4<anon_inode:[eventpoll]>,  <unfinished ...>`);
    L(a, `<... flock resumed>) = 0 <${d(slowLock)}>`);
    L(b, `<... epoll_pwait resumed>[], 128, 0, NULL, 0) = 0 <${d(false)}>`);
    if (mod % 3 === 0) {
      L(a, `fcntl(8<${HOME}/go/pkg/mod/cache/lock>, F_SETLKW, {l_type=F_WRLCK, l_whence=SEEK_SET, l_start=0, l_len=0}) = 0 <${d(false)}>`);
      L(a, `fcntl(8<${HOME}/go/pkg/mod/cache/lock>, F_SETLK, {l_type=F_UNLCK, l_whence=SEEK_SET, l_start=0, l_len=0}) = 0 <${d(false)}>`);
    }
    noise(3);
    // The fetch: a TCP socket to the proxy; connect in progress, then the poller waits.
    const fd = 9 + (mod % 5);
    const ino = inode++;
    const lport = port++;
    if (port > 60000) port = 40000;
    const ep = `TCP:[10.20.30.40:${lport}->10.9.8.7:443]`;
    L(a, `socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_IP) = ${fd}<TCP:[${ino}]> <${d(false)}>`);
    L(a, `connect(${fd}<TCP:[${ino}]>, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("10.9.8.7")}, 16) = -1 EINPROGRESS (Operation now in progress) <${d(false)}>`);
    L(b, `epoll_pwait(4<anon_inode:[eventpoll]>, [{events=EPOLLOUT, data={u32=1, u64=1}}], 128, -1, NULL, 0) = 1 <${d(mod % 157 === 0)}>`);
    L(a, `getsockname(${fd}<${ep}>, {sa_family=AF_INET, sin_port=htons(${lport}), sin_addr=inet_addr("10.20.30.40")}, [112 => 16]) = 0 <${d(false)}>`);
    L(a, `write(${fd}<${ep}>, "\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xfc\\x03\\x03"..., 517) = 517 <${d(false)}>`);
    const reads = 4 + Math.floor(r() * 10);
    for (let i = 0; i < reads; i++) {
      const tid = pick(threads);
      L(tid, `read(${fd}<${ep}>, "\\x17\\x03\\x03\\x40\\x18"..., 32768) = 16408 <${d(false)}>`);
      if (i % 3 === 0) noise(1);
    }
    // Into the cache: a temp file, written, renamed into place.
    L(a, `openat(AT_FDCWD</home/dev/proj>, "${dir}/${ver}.zip${mod}.tmp", O_RDWR|O_CREAT|O_EXCL|O_CLOEXEC, 0666) = 3<${dir}/${ver}.zip${mod}.tmp> <${d(false)}>`);
    for (let i = 0; i < 3; i++) L(a, `write(3<${dir}/${ver}.zip${mod}.tmp>, "PK\\3\\4\\24\\0\\0\\0\\10\\0"..., 16384) = 16384 <${d(false)}>`);
    L(a, `close(3<${dir}/${ver}.zip${mod}.tmp>) = 0 <${d(false)}>`);
    L(a, `renameat(AT_FDCWD</home/dev/proj>, "${dir}/${ver}.zip${mod}.tmp", AT_FDCWD</home/dev/proj>, "${dir}/${ver}.zip") = 0 <${d(false)}>`);
    L(a, `close(${fd}<${ep}>) = 0 <${d(false)}>`);
    L(a, `flock(7<${dir}/${ver}.lock>, LOCK_UN) = 0 <${d(false)}>`);
    L(a, `close(7<${dir}/${ver}.lock>) = 0 <${d(false)}>`);
    // Every few modules go runs git: a new process that lives a few lines.
    if (gitEvery > 0 && mod % gitEvery === 0) {
      const pid = nextPid++;
      L(a, 'clone3({flags=CLONE_VM|CLONE_VFORK|CLONE_CLEAR_SIGHAND, exit_signal=SIGCHLD, stack=0x7f08f5eac000, stack_size=0x9000} <unfinished ...>');
      L(pid, `execve("/usr/bin/git", ["git", "ls-remote", "-q", "https://${modPath}"], 0xc000134000 /* 26 vars */) = 0 <${d(false)}>`);
      L(a, `<... clone3 resumed> => {parent_tid=[0]}, 88) = ${pid} <${d(false)}>`);
      L(pid, `openat(AT_FDCWD</home/dev/proj>, "${HOME}/.gitconfig", O_RDONLY) = 3<${HOME}/.gitconfig> <${d(false)}>`);
      L(pid, `read(3<${HOME}/.gitconfig>, "[user]\\n\\tname = Dev\\n", 4096) = 20 <${d(false)}>`);
      L(pid, `close(3<${HOME}/.gitconfig>) = 0 <${d(false)}>`);
      L(pid, `write(1<pipe:[${ino}]>, "4f2d9c1e8a3b refs/heads/main\\n", 29) = 29 <${d(false)}>`);
      L(pid, 'exit_group(0)                     = ?');
      L(pid, '+++ exited with 0 +++');
      L(a, `--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=${pid}, si_uid=1000, si_status=0, si_utime=0, si_stime=0} ---`);
      L(a, `wait4(${pid}, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, {ru_utime={tv_sec=0, tv_usec=1200}, ru_stime={tv_sec=0, tv_usec=900}, ...}) = ${pid} <${d(false)}>`);
    }
    noise(6 + Math.floor(r() * 8));
  }
  // The stall the log ends on: a lock that is never granted.
  L(GO, `flock(7<${CACHE}/golang.org/x/text/@v/v0.3.8.lock>, LOCK_EX <unfinished ...>`);
  o.close();
  return { lines: o.lines, modules: mod };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: node scripts/gen-bench-strace.mjs OUT.log [LINES]');
    process.exit(2);
  }
  const t0 = Date.now();
  const r = generateStrace(out, Number(process.argv[3] ?? 1_000_000), { gitEvery: Number(process.argv[4] ?? 8) });
  console.log(`wrote ${out}: ${r.lines} lines, ${r.modules} modules in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
