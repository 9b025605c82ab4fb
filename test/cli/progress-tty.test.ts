/**
 * The real CLI under a pseudo-terminal (`script` from util-linux): a capture that takes over a
 * second shows a progress line on the terminal, erased before the report's lines; with stderr not
 * a terminal, with --no-progress, or for a small input, nothing appears. Needs a build (dist/).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeBusyCapture } from './busy-capture.js';

const BIN = fileURLToPath(new URL('../../bin/gomod-trace', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url)));
const haveScript = spawnSync('sh', ['-c', 'command -v script'], { encoding: 'utf8' }).status === 0;

/** Sh-quote one argument. */
const q = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;

/** A clean environment: no CI (which turns progress off), a real terminal type. */
function env(): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'xterm', LANG: 'C.UTF-8' };
  return e;
}

/** Run the CLI with stdout and stderr on a pseudo-terminal; returns everything the terminal got. */
function onTerminal(args: string[]): { status: number | null; screen: string } {
  const cmd = [BIN, ...args].map(q).join(' ');
  const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', env: env(), timeout: 120_000 });
  return { status: r.status, screen: r.stdout };
}

// A line drawn at 100 % has no ETA left to show (checked below: every other line has one).
// The capture is sized to the machine (below), so it can be MiB or GiB.
const PROGRESS = /\rcapture busy\.pcap: [\d.]+ [MG]iB \/ [\d.]+ [MG]iB \((\d+)%\) · [\d,]+ packets( · [\d.]+ [MG]iB\/s)?( · ETA \d+ s)?/g;

describe.skipIf(!haveScript || !built)('progress on a terminal (script, real CLI)', () => {
  let dir = '';
  let busy = '';
  let small = '';
  let packets = 0;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gomod-trace-progress-'));
    busy = join(dir, 'busy.pcap');
    small = join(dir, 'small.pcap');
    // About 280 MB of small segments: the analyser needs well over a second for it. A faster
    // machine (or analyser) gets a bigger capture, so the run always lasts about two seconds.
    let n = 2_500_000;
    for (let attempt = 0; attempt < 3; attempt++) {
      packets = writeBusyCapture(busy, n).packets;
      const t = Date.now();
      spawnSync(BIN, ['analyze', busy, '--format', 'json', '-o', join(dir, 'calibrate.json')], { env: env(), timeout: 120_000 });
      const took = Date.now() - t;
      if (took >= 1800) break;
      n = Math.min(12_000_000, Math.ceil((n * 2200) / Math.max(took, 100)));
    }
    writeBusyCapture(small, 20_000);
  }, 300_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows which input, how far, how fast and how long is left, then erases the line', () => {
    const out = join(dir, 'report.json');
    const t = Date.now();
    const r = onTerminal(['analyze', busy, '--format', 'json', '-o', out]);
    const took = Date.now() - t;
    expect(r.status, r.screen).toBe(0);
    const lines = [...r.screen.matchAll(PROGRESS)];
    expect(took, 'the run must last over a second for this test to mean anything').toBeGreaterThan(1000);
    expect(lines.length, JSON.stringify(r.screen.slice(0, 500))).toBeGreaterThanOrEqual(2);
    // At most ~10 redraws a second.
    expect(lines.length).toBeLessThanOrEqual(Math.ceil(took / 100) + 1);
    const pcts = lines.map((m) => Number(m[1]));
    expect(pcts).toEqual([...pcts].sort((a, b) => a - b));
    expect(pcts.every((p) => p <= 100)).toBe(true);
    expect(lines.filter((m) => Number(m[1]) < 100).every((m) => m[3] !== undefined)).toBe(true);
    // Erased before the verdict line: the last progress line is followed by \r ESC[K, then the report's lines.
    const last = lines[lines.length - 1];
    const after = r.screen.slice(last.index! + last[0].length);
    expect(after).toMatch(/^\x1b\[K\r\x1b\[K/);
    expect(after).toContain('report written to');
    expect(after).not.toContain('capture busy.pcap');
    const report = JSON.parse(readFileSync(out, 'utf8')) as { inputs: Array<{ packets?: number }> };
    expect(report.inputs[0].packets).toBe(packets);
  });

  it('shows bytes and packets without a percentage for a capture on stdin', () => {
    const cmd = `cat ${q(busy)} | ${[BIN, 'analyze', '-', '--format', 'json', '-o', join(dir, 'r5.json')].map(q).join(' ')}`;
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', env: env(), timeout: 120_000 });
    expect(r.status, r.stdout).toBe(0);
    const lines = [...r.stdout.matchAll(/\rcapture <stdin>: ([\d.]+) [MG]iB · [\d,]+ packets/g)];
    expect(lines.length, JSON.stringify(r.stdout.slice(0, 300))).toBeGreaterThanOrEqual(1);
    expect(r.stdout).not.toMatch(/<stdin>:[^\r]*%/);
    expect(r.stdout).not.toMatch(/<stdin>:[^\r]*ETA/);
  });

  it('shows nothing when stderr is not a terminal', () => {
    const r = spawnSync(BIN, ['analyze', busy, '--format', 'json', '-o', join(dir, 'r2.json')], { encoding: 'utf8', env: env(), timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toContain('\r');
    expect(r.stdout).toContain('report written to');
  });

  it('shows nothing on a terminal with --no-progress', () => {
    const r = onTerminal(['analyze', busy, '--format', 'json', '-o', join(dir, 'r3.json'), '--no-progress']);
    expect(r.status, r.screen).toBe(0);
    expect(r.screen).not.toContain('capture busy.pcap');
    expect(r.screen).not.toContain('\x1b[K');
    expect(r.screen).toContain('report written to');
  });

  it('shows nothing on a terminal for an input read in under a second', () => {
    const r = onTerminal(['analyze', small, '--format', 'json', '-o', join(dir, 'r4.json')]);
    expect(r.status, r.screen).toBe(0);
    expect(r.screen).not.toContain('small.pcap:');
    expect(r.screen).not.toContain('\x1b[K');
  });
});
