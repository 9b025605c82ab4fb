import { describe, it, expect } from 'vitest';
import { parseLine, splitArgs, splitResult, parseFdArg, unquote, parseStringArray, decodeEscapes } from '../../src/strace/line.js';

describe('parseLine prefixes', () => {
  it('pid column + -ttt', () => {
    const e = parseLine('8578  1795581602.973334 flock(3</m/cache/lock>, LOCK_EX) = 0 <0.000038>');
    expect(e).toMatchObject({ type: 'call', pid: 8578, pidStyle: 'column', time: { kind: 'epoch', value: 1795581602.973334 }, name: 'flock', args: '3</m/cache/lock>, LOCK_EX', result: '0', duration: 0.000038 });
  });
  it('[pid N] (strace 4.x) + -tt', () => {
    const e = parseLine('[pid  5002] 14:03:10.102000 futex(0xc000048148, FUTEX_WAIT_PRIVATE, 0, NULL <unfinished ...>');
    expect(e).toMatchObject({ type: 'unfinished', pid: 5002, pidStyle: 'bracket', name: 'futex', args: '0xc000048148, FUTEX_WAIT_PRIVATE, 0, NULL', detached: false });
    expect(e.time).toEqual({ kind: 'tod', value: 14 * 3600 + 3 * 60 + 10.102, micro: true });
  });
  it('-t (whole seconds), no pid', () => {
    const e = parseLine('04:40:06 close(3) = 0');
    expect(e).toMatchObject({ type: 'call', pid: null, time: { kind: 'tod', value: 4 * 3600 + 40 * 60 + 6, micro: false }, name: 'close' });
  });
  it('-r with and without a pid column', () => {
    expect(parseLine('     0.000123 open("/x", O_RDONLY) = 3')).toMatchObject({ pid: null, time: { kind: 'rel', value: 0.000123 }, result: '3' });
    expect(parseLine('9316       1.250000 read(0, "", 1) = 0')).toMatchObject({ pid: 9316, time: { kind: 'rel', value: 1.25 } });
  });
  it('no timestamp, pid column only', () => {
    expect(parseLine('8578  close(3)                                = 0')).toMatchObject({ type: 'call', pid: 8578, time: null, name: 'close', result: '0' });
  });
});

describe('parseLine bodies', () => {
  it('resumed, with the strace 4 space and without', () => {
    expect(parseLine('8691  04:40:08.955712 <... flock resumed>) = ? ERESTARTSYS (To be restarted if SA_RESTART is set) <1.982462>'))
      .toMatchObject({ type: 'resumed', name: 'flock', rest: '', result: '? ERESTARTSYS (To be restarted if SA_RESTART is set)', duration: 1.982462 });
    expect(parseLine('[pid 1] 1.0 <... read resumed> "abc", 10) = 3')).toMatchObject({ type: 'resumed', name: 'read', rest: '"abc", 10', result: '3' });
    expect(parseLine('8696  1.5 <... futex resumed>) = ?')).toMatchObject({ type: 'resumed', result: '?', duration: null });
  });
  it('signals, exits, kills, detached, strace messages', () => {
    expect(parseLine('8694  1795581602.959375 --- SIGURG {si_signo=SIGURG, si_code=SI_TKILL, si_pid=8691, si_uid=0} ---'))
      .toMatchObject({ type: 'signal', signal: 'SIGURG' });
    expect(parseLine('8691  1.0 +++ exited with 2 +++')).toMatchObject({ type: 'exit', code: 2 });
    expect(parseLine('77 +++ killed by SIGKILL (core dumped) +++')).toMatchObject({ type: 'killed', signal: 'SIGKILL', core: true });
    expect(parseLine('77 1.0 read(3, <detached ...>')).toMatchObject({ type: 'unfinished', name: 'read', detached: true });
    expect(parseLine('strace: Process 4242 attached')).toMatchObject({ type: 'message' });
  });
  it('unknown syscalls are kept generically', () => {
    expect(parseLine('12 1.0 syscall_0x1c2(0x1, 0x2) = -1 ENOSYS (Function not implemented)')).toMatchObject({ type: 'call', name: 'syscall_0x1c2', result: '-1 ENOSYS (Function not implemented)' });
    expect(parseLine('12 1.0 ????( <unfinished ...>')).toMatchObject({ type: 'unfinished', name: '????' });
  });
  it('a result with -yy annotation and a string arg holding " = " and ")"', () => {
    const e = parseLine('1 1.0 write(1</dev/pts/0>, "a) = 5\\n", 7) = 7 <0.000010>');
    expect(e).toMatchObject({ type: 'call', args: '1</dev/pts/0>, "a) = 5\\n", 7', result: '7' });
  });
  it('an unterminated line is a call in progress; a terminated one without result is garbage', () => {
    expect(parseLine('9193  1795581658.463430 futex(0xe3e598, FUTEX_WAIT_PRIVATE, 0, {tv_sec=60, tv_nsec=0}', true)).toMatchObject({ type: 'partial', name: 'futex' });
    expect(parseLine('9193  1795581658.463430 futex(0xe3e598, FUTEX_WAIT_PRIVATE', false).type).toBe('garbage');
  });
  it('garbage stays garbage', () => {
    for (const s of ['hello world', '', '{"json": true}', 'GET / HTTP/1.1', '12345 nothing here']) expect(parseLine(s).type).toBe('garbage');
  });
});

describe('argument helpers', () => {
  it('splitArgs honours strings, brackets and fd annotations', () => {
    expect(splitArgs('3</tmp/a,b>, "x, y", [1, 2], {a=1, b=2}, 0666')).toEqual(['3</tmp/a,b>', '"x, y"', '[1, 2]', '{a=1, b=2}', '0666']);
    expect(splitArgs('AT_FDCWD</p>, "/x\\"y", O_RDONLY')).toEqual(['AT_FDCWD</p>', '"/x\\"y"', 'O_RDONLY']);
    expect(splitArgs('')).toEqual([]);
  });
  it('splitResult finds the last ") = "', () => {
    expect(splitResult('3, "a) = b") = 3 <0.5>')).toEqual({ args: '3, "a) = b"', result: '3', duration: 0.5 });
    expect(splitResult('3) = ? <unavailable>')).toEqual({ args: '3', result: '?', duration: null });
    expect(splitResult('no result here')).toBeNull();
  });
  it('parseFdArg', () => {
    expect(parseFdArg('3<TCP:[127.0.0.1:1->127.0.0.1:2]>')).toEqual({ fd: 3, note: 'TCP:[127.0.0.1:1->127.0.0.1:2]' });
    expect(parseFdArg('AT_FDCWD</home>')).toEqual({ fd: null, note: '/home' });
    expect(parseFdArg('0x1')).toEqual({ fd: null, note: null });
  });
  it('unquote decodes C escapes and ends a cut string in …, the report\'s mark of a cut', () => {
    expect(unquote('"a\\nb\\t\\"c\\\\"')).toBe('a\nb\t"c\\');
    expect(unquote('"\\x41\\102\\303\\251"')).toBe('ABé');
    expect(unquote('"abc"...')).toBe('abc…');
    expect(unquote('0x1234')).toBeNull();
  });
  it('parseStringArray reads argv, cut or not', () => {
    expect(parseStringArray('["git", "ls-remote", "https://x/y"]')).toEqual(['git', 'ls-remote', 'https://x/y']);
    expect(parseStringArray('["sh", "-c", "a, b"]...')).toEqual(['sh', '-c', 'a, b']);
    expect(parseStringArray('0x7ffd /* 3 vars */')).toEqual([]);
  });
});

// strace 6.1, `exec 3</tmp/张/f; flock 3` and a file named a"b>c: strings and annotations escape
// every byte ≥ 0x80 (octal by default, hex under -x/-xx) and, in annotations, `>` too.
describe('non-ASCII paths: strace escapes → bytes → UTF-8', () => {
  it('octal and hex escapes decode to the UTF-8 text go has', () => {
    expect(unquote('"/tmp/\\345\\274\\240/f"')).toBe('/tmp/张/f');
    expect(unquote('"\\x2f\\x74\\x6d\\x70\\x2f\\xe5\\xbc\\xa0\\x2f\\x66"')).toBe('/tmp/张/f');
    expect(unquote('"/\\360\\237\\230\\200"')).toBe('/😀');
    expect(decodeEscapes('a\\tb\\n\\"\\\\\\0')).toBe('a\tb\n"\\\0');
  });
  it('-y/-yy annotations are decoded the same way', () => {
    expect(parseFdArg('3</tmp/\\345\\274\\240/f>')).toEqual({ fd: 3, note: '/tmp/张/f' });
    expect(parseFdArg('4</tmp/\\345\\274\\240/a\\"b\\76c>')).toEqual({ fd: 4, note: '/tmp/张/a"b>c' });
    expect(parseFdArg('3<\\x2f\\x74\\x6d\\x70\\x2f\\xe5\\xbc\\xa0\\x2f\\x66>')).toEqual({ fd: 3, note: '/tmp/张/f' });
    expect(parseFdArg('AT_FDCWD</home/\\345\\274\\240>')).toEqual({ fd: null, note: '/home/张' });
  });
  it('bytes that are not UTF-8 keep the escape strace wrote: nothing lost, nothing invented', () => {
    expect(unquote('"/tmp/\\377bad"')).toBe('/tmp/\\377bad');
    expect(parseFdArg('5</tmp/\\xffbad>').note).toBe('/tmp/\\xffbad');
    // A lead byte without its continuation, an overlong "/", a UTF-16 surrogate.
    expect(decodeEscapes('\\345\\274x')).toBe('\\345\\274x');
    expect(decodeEscapes('\\300\\257')).toBe('\\300\\257');
    expect(decodeEscapes('\\355\\240\\200')).toBe('\\355\\240\\200');
    // Valid sequences around an invalid byte still decode.
    expect(decodeEscapes('\\345\\274\\240\\200\\345\\274\\240')).toBe('张\\200张');
    expect(decodeEscapes('trailing \\')).toBe('trailing \\');
  });
  it('a string cut at -s still ends in …; a character cut in two stays escaped', () => {
    expect(unquote('"/home/\\345\\274\\240/go"...')).toBe('/home/张/go…');
    expect(unquote('"/home/\\345\\274"...')).toBe('/home/\\345\\274…');
  });
});

describe('strace 6 -yy device annotations', () => {
  it('drops the <char M:N> of a device path', () => {
    expect(parseFdArg('6</dev/tty<char 5:0>>')).toEqual({ fd: 6, note: '/dev/tty' });
    expect(parseFdArg('0</dev/pts/3<char 136:3>>')).toEqual({ fd: 0, note: '/dev/pts/3' });
    expect(splitArgs('6</dev/tty<char 5:0>>, "", 4096')).toEqual(['6</dev/tty<char 5:0>>', '""', '4096']);
  });
});

describe('more strace lines', () => {
  it('-k stack frames and "superseded by execve" are strace messages, not garbage', () => {
    expect(parseLine(' > /usr/lib/x86_64-linux-gnu/libc.so.6(__flock+0xb) [0x10c2db]').type).toBe('message');
    expect(parseLine('9999  1.0 +++ superseded by execve in pid 9990 +++').type).toBe('message');
    expect(parseLine('[ Process PID=4242 runs in 32 bit mode. ]').type).toBe('message');
  });
  it('nanosecond timestamps', () => {
    expect(parseLine('1 1795581602.930932123 close(3) = 0').time).toEqual({ kind: 'epoch', value: 1795581602.930932123 });
  });
});
