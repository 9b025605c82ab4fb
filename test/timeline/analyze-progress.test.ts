import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze, type AnalyzeProgress } from '../../src/timeline/analyze.js';
import { writeBusyCapture } from '../cli/busy-capture.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'gomod-trace-analyze-progress-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('analyze onProgress', () => {
  it('reports each input rising to its size and ending with done; a -ttt strace log is read first', async () => {
    const cap = join(dir, 'c.pcap');
    const { packets } = writeBusyCapture(cap, 60_000);
    const log = join(dir, 's.log');
    let text = '';
    for (let i = 0; i < 30000; i++) text += `300  ${(1764045000 + i * 0.0001).toFixed(6)} nanosleep({tv_sec=0, tv_nsec=20000}, NULL) = 0 <0.000021>\n`;
    await writeFile(log, text);
    const calls: AnalyzeProgress[] = [];
    const report = await analyze({ capture: cap, strace: log }, { onProgress: (p) => calls.push({ ...p }) });
    const kinds = calls.map((c) => c.kind);
    // Epoch times need no date from the capture: the log is read first, so the capture's
    // connections are not held while its lines go by.
    expect(kinds.lastIndexOf('strace')).toBeLessThan(kinds.indexOf('capture'));
    const capDone = calls.filter((c) => c.kind === 'capture' && c.done);
    const stDone = calls.filter((c) => c.kind === 'strace' && c.done);
    const capSize = (await stat(cap)).size;
    const logSize = (await stat(log)).size;
    expect(capDone).toEqual([{ kind: 'capture', file: cap, bytes: capSize, total: capSize, count: packets, done: true }]);
    expect(stDone).toEqual([{ kind: 'strace', file: log, bytes: logSize, total: logSize, count: 30000, done: true }]);
    expect(calls[calls.length - 1].done).toBe(true);
    expect(calls.filter((c) => c.kind === 'capture' && !c.done).length).toBeGreaterThanOrEqual(2);
    expect(report.inputs.map((i) => i.kind)).toEqual(['capture', 'strace']);
  });

  it('reads a -tt (time of day) log after the capture, on the capture\'s date', async () => {
    const cap = join(dir, 'c3.pcap');
    writeBusyCapture(cap, 5000, Date.UTC(2026, 10, 25, 9, 0, 0) / 1000);
    const log = join(dir, 'tt.log');
    await writeFile(log, '300  09:00:00.100000 flock(7</home/u/go/pkg/mod/cache/download/a.io/b/@v/v1.0.0.lock>, LOCK_EX <unfinished ...>\n');
    const kinds: string[] = [];
    const report = await analyze({ capture: cap, strace: log }, { straceTz: 'UTC', onProgress: (p) => { if (p.done) kinds.push(p.kind); } });
    expect(kinds).toEqual(['capture', 'strace']);
    // On the capture's day: 0.1 s after its first packet (t0).
    expect(report.syscalls[0].start).toBeCloseTo(0.1 - 0.00005, 6);
  });

  it('a missing capture is still the first error, before a long strace log is read', async () => {
    const log = join(dir, 'ok.log');
    await writeFile(log, '300  1764045000.000000 nanosleep({tv_sec=0, tv_nsec=20000}, NULL) = 0 <0.000021>\n');
    const kinds: string[] = [];
    await expect(analyze({ capture: join(dir, 'missing.pcap'), strace: log }, { onProgress: (p) => kinds.push(p.kind) })).rejects.toThrow(/missing\.pcap/);
    expect(kinds).toEqual([]);
  });
});
