// The kept-call limit on long logs: quick calls make way for slow and blocked ones, and the
// parser's memory does not grow with the number of lines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadStrace } from '../../src/strace/index.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'gomod-trace-strace-limits-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

const LOCK = '/home/u/go/pkg/mod/cache/download/a.io/b/@v/v1.0.0.lock';
const connect = (t: number, i: number, dur: string) =>
  `10 ${t.toFixed(6)} connect(5<TCP:[${i}]>, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("10.0.${(i >> 8) & 255}.${i & 255}")}, 16) = 0 <${dur}>`;
const flock = (t: number, dur: string) => `10 ${t.toFixed(6)} flock(7<${LOCK}>, LOCK_EX) = 0 <${dur}>`;

describe('kept-call limit', () => {
  it('a slow call late in a long log is kept: the earliest quick call makes way for it', async () => {
    const lines: string[] = [];
    let t = 1764045000;
    for (let i = 0; i < 200; i++) lines.push(connect((t += 0.001), i, '0.000050'));
    lines.push(flock((t += 0.001), '2.500000')); // slow: waited 2.5 s for the lock
    for (let i = 200; i < 300; i++) lines.push(connect((t += 0.001), i, '0.000050'));
    lines.push(connect((t += 0.001), 999, '0.900000')); // slow connect
    const ev = await loadStrace(await writeLog('late-slow.log', lines), { maxRecords: 50 });
    const r = ev.toRecords(1764045000);
    expect(r.syscalls).toHaveLength(50);
    const slow = r.syscalls.filter((s) => (s.duration ?? 0) >= 0.5);
    expect(slow.map((s) => s.name).sort()).toEqual(['connect', 'flock']);
    expect(slow.find((s) => s.name === 'flock')).toMatchObject({ kind: 'cache-lock', module: 'a.io/b@v1.0.0', duration: 2.5 });
    // The two that made way were the earliest quick ones: connects 0 and 1.
    const lines0 = r.syscalls.filter((s) => s.name === 'connect' && (s.duration ?? 0) < 0.5).map((s) => s.line);
    expect(lines0[0]).toBe(3);
    expect(lines0).toEqual([...lines0].sort((a, b) => a - b));
    // Everything not kept is counted: 302 candidates, 50 kept.
    expect(ev.input.warnings).toContain('kept-call limit reached: 252 more call(s) not kept (quick ones make way for slow and blocked calls)');
  });

  it('when every kept call is slow, later slow calls are dropped and counted (no unbounded growth)', async () => {
    const lines: string[] = [];
    let t = 1764045000;
    for (let i = 0; i < 120; i++) lines.push(connect((t += 1), i, '0.700000'));
    const ev = await loadStrace(await writeLog('all-slow.log', lines), { maxRecords: 40 });
    const r = ev.toRecords(1764045000);
    expect(r.syscalls).toHaveLength(40);
    expect(r.syscalls[0].line).toBe(1);
    expect(ev.input.warnings.some((w) => w.startsWith('kept-call limit reached: 80 more call(s)'))).toBe(true);
  });
});

async function writeLog(name: string, lines: string[]): Promise<string> {
  const p = join(dir, name);
  await writeFile(p, lines.join('\n') + '\n');
  return p;
}
