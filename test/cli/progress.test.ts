import { describe, expect, it } from 'vitest';
import {
  createProgress, formatBytes, formatDuration, formatProgress, progressEnabled, NO_PROGRESS, TerminalProgress,
} from '../../src/cli/progress.js';
import type { AnalyzeProgress } from '../../src/timeline/analyze.js';

class FakeTty {
  isTTY = true;
  columns = 100;
  out = '';
  write(s: string): boolean { this.out += s; return true; }
  /** What a terminal would show on the status line now: the text after the last \r, erase codes removed. */
  get screen(): string { return (this.out.split('\r').pop() ?? '').replaceAll('\x1b[K', ''); }
  get draws(): number { return this.out.split('\r').filter((s) => s.replaceAll('\x1b[K', '') !== '').length; }
}

function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 5000;
  return { now: () => t, advance: (ms) => { t += ms; } };
}

const cap = (bytes: number, count: number, total: number | null = 1000 * 1048576, done = false): AnalyzeProgress =>
  ({ kind: 'capture', file: '/data/captures/big.pcap', bytes, total, count, done });

describe('progressEnabled', () => {
  it('is on for a TTY and off for a pipe or file', () => {
    expect(progressEnabled({ isTTY: true }, {})).toBe(true);
    expect(progressEnabled({ isTTY: false }, {})).toBe(false);
    expect(progressEnabled({}, {})).toBe(false);
  });
  it('is off for TERM=dumb and under CI, and GOMOD_TRACE_PROGRESS overrides both ways', () => {
    expect(progressEnabled({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
    expect(progressEnabled({ isTTY: true }, { CI: 'true' })).toBe(false);
    expect(progressEnabled({ isTTY: true }, { CI: '0' })).toBe(true);
    expect(progressEnabled({ isTTY: true }, { GOMOD_TRACE_PROGRESS: '0' })).toBe(false);
    expect(progressEnabled({ isTTY: false }, { GOMOD_TRACE_PROGRESS: '1' })).toBe(true);
  });
  it('gives the no-op reporter when off, which writes nothing', () => {
    const s = new FakeTty();
    s.isTTY = false;
    const p = createProgress(s, {});
    expect(p).toBe(NO_PROGRESS);
    p.update(cap(1, 1));
    p.done();
    expect(s.out).toBe('');
  });
});

describe('TerminalProgress', () => {
  it('draws nothing during the first second: small inputs stay silent', () => {
    const s = new FakeTty();
    const c = clock();
    const p = new TerminalProgress(s, { now: c.now });
    for (let i = 1; i <= 9; i++) { c.advance(100); p.update(cap(i * 4 * 1048576, i * 1000)); }
    p.done();
    expect(s.out).toBe('');
    expect(p.shown).toBe(false);
  });

  it('after the delay shows bytes, total, percentage, packets, rate and ETA on one redrawn line', () => {
    const s = new FakeTty();
    const c = clock();
    const p = new TerminalProgress(s, { now: c.now });
    p.update(cap(0, 0));
    c.advance(1000);
    p.update(cap(250 * 1048576, 123456));
    expect(s.out.startsWith('\r')).toBe(true);
    expect(s.out.endsWith('\x1b[K')).toBe(true);
    expect(s.out).not.toContain('\n');
    // 250 MiB in 1 s: 750 MiB left at 250 MiB/s is 3 s.
    expect(s.screen).toBe('capture big.pcap: 250.0 MiB / 1000.0 MiB (25%) · 123,456 packets · 250.0 MiB/s · ETA 3 s');
  });

  it('redraws at most every 100 ms however often it is called', () => {
    const s = new FakeTty();
    const c = clock();
    const p = new TerminalProgress(s, { now: c.now });
    c.advance(1000);
    // 1000 updates 1 ms apart: one second, so about ten draws.
    for (let i = 0; i < 1000; i++) { p.update(cap(i * 1048576 / 2, i)); c.advance(1); }
    expect(s.draws).toBeGreaterThanOrEqual(9);
    expect(s.draws).toBeLessThanOrEqual(11);
  });

  it('erases its line at the end, once, and ignores updates after that', () => {
    const s = new FakeTty();
    const c = clock();
    const p = new TerminalProgress(s, { now: c.now });
    c.advance(1500);
    p.update(cap(10, 1));
    const drawn = s.out;
    p.done();
    expect(s.out).toBe(`${drawn}\r\x1b[K`);
    expect(s.screen).toBe('');
    p.done();
    c.advance(500);
    p.update(cap(20, 2));
    expect(s.out).toBe(`${drawn}\r\x1b[K`);
  });

  it('switches to the next input and measures its rate from its own start', () => {
    const s = new FakeTty();
    const c = clock();
    const p = new TerminalProgress(s, { now: c.now });
    c.advance(2000);
    p.update(cap(1000 * 1048576, 900000, 1000 * 1048576, true));
    p.update({ kind: 'strace', file: 'strace.log', bytes: 0, total: 400 * 1048576, count: 0, done: false });
    c.advance(2000);
    p.update({ kind: 'strace', file: 'strace.log', bytes: 100 * 1048576, total: 400 * 1048576, count: 800000, done: false });
    expect(s.screen).toBe('strace strace.log: 100.0 MiB / 400.0 MiB (25%) · 800,000 lines · 50.0 MiB/s · ETA 6 s');
  });

  it('fits a narrow terminal: never wider than the columns, the percentage and ETA kept', () => {
    for (const columns of [40, 60, 80]) {
      const s = new FakeTty();
      s.columns = columns;
      const c = clock();
      const p = new TerminalProgress(s, { now: c.now });
      p.update({ ...cap(0, 0), file: '/very/long/path/to/a/capture-with-a-rather-long-name-2026-11-25.pcapng' });
      c.advance(1000);
      p.update({ ...cap(512 * 1048576, 4_000_000), file: '/very/long/path/to/a/capture-with-a-rather-long-name-2026-11-25.pcapng' });
      expect(s.screen.length).toBeLessThan(columns);
      expect(s.screen).toContain('51%');
      expect(s.screen).toContain('ETA 1 s');
    }
  });
});

describe('formatProgress', () => {
  it('has no percentage or ETA when the size is unknown (stdin)', () => {
    const line = formatProgress({ kind: 'capture', file: '-', bytes: 3 * 1048576, total: null, count: 42, done: false }, 2, 3 * 1048576, 200);
    expect(line).toBe('capture <stdin>: 3.0 MiB · 42 packets · 1.5 MiB/s');
  });
  it('shows control characters in a file name as ?, so a name cannot drive the terminal', () => {
    const line = formatProgress({ kind: 'strace', file: '/tmp/a\x1b]0;owned\x07.log', bytes: 10, total: 100, count: 1, done: false }, 0, 0, 200);
    expect(line).not.toMatch(/[\x00-\x1f]/);
    expect(line).toContain('a?]0;owned?.log');
  });
  it('formats sizes and durations the way people read them', () => {
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(2 * 1024 ** 3)).toBe('2.0 GiB');
    expect(formatDuration(0.2)).toBe('1 s');
    expect(formatDuration(65)).toBe('1 min 05 s');
    expect(formatDuration(7380)).toBe('2 h 03 min');
    expect(formatDuration(Infinity)).toBe('?');
  });
});

describe('createProgress as a callback', () => {
  it('update and done work when passed around unbound (onProgress: progress.update)', () => {
    const s = new FakeTty();
    const c = clock();
    const p = new TerminalProgress(s, { now: c.now });
    const { update, done } = p;
    c.advance(1200);
    update(cap(1048576, 10));
    expect(s.screen).toContain('capture big.pcap: 1.0 MiB');
    done();
    expect(s.screen).toBe('');
  });
});
