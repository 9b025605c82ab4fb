// Bad input: truncated last line, interleaved garbage, binary junk, over-long lines, not strace at
// all, the record cap, and a 1-million-line log streamed with bounded memory.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadStrace, StraceFormatError } from '../../src/strace/index.js';
import { isUserFacing } from '../../src/cli/errors.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'gomod-trace-strace-bad-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });
async function file(name: string, data: string | Buffer): Promise<string> {
  const p = join(dir, name);
  await writeFile(p, data);
  return p;
}

const GOOD = [
  '10 1764045000.000000 openat(AT_FDCWD, "/c/cache/download/a.io/b/@v/v1.0.0.lock", O_RDWR|O_CREAT|O_CLOEXEC, 0666) = 3 <0.000020>',
  '10 1764045000.000100 flock(3, LOCK_EX <unfinished ...>',
  '11 1764045000.000200 futex(0xc000080148, FUTEX_WAIT_PRIVATE, 0, NULL <unfinished ...>',
];

describe('bad strace input', () => {
  it('a truncated last line mid-call: the call is in progress, with a warning', async () => {
    const p = await file('trunc.log', GOOD.join('\n') + '\n12 1764045000.000300 read(0, ');
    const ev = await loadStrace(p);
    expect(ev.input.warnings).toContain('last line has no newline: its call is taken as still in progress (first: line 4)');
    // fd 0 of a process strace never saw start: an unfinished read, kept as 'other'.
    expect(ev.toRecords(1764045000).syscalls.map((s) => [s.name, s.kind, s.duration])).toEqual([['flock', 'cache-lock', null], ['read', 'other', null]]);
  });
  it('a truncated last line that is no call: skipped with a warning', async () => {
    const p = await file('trunc2.log', GOOD.join('\n') + '\n12 1764045000.00');
    const ev = await loadStrace(p);
    expect(ev.input.warnings.join('\n')).toMatch(/last line is cut short \(no newline\) and was skipped \(first: line 4\)/);
    expect(ev.toRecords(0).anomalies.map((a) => a.name)).toContain('STRACE_truncated_last_line');
  });
  it('interleaved garbage: counted, first line named, parsing goes on', async () => {
    const lines = [GOOD[0], 'Hello from a program sharing the terminal', GOOD[1], '{"level":"info"}', GOOD[2]];
    const ev = await loadStrace(await file('garbage.log', lines.join('\n') + '\n'));
    expect(ev.input.warnings).toContain('2 line(s) not recognised as strace output, skipped (first: line 2)');
    const r = ev.toRecords(1764045000);
    expect(r.syscalls).toHaveLength(1);
    expect(r.syscalls[0]).toMatchObject({ module: 'a.io/b@v1.0.0', line: 3, duration: null });
    expect(r.anomalies.filter((a) => a.name === 'STRACE_unrecognised_line').map((a) => a.ref)).toEqual(['line 2', 'line 4']);
  });
  it('binary junk between good lines: skipped and counted', async () => {
    const junk = Buffer.from([0x00, 0x01, 0xff, 0xfe, 0x10, 0x41, 0x00]);
    const data = Buffer.concat([Buffer.from(GOOD[0] + '\n'), junk, Buffer.from('\n' + GOOD[1] + '\n')]);
    const ev = await loadStrace(await file('binary.log', data));
    expect(ev.input.warnings).toContain('1 line(s) with binary bytes skipped (first: line 2)');
    expect(ev.toRecords(0).syscalls).toHaveLength(1);
  });
  it('a file that is not strace at all: one-line user-facing StraceFormatError naming file and line', async () => {
    const p = await file('notstrace.txt', '\n\nmodule x\n\ngo 1.19\n');
    const err = await loadStrace(p).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StraceFormatError);
    expect(isUserFacing(err)).toBe(true);
    expect((err as Error).message).toBe(`${p}: line 3: not a strace log: no line looks like strace output (first: "module x")`);
    expect((err as Error).message).not.toContain('\n');
  });
  it('pure binary (a pcap given as strace): StraceFormatError, not a crash', async () => {
    const pcap = Buffer.alloc(4096);
    pcap.writeUInt32LE(0xa1b2c3d4, 0);
    for (let i = 24; i < pcap.length; i++) pcap[i] = (i * 131) & 0xff;
    const err = await loadStrace(await file('x.pcap', pcap)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StraceFormatError);
    expect((err as Error).message).toMatch(/x\.pcap: line 1: not a strace log/);
  });
  it('an empty file: a warning, no records', async () => {
    const ev = await loadStrace(await file('empty.log', ''));
    expect(ev.input.warnings).toContain('strace log is empty');
    expect(ev.firstTime).toBeNull();
  });
  it('a line longer than 64 KiB is cut, counted, and the call still classified', async () => {
    const big = 'x'.repeat(200_000);
    const p = await file('long.log', `${GOOD[0]}\n10 1764045000.1 write(1, "${big}", 200000) = 200000 <0.9>\n${GOOD[1]}\n`);
    const ev = await loadStrace(p);
    expect(ev.input.warnings).toContain('1 line(s) longer than 64 KiB were cut (first: line 2)');
    const r = ev.toRecords(1764045000);
    expect(r.syscalls.map((s) => s.name)).toEqual(['flock']);
    const cutLine = `10 1764045000.1 write(1, "${big}", 200000) = 200000 <0.9>`;
    expect(r.anomalies.find((a) => a.name === 'STRACE_line_cut')).toMatchObject({ ref: 'line 2', detail: `${cutLine.length - 65536} bytes cut` });
  });
  it('the record cap: a warning, and still-blocked calls are kept anyway', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 50; i++) lines.push(`10 ${1764045000 + i}.000000 connect(5, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("10.0.0.${i}")}, 16) = 0 <0.001>`);
    lines.push(GOOD[0], GOOD[1]);
    const ev = await loadStrace(await file('cap.log', lines.join('\n') + '\n'), { maxRecords: 10 });
    expect(ev.input.warnings).toContain('kept-call limit reached: 40 more call(s) not kept (quick ones make way for slow and blocked calls)');
    const r = ev.toRecords(1764045000);
    expect(r.syscalls).toHaveLength(11);
    expect(r.syscalls.filter((s) => s.name === 'connect')).toHaveLength(10);
    expect(r.syscalls.find((s) => s.name === 'flock')).toMatchObject({ duration: null, module: 'a.io/b@v1.0.0' });
  });
  it('a resumed call with no start: counted, kept as what it says', async () => {
    const p = await file('orphan.log', '10 1764045000.5 <... flock resumed>) = 0 <3.000000>\n' + GOOD[0] + '\n');
    const ev = await loadStrace(p);
    expect(ev.input.warnings).toContain('1 resumed call(s) had no start in the log (first: line 1)');
  });
});

describe('hostile process and fd counts', () => {
  it('more than 1000 -ff files: a one-line error that says how to merge them', async () => {
    const many = join(dir, 'many');
    await (await import('node:fs/promises')).mkdir(many);
    for (let i = 0; i < 1001; i++) await writeFile(join(many, `t.${1000 + i}`), `1764045000.${String(i).padStart(6, '0')} close(3) = 0 <0.000001>\n`);
    const err = await loadStrace(many).catch((e: unknown) => e);
    expect((err as Error).name).toBe('InputError');
    expect((err as Error).message).toBe(`${many}: 1001 strace -ff files is more than 1000 read at once; merge them first (strace-log-merge ${many} > merged.log)`);
  });

  it('a fork bomb of fd-heavy processes stays within the fd budget, with a warning', async () => {
    const lines: string[] = [];
    let t = 1764045000;
    const ts = () => (t += 0.000001).toFixed(6);
    for (let fd = 3; fd < 4000; fd++) lines.push(`1 ${ts()} openat(AT_FDCWD, "/f/${fd}", O_RDONLY) = ${fd} <0.000001>`);
    for (let c = 2; c < 300; c++) lines.push(`1 ${ts()} clone(child_stack=NULL, flags=SIGCHLD) = ${c} <0.000001>`);
    lines.push(`1 ${ts()} flock(3, LOCK_EX <unfinished ...>`);
    const ev = await loadStrace(await file('forks.log', lines.join('\n') + '\n'));
    expect(ev.input.warnings.some((w) => /^fd table limit reached: \d+ fd\(s\) not tracked$/.test(w))).toBe(true);
    const r = ev.toRecords(1764045000);
    expect(r.processes).toHaveLength(299);
    expect(r.syscalls).toEqual([expect.objectContaining({ name: 'flock', path: '/f/3', kind: 'file-lock', duration: null })]);
  });
});

describe('a 1-million-line log', () => {
  it('streams with bounded memory and keeps only what matters', async () => {
    const p = join(dir, 'million.log');
    const out = createWriteStream(p);
    const N = 1_000_000;
    for (let i = 0; i < N; i++) {
      const t = (1764045000 + i / 1000).toFixed(6);
      const pid = 100 + (i % 4);
      const line = i === N - 2
        ? `${pid} ${t} flock(3</m/cache/download/a.io/b/@v/v1.0.0.lock>, LOCK_EX <unfinished ...>`
        : i % 3 === 0
          ? `${pid} ${t} futex(0xc000080148, FUTEX_WAKE_PRIVATE, 1) = 1 <0.000010>`
          : i % 3 === 1
            ? `${pid} ${t} read(7</home/u/p/go.mod>, "module x\\n\\ngo 1.19\\n", 512) = 19 <0.000012>`
            : `${pid} ${t} epoll_pwait(4<anon_inode:[eventpoll]>, [], 128, 0, NULL, 0) = 0 <0.000006>`;
      if (!out.write(line + '\n')) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().heapUsed); }, 10);
    const t = Date.now();
    const ev = await loadStrace(p);
    const secs = (Date.now() - t) / 1000;
    clearInterval(timer);
    expect(ev.input.lines).toBe(N);
    const r = ev.toRecords(1764045000);
    expect(r.syscalls).toHaveLength(1);
    expect(r.syscalls[0]).toMatchObject({ name: 'flock', module: 'a.io/b@v1.0.0', duration: null, line: N - 1 });
    // The file is ~100 MB; the parser must not hold it.
    expect(peak - before).toBeLessThan(150 * 1024 * 1024);
    console.log(`strace 1M lines: ${secs.toFixed(2)} s, ${Math.round(N / secs)} lines/s, heap growth ${((peak - before) / 1048576).toFixed(1)} MiB`);
  }, 120_000);
});
