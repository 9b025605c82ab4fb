/**
 * The syscall set record gives strace, checked with the real strace: a blocked flock on a lock
 * file shows (with its path) as an unfinished call when the process is killed. A child blocked
 * reading its terminal is not in the set (go's socket reads made `read` the costliest call to
 * trace): record's /proc snapshot, taken just before it kills the tree, names it.
 */
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { straceArgs } from '../../src/record/strace.js';
import { findTool } from '../../src/record/tools.js';
import { descendants } from '../../src/record/proctree.js';
import { snapshotProcesses } from '../../src/record/snapshot.js';
import { heldCacheLocks } from '../../src/record/doctor.js';

const tools = ['strace', 'flock', 'script', 'sleep'].every((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0);

describe.skipIf(!tools)('strace syscall set (real strace)', () => {
  it('shows a blocked flock with the lock path; the snapshot shows the terminal read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gomod-trace-strace-'));
    const lock = join(dir, 'v1.0.0.lock');
    writeFileSync(lock, '');
    const holder = spawn('flock', [lock, 'sleep', '20'], { stdio: 'ignore' });
    const info = await findTool('strace');
    const log = join(dir, 'strace.log');
    try {
      // The holder must hold the lock before the traced flock asks for it (not a fixed 200 ms).
      for (let i = 0; i < 200 && !heldCacheLocks(dir).some((l) => l.path === lock); i++) await new Promise((r) => setTimeout(r, 50));
      // The traced tree: one child waits for the lock, another (under a pty from script(1)) reads its terminal.
      const script = `flock ${lock} true & script -qc 'head -c1 /dev/tty' /dev/null; wait`;
      const traced = spawn(info.path!, [...straceArgs({ strace: info.path!, version: info.version, file: log }), 'sh', '-c', script], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
      // Wait until both are blocked (strace has written the flock; head reads its terminal), not a
      // fixed time: the machine may be busy.
      let stopped = snapshotProcesses(traced.pid!);
      for (let i = 0; i < 200; i++) {
        const flocking = (() => { try { return readFileSync(log, 'utf8').includes(`<${lock}>, LOCK_EX`); } catch { return false; } })();
        if (flocking && stopped.some((p) => p.command === 'head' && p.blocked.some((b) => b.syscall === 'read'))) break;
        await new Promise((r) => setTimeout(r, 100));
        stopped = snapshotProcesses(traced.pid!);
      }
      for (const p of descendants(traced.pid!)) process.kill(p, 'SIGKILL');
      traced.stdin?.destroy();
      await new Promise((r) => traced.on('close', r));
      const text = readFileSync(log, 'utf8');
      // Blocked until killed: printed as unfinished when another process's line interleaves, or
      // whole with no result (`= ?`) when none does.
      expect(text).toMatch(new RegExp(`^\\d+ +\\d{10}\\.\\d{6} flock\\(\\d+<${lock.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}>, LOCK_EX(?: <unfinished \\.\\.\\.>|\\) = \\?$)`, 'm'));
      expect(text).not.toMatch(/ read\(/);
      const head = stopped.find((p) => p.command === 'head');
      expect(head?.blocked).toContainEqual(expect.objectContaining({ syscall: 'read', target: expect.stringMatching(/^\/dev\/(tty|pts\/\d+)$/) }));
      const flocker = stopped.find((p) => p.command === 'flock');
      expect(flocker?.blocked).toContainEqual(expect.objectContaining({ syscall: 'flock', target: lock }));
      expect(text).toMatch(/\+\+\+ killed by SIGKILL \+\+\+/);
    } finally {
      for (const p of descendants(holder.pid!)) process.kill(p, 'SIGKILL');
      holder.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
