import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadStrace, type StraceProgress } from '../../src/strace/index.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'gomod-trace-strace-progress-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

function lines(pid: number, n: number, t0: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += `${pid}  ${(t0 + i * 0.001).toFixed(6)} read(3</home/u/go.mod>, "module x\\n", 512) = 9 <0.000010>\n`;
  return s;
}

describe('loadStrace onProgress', () => {
  it('counts bytes up to the file size, with lines, and reports the end', async () => {
    const p = join(dir, 'one.log');
    await writeFile(p, lines(100, 20000, 1764045000));
    const size = (await stat(p)).size;
    const calls: StraceProgress[] = [];
    const ev = await loadStrace(p, { onProgress: (x) => calls.push({ ...x }) });
    expect(ev.input.lines).toBe(20000);
    expect(calls.length).toBeGreaterThan(3);
    expect(calls.every((c) => c.total === size)).toBe(true);
    for (let i = 1; i < calls.length; i++) {
      expect(calls[i].bytes).toBeGreaterThanOrEqual(calls[i - 1].bytes);
      expect(calls[i].lines).toBeGreaterThanOrEqual(calls[i - 1].lines);
    }
    expect(calls[calls.length - 1]).toEqual({ bytes: size, total: size, lines: 20000 });
  });

  it('sums -ff files: the total is all of them', async () => {
    const d = join(dir, 'ff');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(d);
    await writeFile(join(d, 'trace.200'), lines(200, 3000, 1764045000));
    await writeFile(join(d, 'trace.201'), lines(201, 5000, 1764045000.0005));
    const total = (await stat(join(d, 'trace.200'))).size + (await stat(join(d, 'trace.201'))).size;
    let last: StraceProgress | null = null;
    const ev = await loadStrace(d, { onProgress: (x) => { last = { ...x }; } });
    expect(ev.input.lines).toBe(8000);
    expect(last).toEqual({ bytes: total, total, lines: 8000 });
  });

  it('gives the same evidence with or without a progress callback', async () => {
    const p = join(dir, 'two.log');
    await writeFile(p, lines(100, 500, 1764045000));
    const a = await loadStrace(p);
    const b = await loadStrace(p, { onProgress: () => undefined });
    expect(b.input).toEqual(a.input);
    expect(b.toRecords(0)).toEqual(a.toRecords(0));
  });
});
