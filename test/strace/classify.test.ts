import { describe, it, expect } from 'vitest';
import { classify, decodeCacheLockPath, unescapeModulePath, type CallFacts } from '../../src/strace/classify.js';

describe('module cache lock paths', () => {
  it('per-version lock: case escaping undone', () => {
    expect(decodeCacheLockPath('/home/u/go/pkg/mod/cache/download/github.com/!burnt!sushi/toml/@v/v1.2.1.lock'))
      .toEqual({ scope: 'download', module: 'github.com/BurntSushi/toml@v1.2.1' });
    expect(decodeCacheLockPath('/m/cache/download/example.com/!foo/bar/@v/v0.0.0-20240101000000-abcdef123456.lock'))
      .toEqual({ scope: 'download', module: 'example.com/Foo/bar@v0.0.0-20240101000000-abcdef123456' });
    expect(decodeCacheLockPath('/m/cache/download/golang.org/toolchain/@v/v0.0.1-go1.21.0.linux-amd64.lock')?.module)
      .toBe('golang.org/toolchain@v0.0.1-go1.21.0.linux-amd64');
  });
  it('escaped upper case in the version too', () => {
    expect(decodeCacheLockPath('/m/cache/download/x.io/y/@v/v1.0.0-!r!c1.lock')?.module).toBe('x.io/y@v1.0.0-RC1');
  });
  it('list and other files locked in place', () => {
    expect(decodeCacheLockPath('/m/cache/download/x.io/!y/@v/list')).toEqual({ scope: 'download', module: 'x.io/Y' });
    expect(decodeCacheLockPath('/m/cache/download/x.io/y/@v/v1.0.0.ziphash')?.module).toBe('x.io/y@v1.0.0');
  });
  it('vcs and global locks', () => {
    const h = '7b7c2ef0a9d7c72e6e16f931056ce9c29f57f64614e99bf6a96185be119776c5';
    expect(decodeCacheLockPath(`/m/cache/vcs/${h}.lock`)).toEqual({ scope: 'vcs', module: `vcs:${h}` });
    expect(decodeCacheLockPath('/home/u/go/pkg/mod/cache/lock')).toEqual({ scope: 'global', module: null });
  });
  it('other paths are not cache locks', () => {
    for (const p of ['/home/u/proj/go.sum', '/tmp/x.lock', '/m/cache/vcs/xyz.lock', null]) expect(decodeCacheLockPath(p)).toBeNull();
  });
  it('invalid escapes are refused', () => {
    expect(unescapeModulePath('a/!B')).toBeNull();
    expect(unescapeModulePath('a/!')).toBeNull();
    expect(unescapeModulePath('!a!b/c')).toBe('AB/c');
  });
});

const base: CallFacts = { name: 'read', args: [], path: null, remote: null, fd: null, command: 'go', unfinished: false, duration: 0.0001 };
const f = (o: Partial<CallFacts>): CallFacts => ({ ...base, ...o });

describe('classify', () => {
  it('flock / F_SETLKW on cache locks are kept, fast or not; LOCK_UN never', () => {
    const lock = '/m/cache/download/a.b/c/@v/v1.0.0.lock';
    expect(classify(f({ name: 'flock', args: ['3', 'LOCK_EX'], path: lock }))).toBe('cache-lock');
    expect(classify(f({ name: 'flock', args: ['3', 'LOCK_EX'], path: lock, unfinished: true, duration: null }))).toBe('cache-lock');
    expect(classify(f({ name: 'flock', args: ['3', 'LOCK_UN'], path: lock }))).toBeNull();
    expect(classify(f({ name: 'flock', args: ['3', '8'], path: lock }))).toBeNull();
    expect(classify(f({ name: 'flock', args: ['3', '0x2 /* LOCK_EX */'], path: lock }))).toBe('cache-lock');
    expect(classify(f({ name: 'fcntl', args: ['3', 'F_SETLKW', '{l_type=F_WRLCK, l_whence=SEEK_SET, l_start=0, l_len=0}'], path: lock }))).toBe('cache-lock');
    expect(classify(f({ name: 'fcntl', args: ['3', 'F_SETLK', '{l_type=F_UNLCK}'], path: lock }))).toBeNull();
  });
  it('other locks: .lock files always, files locked in place only when slow', () => {
    expect(classify(f({ name: 'flock', args: ['3', 'LOCK_EX'], path: '/tmp/app.lock' }))).toBe('file-lock');
    expect(classify(f({ name: 'flock', args: ['3', 'LOCK_SH'], path: '/p/go.sum' }))).toBeNull();
    expect(classify(f({ name: 'flock', args: ['3', 'LOCK_SH'], path: '/p/go.sum', duration: 2 }))).toBe('file-lock');
    expect(classify(f({ name: 'flock', args: ['3', 'LOCK_EX'], path: '/m/cache/download/a/@v/list', duration: 3 }))).toBe('cache-lock');
  });
  it('terminal reads by git / ssh', () => {
    expect(classify(f({ command: 'ssh', fd: 4, path: '/dev/tty' }))).toBe('terminal-read');
    expect(classify(f({ command: 'git', fd: 0, path: null, unfinished: true, duration: null }))).toBe('terminal-read');
    expect(classify(f({ command: 'git', fd: 0, path: null }))).toBeNull();
    expect(classify(f({ command: 'go', fd: 4, path: '/dev/pts/1', unfinished: true, duration: null }))).toBe('other');
    expect(classify(f({ command: 'git', fd: 0, path: 'pipe', unfinished: true, duration: null }))).toBe('other');
  });
  it('connect always (dns when to port 53); waits only when slow', () => {
    expect(classify(f({ name: 'connect', remote: '1.2.3.4:443' }))).toBe('connect');
    expect(classify(f({ name: 'connect', remote: '[::1]:53' }))).toBe('dns');
    expect(classify(f({ name: 'wait4', duration: 0.6 }))).toBe('child-wait');
    expect(classify(f({ name: 'wait4' }))).toBeNull();
    expect(classify(f({ name: 'epoll_pwait', unfinished: true, duration: null }))).toBe('net-wait');
    expect(classify(f({ name: 'recvfrom', remote: '10.0.0.1:53', duration: 5 }))).toBe('dns');
  });
  it("go's idle threads are never kept", () => {
    expect(classify(f({ name: 'futex', unfinished: true, duration: null }))).toBeNull();
    expect(classify(f({ name: 'nanosleep', duration: 10 }))).toBeNull();
    expect(classify(f({ name: 'newfstatat', duration: 0.7 }))).toBe('other');
    expect(classify(f({ name: 'newfstatat', duration: 0.4 }))).toBeNull();
  });
});
