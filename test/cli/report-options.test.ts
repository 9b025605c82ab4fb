import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { runAnalyze, parseFormat, useColor } from '../../src/cli/report-options.js';
import { isUserFacing, reportError } from '../../src/cli/errors.js';
import { writeSynStall } from './pcap-fixture.js';

const BIN = fileURLToPath(new URL('../../bin/gomod-trace', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'gomod-trace-report-options-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const pcap = join(dir, 'syn.pcap');
writeSynStall(pcap);

function sink(isTTY = false): Writable & { text: string; isTTY: boolean; columns: number } {
  const w = new Writable({ write(chunk, _e, cb) { (w as unknown as { text: string }).text += chunk.toString(); cb(); } }) as Writable & { text: string; isTTY: boolean; columns: number };
  w.text = '';
  w.isTTY = isTTY;
  w.columns = 120;
  return w;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[/;

describe('runAnalyze', () => {
  it('prints the table with the verdict first (no colour when piped)', async () => {
    const out = sink();
    expect(await runAnalyze(pcap, {}, { stdout: out, env: {} })).toBe(0);
    expect(out.text.split('\n')[0]).toMatch(/STALLED at connect: TCP connect to 10\.9\.9\.9:443/);
    expect(out.text).not.toMatch(ANSI);
  });

  it('a terminal that reports 0 columns (a pty under script) gets the full width, not the narrowest', async () => {
    const zero = sink(true);
    zero.columns = 0;
    await runAnalyze(pcap, {}, { stdout: zero, env: { NO_COLOR: '1' } });
    const wide = sink(true);
    wide.columns = 100;
    await runAnalyze(pcap, {}, { stdout: wide, env: { NO_COLOR: '1' } });
    expect(zero.text).toBe(wide.text);
    expect(Math.max(...zero.text.split('\n').map((l) => l.length))).toBeGreaterThan(60);
  });

  it('colours on a TTY, not with NO_COLOR', async () => {
    const tty = sink(true);
    await runAnalyze(pcap, {}, { stdout: tty, env: { TERM: 'xterm' } });
    expect(tty.text).toMatch(ANSI);
    const no = sink(true);
    await runAnalyze(pcap, {}, { stdout: no, env: { TERM: 'xterm', NO_COLOR: '1' } });
    expect(no.text).not.toMatch(ANSI);
    expect(useColor({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
  });

  it('--format json prints the report; zh locale from LANG', async () => {
    const out = sink();
    await runAnalyze(pcap, { format: 'json' }, { stdout: out, env: { LANG: 'zh_CN.UTF-8' } });
    const r = JSON.parse(out.text);
    expect(r.verdict).toMatchObject({ stage: 'connect', state: 'stalled', address: '10.9.9.9:443' });
    expect(r.verdict.summary).toMatch(/TCP 连接/);
    expect(r.verdict.waited).toBe(15);
  });

  it('-o FILE writes each format and prints the verdict line', async () => {
    for (const format of ['html', 'md', 'trace', 'har', 'json', 'table']) {
      const out = sink();
      const file = join(dir, `report.${format}`);
      await runAnalyze(pcap, { format, output: file, lang: 'en' }, { stdout: out, env: {} });
      const text = readFileSync(file, 'utf8');
      expect(text.length).toBeGreaterThan(50);
      expect(out.text).toMatch(/STALLED at connect[\s\S]*report written to/);
      if (format === 'html') expect(text).toMatch(/Content-Security-Policy/);
      if (format === 'trace') expect(JSON.parse(text).traceEvents.length).toBeGreaterThan(2);
    }
  });

  it('-o FILE without --format: the format its extension names; --format wins; other names get the table', async () => {
    const cases: Array<[string, string | undefined, (text: string) => void]> = [
      ['report.html', undefined, (t) => expect(t).toMatch(/^<!doctype html>[\s\S]*Content-Security-Policy/i)],
      ['REPORT.HTM', undefined, (t) => expect(t).toMatch(/^<!doctype html>/i)],
      ['report.json', undefined, (t) => expect(JSON.parse(t).verdict.stage).toBe('connect')],
      // Still the JSON report: the trace format is only ever chosen with --format trace.
      ['report.trace.json', undefined, (t) => expect(JSON.parse(t)).not.toHaveProperty('traceEvents')],
      ['report.md', undefined, (t) => expect(t).toMatch(/^#+ /m)],
      ['report.markdown', undefined, (t) => expect(t).toMatch(/^#+ /m)],
      ['report.har', undefined, (t) => expect(JSON.parse(t).log.version).toBe('1.2')],
      ['report.txt', undefined, (t) => expect(t).toMatch(/^✖ STALLED at connect/)],
      ['report', undefined, (t) => expect(t).toMatch(/^✖ STALLED at connect/)],
      ['html', undefined, (t) => expect(t).toMatch(/^✖ STALLED at connect/)],
      ['forced.html', 'md', (t) => expect(t).toMatch(/^#+ /m)],
      ['forced.json', 'table', (t) => expect(t).toMatch(/^✖ STALLED at connect/)],
    ];
    for (const [name, format, check] of cases) {
      const file = join(dir, name);
      await runAnalyze(pcap, { format, output: file, lang: 'en' }, { stdout: sink(), env: {} });
      check(readFileSync(file, 'utf8'));
    }
  });

  it('analyze DIR reads a record bundle (capture, go.log, env.json, meta.json)', async () => {
    const b = join(dir, 'bundle');
    mkdirSync(b);
    writeSynStall(join(b, 'capture.pcap'), 1764045000);
    writeFileSync(join(b, 'go.log'), [
      '1764044999.900000 E # get https://goproxy.example.test/github.com/x/y/@v/list',
      '',
    ].join('\n'));
    writeFileSync(join(b, 'env.json'), JSON.stringify({ go: { GOPROXY: 'https://goproxy.example.test,direct', GOSUMDB: 'sum.golang.org' } }));
    writeFileSync(join(b, 'meta.json'), JSON.stringify({ start: { epoch: 1764044999.8 }, end: { epoch: 1764045020 } }));
    const out = sink();
    await runAnalyze(b, { format: 'json' }, { stdout: out, env: {} });
    const r = JSON.parse(out.text);
    expect(r.inputs.map((i: { kind: string }) => i.kind)).toEqual(['bundle', 'capture', 'go-log']);
    expect(r.fetches[0].url).toBe('https://goproxy.example.test/github.com/x/y/@v/list');
    expect(r.verdict).toMatchObject({ stage: 'connect', state: 'stalled', address: '10.9.9.9:443' });
    // The recording went on to meta.json's end: the wait is measured to there.
    expect(r.verdict.waited).toBeGreaterThan(15);
  });

  it('user mistakes are one-line usage errors', async () => {
    const cases: Array<[string, Record<string, string>, RegExp]> = [
      [pcap, { format: 'pdf' }, /--format pdf: unknown format/],
      [pcap, { straceDate: '25/11/2026' }, /--strace-date .*YYYY-MM-DD/],
      [pcap, { lang: 'fr' }, /--lang fr/],
      [dir + '/empty-dir-not-bundle', {}, /not a record bundle|no such file/],
    ];
    mkdirSync(dir + '/empty-dir-not-bundle');
    for (const [target, opts, re] of cases) {
      const err = await runAnalyze(target, opts, { stdout: sink(), env: {} }).then(() => null, (e: unknown) => e);
      expect(err, JSON.stringify(opts)).toBeInstanceOf(Error);
      const stderr = sink();
      const code = reportError(err, stderr);
      expect(code).toBe(2);
      expect(stderr.text).toMatch(re);
      expect(stderr.text.trim().split('\n')).toHaveLength(1);
    }
    const tty = await runAnalyze(pcap, { format: 'html' }, { stdout: sink(true), env: {} }).catch((e: unknown) => e);
    expect(isUserFacing(tty)).toBe(true);
    const missing = await runAnalyze(join(dir, 'nope.pcap'), {}, { stdout: sink(), env: {} }).catch((e: unknown) => e);
    const stderr = sink();
    expect(reportError(missing, stderr)).toBe(2);
    expect(stderr.text).toMatch(/nope\.pcap: no such file/);
  });

  it('an input that is a directory, missing or unreadable: one line naming it, exit 2', async () => {
    const inputs = join(dir, 'inputs');
    mkdirSync(join(inputs, 'trace.123'), { recursive: true });
    writeFileSync(join(inputs, 'locked.log'), 'x\n');
    chmodSync(join(inputs, 'locked.log'), 0);
    const cases: Array<[string | undefined, Record<string, string>, string]> = [
      [undefined, { goLog: inputs }, `${inputs}: is a directory`],
      [pcap, { goLog: inputs }, `${inputs}: is a directory`],
      [undefined, { goLog: join(inputs, 'nope.log') }, `${join(inputs, 'nope.log')}: no such file or directory`],
      // A -ff prefix (trace → trace.123, …) whose one member is a directory.
      [undefined, { strace: join(inputs, 'trace') }, `${join(inputs, 'trace.123')}: is a directory`],
      [undefined, { strace: join(inputs, 'nope.log') }, `${join(inputs, 'nope.log')}: no such file or directory`],
      [join(inputs, 'nope.pcap'), {}, `${join(inputs, 'nope.pcap')}: no such file or directory`],
    ];
    // root reads the file all the same.
    if (process.getuid?.() !== 0) {
      cases.push([undefined, { goLog: join(inputs, 'locked.log') }, `${join(inputs, 'locked.log')}: permission denied`]);
      cases.push([undefined, { strace: join(inputs, 'locked.log') }, `${join(inputs, 'locked.log')}: permission denied`]);
    }
    for (const [target, opts, line] of cases) {
      const err = await runAnalyze(target, opts, { stdout: sink(), env: {} }).then(() => null, (e: unknown) => e);
      const stderr = sink();
      expect(reportError(err, stderr), line).toBe(2);
      expect(stderr.text).toBe(`gomod-trace: ${line}\n`);
    }
  });

  it.skipIf(process.getuid?.() !== 0)('-o a full device: one line naming it, exit 2', async () => {
    // 1,7 is the full device: every write fails with ENOSPC.
    const full = join(dir, 'full');
    expect(spawnSync('mknod', [full, 'c', '1', '7']).status).toBe(0);
    try {
      const err = await runAnalyze(pcap, { output: full }, { stdout: sink(), env: {} }).then(() => null, (e: unknown) => e);
      const stderr = sink();
      expect(reportError(err, stderr)).toBe(2);
      expect(stderr.text).toBe(`gomod-trace: cannot write ${full}: no space left on device\n`);
    } finally {
      rmSync(full);
    }
  });

  it('gomod-trace analyze -o report.html writes the HTML page (npm run build first)', () => {
    const file = join(dir, 'cli-report.html');
    const r = spawnSync(BIN, ['analyze', pcap, '-o', file], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/STALLED at connect[\s\S]*report written to/);
    expect(readFileSync(file, 'utf8')).toMatch(/^<!doctype html>/i);
    const help = spawnSync(BIN, ['analyze', '--help'], { encoding: 'utf8' });
    expect(help.stdout).toMatch(/--format <format>[\s\S]*from -o FILE's\s+extension/);
  });

  it('parseFormat accepts aliases', () => {
    expect(parseFormat('markdown')).toBe('md');
    expect(parseFormat('JSON')).toBe('json');
  });
});
