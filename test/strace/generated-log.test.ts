// The benchmark's strace generator (scripts/gen-bench-strace.mjs) writes what a real
// `strace -f -ttt -T -yy` of go mod download looks like to the loader: every line parsed, every
// resumed call joined, git children as processes, and the lock the log ends on as the stall.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadStrace } from '../../src/strace/index.js';
// @ts-expect-error: a plain .mjs script without types
import { generateStrace } from '../../scripts/gen-bench-strace.mjs';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'gomod-trace-genlog-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('generated benchmark strace log', () => {
  it('loads cleanly: format, no stray lines, git processes, the final blocked lock kept', async () => {
    const file = join(dir, 'gen.log');
    const { lines, modules } = generateStrace(file, 40_000) as { lines: number; modules: number };
    const ev = await loadStrace(file);
    expect(ev.input.lines).toBe(lines);
    expect(ev.input.format).toBe('strace -f -ttt -T -yy');
    // No unrecognised lines, no resumed call without its start.
    expect(ev.input.warnings.filter((w) => !w.startsWith('kept-call limit'))).toEqual([]);
    const r = ev.toRecords(ev.firstTime!);
    const gits = r.processes.filter((p) => p.command === 'git');
    expect(gits.length).toBe(Math.floor(modules / 8));
    expect(gits.every((p) => p.ppid === 2001 && p.exit?.code === 0)).toBe(true);
    const last = r.syscalls[r.syscalls.length - 1];
    expect(last).toMatchObject({ name: 'flock', kind: 'cache-lock', duration: null, module: 'golang.org/x/text@v0.3.8' });
    // Connects carry the -yy endpoints; some locks waited long.
    expect(r.syscalls.some((s) => s.name === 'connect' && s.socket?.remote === '10.9.8.7:443')).toBe(true);
    expect(r.syscalls.some((s) => s.name === 'flock' && (s.duration ?? 0) >= 0.5)).toBe(true);
  });
});
