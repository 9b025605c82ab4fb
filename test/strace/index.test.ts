// Hand-written logs for the formats people have: strace 4.x `[pid N]`, `-ff` files, -t, -r, -y/-yy.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadStrace } from '../../src/strace/index.js';
import { isUserFacing } from '../../src/cli/errors.js';

const fixtures = fileURLToPath(new URL('../fixtures/strace/', import.meta.url));
let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'gomod-trace-strace-unit-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });
async function log(name: string, text: string): Promise<string> {
  const p = join(dir, name);
  await writeFile(p, text);
  return p;
}

describe('strace 4.x [pid N] log with -tt -T', () => {
  it('joins, builds the tree (threads folded, vfork child, grandchild) and finds every blocked call', async () => {
    const ev = await loadStrace(join(fixtures, 'strace4-pid-bracket.log'), { date: '2026-11-25', tz: 'UTC' });
    expect(ev.input.format).toBe('strace -f ([pid N]) -tt -T');
    expect(ev.firstTime).toBe(Date.UTC(2026, 10, 25, 14, 3, 10, 100) / 1000);
    const r = ev.toRecords(ev.firstTime!);
    const procs = Object.fromEntries(r.processes.map((p) => [p.pid, p]));
    // Thread 5002 is part of 5001, not a process of its own.
    expect(Object.keys(procs).map(Number).sort()).toEqual([5001, 5003, 5004]);
    expect(procs[5003]).toMatchObject({ ppid: 5001, command: 'git', argv: ['git', 'ls-remote', '-q', 'ssh://git@example.test/x.git'] });
    expect(procs[5004]).toMatchObject({ ppid: 5003, command: 'ssh' });
    const blocked = r.syscalls.filter((s) => s.duration === null).map((s) => `${s.pid} ${s.command} ${s.name} ${s.kind}`);
    expect(blocked.sort()).toEqual([
      '5001 go flock cache-lock',
      '5001 go wait4 child-wait',
      '5003 git wait4 child-wait',
      '5004 ssh read terminal-read',
    ]);
    const lock = r.syscalls.find((s) => s.kind === 'cache-lock')!;
    expect(lock).toMatchObject({ module: 'github.com/BurntSushi/toml@v1.2.1', fd: 3, line: 5, result: null });
    expect(lock.start).toBeCloseTo(0.011, 6);
    expect(r.syscalls.find((s) => s.kind === 'terminal-read')).toMatchObject({ path: '/dev/tty', fd: 4, line: 16 });
  });
});

describe('-ff per-process files', () => {
  for (const how of ['directory', 'prefix']) {
    it(`gathers name.PID files given a ${how}, merges them by time, and reads unterminated last lines as blocked`, async () => {
      const ev = await loadStrace(how === 'directory' ? join(fixtures, 'ff') : join(fixtures, 'ff', 'trace'));
      expect(ev.input.format).toBe('strace -ff -ttt -T');
      expect(ev.input.warnings).toContain('3 strace -ff files merged by time');
      const r = ev.toRecords(1764045000);
      expect(r.processes.map((p) => [p.pid, p.ppid, p.command])).toEqual([[6001, null, 'go'], [6003, 6001, 'git']]);
      const conn = r.syscalls.find((s) => s.name === 'connect')!;
      expect(conn).toMatchObject({ pid: 6001, kind: 'connect', result: '-1 EINPROGRESS (Operation now in progress)', fd: 7 });
      // local from the later getsockname: the record shares the socket state.
      expect(conn.socket).toEqual({ local: '192.0.2.7:51812', remote: '203.0.113.10:443', protocol: 'tcp' });
      expect(conn.start).toBeCloseTo(0.103, 6);
      const blocked = r.syscalls.filter((s) => s.duration === null).map((s) => `${s.pid} ${s.name} ${s.kind}`).sort();
      expect(blocked).toEqual(['6001 epoll_pwait net-wait', '6001 wait4 child-wait', '6003 read terminal-read']);
      expect(ev.input.warnings.some((w) => /no newline/.test(w))).toBe(true);
    });
  }
  it('a directory without name.PID files: a one-line user error', async () => {
    const empty = join(dir, 'emptydir');
    await (await import('node:fs/promises')).mkdir(empty);
    const err = await loadStrace(empty).catch((e: unknown) => e);
    expect(isUserFacing(err)).toBe(true);
    expect((err as Error).message).toBe(`${empty}: is a directory with no strace -ff files (name.PID)`);
  });
  it('a missing path names it', async () => {
    await expect(loadStrace(join(dir, 'nothing-here'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('-r relative times', () => {
  const text = [
    '12345      0.000000 execve("/usr/bin/go", ["go", "mod", "download"], 0x7ffe /* 9 vars */) = 0 <0.000300>',
    '12345      0.000400 openat(AT_FDCWD, "/c/cache/download/a.io/b/@v/v1.0.0.lock", O_RDWR|O_CREAT|O_CLOEXEC, 0666) = 3 <0.000020>',
    '12345      0.000100 flock(3, LOCK_EX) = 0 <2.500000>',
    '12345      2.500200 exit_group(0)                     = ?',
    '12345      0.000300 +++ exited with 0 +++',
  ].join('\n') + '\n';
  it('with an anchor: epoch times', async () => {
    const ev = await loadStrace(await log('r.log', text), { anchor: 1764045000 });
    expect(ev.firstTime).toBe(1764045000);
    const r = ev.toRecords(1764045000);
    expect(r.syscalls).toHaveLength(1);
    expect(r.syscalls[0]).toMatchObject({ name: 'flock', start: 0.0005, duration: 2.5, module: 'a.io/b@v1.0.0' });
    expect(r.processes[0]).toMatchObject({ end: 2.501, exit: { code: 0, signal: null } });
    expect(ev.assumptions[0]).toMatch(/anchored at 2025-11-25T04:30:00.000Z/);
  });
  it('without: the log starts at t0 and the assumption says so', async () => {
    const ev = await loadStrace(await log('r2.log', text));
    expect(ev.firstTime).toBeNull();
    expect(ev.input.format).toBe('strace -f -r -T');
    expect(ev.toRecords(5000).syscalls[0].start).toBe(0.0005);
    expect(ev.assumptions[0]).toMatch(/no anchor/);
  });
});

describe('-t without -f and without -T; -y / -yy sockets; fd bookkeeping', () => {
  it('-t single process: durations from the next line, midnight crossing', async () => {
    const p = await log('t.log', [
      '23:59:58 openat(AT_FDCWD, "/c/cache/lock", O_RDWR|O_CREAT|O_CLOEXEC, 0666) = 3',
      '23:59:58 flock(3, LOCK_EX) = 0',
      '00:00:03 close(3) = 0',
      '',
    ].join('\n'));
    const ev = await loadStrace(p, { date: '2026-11-24', tz: 'UTC' });
    const r = ev.toRecords(ev.firstTime!);
    expect(r.syscalls).toEqual([expect.objectContaining({ name: 'flock', kind: 'cache-lock', path: '/c/cache/lock', module: null, duration: 5, pid: 0 })]);
    expect(ev.lastTime! - ev.firstTime!).toBe(5);
    expect(ev.assumptions.join('\n')).toMatch(/crossed midnight[\s\S]*whole seconds[\s\S]*no -T/);
  });
  it('-y: socket endpoints from connect + getsockname (IPv6), DNS on port 53, dup and fcntl copies, close forgets', async () => {
    const p = await log('y.log', [
      '100 1.000000 socket(AF_INET6, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_IP) = 5<socket:[9001]> <0.000010>',
      '100 1.000100 connect(5<socket:[9001]>, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "2001:db8::1", &sin6_addr), sin6_scope_id=0}, 28) = -1 EINPROGRESS (Operation now in progress) <0.000040>',
      '100 1.000200 getsockname(5<socket:[9001]>, {sa_family=AF_INET6, sin6_port=htons(51234), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "2001:db8::2", &sin6_addr), sin6_scope_id=0}, [112 => 28]) = 0 <0.000010>',
      '100 1.000300 socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_IP) = 6<socket:[9002]> <0.000010>',
      '100 1.000400 connect(6<socket:[9002]>, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.0.0.53")}, 16) = 0 <0.000020>',
      '100 1.000500 openat(AT_FDCWD</p>, "go.mod", O_RDONLY|O_CLOEXEC) = 7</p/go.mod> <0.000010>',
      '100 1.000600 fcntl(7</p/go.mod>, F_DUPFD_CLOEXEC, 0) = 8</p/go.mod> <0.000010>',
      '100 1.000700 dup2(5<socket:[9001]>, 9) = 9 <0.000010>',
      '100 1.000800 close(7</p/go.mod>) = 0 <0.000010>',
      '100 1.000900 flock(8</p/go.mod>, LOCK_SH) = 0 <0.900000>',
      '100 2.000000 epoll_pwait(4<anon_inode:[eventpoll]>, [], 128, -1, NULL, 0) = 0 <0.600000>',
      '100 2.700000 recvfrom(6<socket:[9002]>, "", 512, 0, NULL, NULL) = 0 <0.700000>',
      '100 3.500000 read(9<socket:[9001]>, "", 10) = 0 <1.000000>',
      '',
    ].join('\n'));
    const ev = await loadStrace(p);
    expect(ev.input.format).toBe('strace -f -r -T -y');
    const r = ev.toRecords(0);
    const by = (n: string) => r.syscalls.filter((s) => s.name === n);
    expect(by('connect')[0]).toMatchObject({ kind: 'connect', socket: { remote: '[2001:db8::1]:443', local: '[2001:db8::2]:51234', protocol: 'tcp' } });
    expect(by('connect')[1]).toMatchObject({ kind: 'dns', socket: { remote: '10.0.0.53:53', protocol: 'udp' } });
    expect(by('flock')[0]).toMatchObject({ kind: 'file-lock', path: '/p/go.mod', fd: 8, duration: 0.9 });
    expect(by('epoll_pwait')[0]).toMatchObject({ kind: 'net-wait', duration: 0.6 });
    expect(by('recvfrom')[0]).toMatchObject({ kind: 'dns' });
    // fd 9 is a dup of the v6 socket.
    expect(by('read')[0]).toMatchObject({ kind: 'other', fd: 9, socket: { remote: '[2001:db8::1]:443' } });
  });
  it('-yy: endpoints straight from the annotation', async () => {
    const p = await log('yy.log', [
      '7 1764045000.000000 connect(3<TCP:[4242]>, {sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr("127.9.9.1")}, 16) = -1 EINPROGRESS (Operation now in progress) <0.000030>',
      '7 1764045000.000100 write(3<TCP:[127.0.0.1:40000->127.9.9.1:8080]>, "GET / HTTP/1.1\\r\\n", 16) = 16 <0.000010>',
      '7 1764045000.000200 read(3<TCP:[127.0.0.1:40000->127.9.9.1:8080]>,  <unfinished ...>',
      '',
    ].join('\n'));
    const ev = await loadStrace(p);
    expect(ev.input.format).toBe('strace -f -ttt -T -yy');
    const r = ev.toRecords(1764045000);
    expect(r.syscalls.map((s) => [s.name, s.duration, s.socket])).toEqual([
      ['connect', 0.00003, { local: '127.0.0.1:40000', remote: '127.9.9.1:8080', protocol: 'tcp' }],
      ['read', null, { local: '127.0.0.1:40000', remote: '127.9.9.1:8080', protocol: 'tcp' }],
    ]);
  });
  it('a process killed inside a call: the call ends at the kill, not "still blocked"', async () => {
    const p = await log('kill.log', [
      '9 1764045000.0 flock(3</c/cache/lock>, LOCK_EX <unfinished ...>',
      '9 1764045004.0 +++ killed by SIGKILL +++',
      '',
    ].join('\n'));
    const r = (await loadStrace(p)).toRecords(1764045000);
    expect(r.syscalls[0]).toMatchObject({ kind: 'cache-lock', duration: 4, result: '?' });
    expect(r.processes[0].exit).toEqual({ code: null, signal: 'SIGKILL' });
  });
});
