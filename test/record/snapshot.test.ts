// Real processes blocked in the calls the snapshot must name: flock on a held lock, read on a
// pipe, wait4 on a child.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { snapshotProcesses } from '../../src/record/snapshot.js';
import { heldCacheLocks } from '../../src/record/doctor.js';

const started: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const c of started.splice(0)) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function run(cmd: string, args: string[]): ChildProcess {
  const c = spawn(cmd, args, { stdio: ['pipe', 'ignore', 'ignore'] });
  started.push(c);
  return c;
}

/** Poll until `f` returns something, for at most 5 s. */
async function until<T>(f: () => T | null | undefined): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const v = f();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('timed out');
}

describe('snapshotProcesses', () => {
  it('names a flock blocked on a held lock, with the lock file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gomod-trace-snap-'));
    dirs.push(dir);
    const lock = join(dir, 'v1.2.0.lock');
    writeFileSync(lock, '');
    run('flock', [lock, 'sleep', '30']);
    // The holder must hold the lock before the waiter asks for it (not a fixed 200 ms).
    await until(() => heldCacheLocks(dir).some((l) => l.path === lock));
    const waiter = run('flock', [lock, 'true']);
    const call = await until(() => snapshotProcesses(waiter.pid!)[0]?.blocked.find((b) => b.syscall === 'flock'));
    expect(call.target).toBe(lock);
    expect(call.fd).toBeGreaterThanOrEqual(0);
  });

  it('names a read on a pipe, with argv and a start time', async () => {
    const before = Date.now() / 1000;
    const sh = run('sh', ['-c', 'read line', 'reader-marker']);
    const proc = await until(() => snapshotProcesses(sh.pid!).find((p) => p.blocked.some((b) => b.syscall === 'read')));
    expect(proc.blocked[0]).toMatchObject({ syscall: 'read', fd: 0 });
    // Node's 'pipe' stdio is a socket pair.
    expect(proc.blocked[0].target).toMatch(/^(pipe|socket):\[\d+\]$/);
    expect(proc.argv).toEqual(['sh', '-c', 'read line', 'reader-marker']);
    expect(proc.command).toBe('sh');
    expect(proc.start!).toBeGreaterThan(before - 0.3); // to the tick, not to the second
    expect(proc.start!).toBeLessThan(Date.now() / 1000 + 1);
  });

  it('follows the tree: a shell in wait4 and its child, parents first', async () => {
    // bash waits for a foreground child in wait4 (dash's `wait` would sleep in rt_sigsuspend).
    const sh = run('bash', ['-c', 'sleep 30; true']);
    // bash may reach wait4 before its forked child has exec'd sleep (the child is still
    // called bash then): wait for the settled tree, as a user's snapshot would see it.
    const list = await until(() => {
      const l = snapshotProcesses(sh.pid!);
      const settled = l.length === 2 && l[1].argv[0] === 'sleep';
      return settled && l[0].blocked.some((b) => b.syscall === 'wait4') ? l : null;
    });
    expect(list[0].pid).toBe(sh.pid);
    expect(list[1]).toMatchObject({ ppid: sh.pid, command: 'sleep' });
  });

  it('redacts credentials in command lines, and a gone process is no entry', async () => {
    const sh = run('sh', ['-c', 'read line', 'https://alice:s3cret-token@git.example.com/x.git']);
    const proc = await until(() => snapshotProcesses(sh.pid!)[0]);
    expect(proc.argv.join(' ')).not.toContain('s3cret-token');
    expect(snapshotProcesses(999_999_999)).toEqual([]);
  });
});
