import { describe, expect, it } from 'vitest';
import { recordsFromSnapshot } from '../../src/timeline/snapshot.js';
import { decide } from '../../src/timeline/verdict.js';
import { input } from './factories.js';

const T0 = 1_764_045_000;
const LOCK = '/home/u/go/pkg/mod/cache/download/lab.example/greet/@v/v1.2.0.lock';

describe('the /proc snapshot as records', () => {
  it('git waiting on its askpass helper → git-prompt stalled since the helper started', () => {
    const stopped = [
      { pid: 100, ppid: 1, command: 'go', argv: ['go', 'mod', 'download', '-x'], start: T0, blocked: [{ tid: 101, syscall: 'wait4', fd: null, target: null }] },
      { pid: 200, ppid: 100, command: 'git', argv: ['git', 'ls-remote', '-q', 'origin'], start: T0 + 1, blocked: [{ tid: 200, syscall: 'wait4', fd: null, target: null }] },
      { pid: 300, ppid: 200, command: 'git-remote-http', argv: ['git', 'remote-https', 'origin', 'https://git.lab.example/team/private'], start: T0 + 1.1, blocked: [{ tid: 300, syscall: 'read', fd: 6, target: 'pipe:[640733]' }] },
      { pid: 400, ppid: 300, command: 'sleep', argv: ['sleep', '600', "Username for 'https://git.lab.example': "], start: T0 + 1.4, blocked: [] },
    ];
    const r = recordsFromSnapshot(stopped, T0, 0.5);
    expect(r.processes.map((p) => [p.pid, p.ppid, p.start])).toEqual([[100, 1, 0], [200, 100, 1], [300, 200, expect.closeTo(1.1, 6)], [400, 300, expect.closeTo(1.4, 6)]]);
    const read = r.syscalls.find((s) => s.name === 'read')!;
    expect(read).toMatchObject({ pid: 300, kind: 'other', duration: null, origin: 'proc', path: 'pipe:[640733]' });
    expect(read.start).toBeCloseTo(1.4, 6);
    const v = decide(input({ end: 9, syscalls: r.syscalls, processes: r.processes })).verdict;
    expect(v).toMatchObject({ stage: 'git-prompt', state: 'stalled', host: 'git.lab.example' });
    expect(v.waited).toBeCloseTo(7.6, 5);
    expect(v.evidence[0]).toMatchObject({ source: 'proc', ref: 'meta.json' });
    expect(v.evidence[0].text).toMatch(/read\(6<pipe:\[640733\]>, …\) blocked when the recording stopped; its child sleep \(PID 400\)/);
  });

  it('go in flock on a module cache lock → cache-lock stalled since go last made progress', () => {
    const stopped = [{ pid: 100, ppid: 1, command: 'go', argv: ['go'], start: T0, blocked: [{ tid: 107, syscall: 'flock', fd: 7, target: LOCK }, { tid: 108, syscall: 'epoll_pwait', fd: null, target: null }] }];
    const r = recordsFromSnapshot(stopped, T0, 0.8);
    expect(r.syscalls).toHaveLength(1);
    expect(r.syscalls[0]).toMatchObject({ kind: 'cache-lock', module: 'lab.example/greet@v1.2.0', start: 0.8 });
    const v = decide(input({ end: 6, syscalls: r.syscalls, processes: r.processes, lockHolders: [{ path: LOCK, pid: 555, command: 'flock' }] })).verdict;
    expect(v).toMatchObject({ stage: 'cache-lock', state: 'stalled', path: LOCK });
    expect(v.waited).toBeCloseTo(5.2, 5);
    expect(v.hints[0]).toMatch(/PID 555/);
  });

  it('a terminal read is a terminal-read', () => {
    const r = recordsFromSnapshot([{ pid: 5, ppid: 1, command: 'ssh', argv: ['ssh', 'git@github.com'], start: T0, blocked: [{ syscall: 'read', fd: 4, target: '/dev/pts/3' }] }], T0, null);
    expect(r.syscalls[0].kind).toBe('terminal-read');
  });

  it('hostile or broken snapshots give nothing and never throw', () => {
    for (const junk of [null, 'x', 42, {}, [null, 'x', { pid: 'NaN' }, { pid: 1, blocked: 'no' }, { pid: 2, blocked: [null, { syscall: 7 }] }], new Array(10_000).fill({ pid: 1, blocked: [] })]) {
      const r = recordsFromSnapshot(junk, T0, null);
      expect(r.syscalls).toEqual([]);
      expect(r.processes.length).toBeLessThanOrEqual(64);
    }
  });
});
