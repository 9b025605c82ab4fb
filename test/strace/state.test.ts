import { describe, it, expect } from 'vitest';
import { ProcessTree } from '../../src/strace/state.js';

describe('ProcessTree', () => {
  it('threads are folded into their process and share its fd table', () => {
    const t = new ProcessTree();
    const go = t.processOf(100, 0);
    t.onExecve(100, '/usr/bin/go', ['go', 'mod', 'download'], 0);
    t.onClone(100, 101, 'CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD', 1);
    expect(t.processOf(101, 2)).toBe(go);
    t.setFd(go.table, 3, { path: '/x.lock', socket: null, cloexec: true });
    expect(t.processOf(101, 2).table.fds.get(3)?.path).toBe('/x.lock');
    expect([...t.procs.keys()]).toEqual([100]);
  });
  it('a thread seen before its clone result is folded in when the result comes', () => {
    const t = new ProcessTree();
    t.processOf(100, 0);
    const early = t.processOf(102, 1);
    t.setFd(early.table, 9, { path: '/early', socket: null, cloexec: false });
    t.onClone(100, 102, 'CLONE_THREAD|CLONE_FILES', 2);
    expect([...t.procs.keys()]).toEqual([100]);
    expect(t.processOf(102, 3).table.fds.get(9)?.path).toBe('/early');
  });
  it('fork copies fds; execve drops close-on-exec ones and names the command', () => {
    const t = new ProcessTree();
    const go = t.processOf(100, 0);
    t.onExecve(100, '/usr/bin/go', ['go'], 0);
    t.setFd(go.table, 3, { path: '/keep', socket: null, cloexec: false });
    t.setFd(go.table, 4, { path: '/cloexec', socket: null, cloexec: true });
    t.onClone(100, 200, 'CLONE_VM|CLONE_VFORK|SIGCHLD', 1);
    const child = t.processOf(200, 1);
    expect(child).toMatchObject({ ppid: 100, command: 'go' });
    expect([...child.table.fds.keys()].sort()).toEqual([3, 4]);
    t.onExecve(200, '/usr/bin/git', ['git', 'ls-remote', 'x'], 2);
    expect(child).toMatchObject({ command: 'git', argv: ['git', 'ls-remote', 'x'] });
    expect([...child.table.fds.keys()]).toEqual([3]);
    t.setFd(child.table, 5, { path: '/child-only', socket: null, cloexec: false });
    expect(go.table.fds.has(5)).toBe(false);
  });
  it('exits: the leader ends the process, a thread does not; a kill does', () => {
    const t = new ProcessTree();
    const p = t.processOf(100, 0);
    t.onClone(100, 101, 'CLONE_THREAD', 0);
    t.onExit(101, 5, 0, null);
    expect(p.exit).toBeNull();
    t.onExit(101, 6, null, 'SIGKILL');
    expect(p).toMatchObject({ end: 6, exit: { code: null, signal: 'SIGKILL' } });
  });
  it('rename: strace 4.x lines without a pid move to the real pid', () => {
    const t = new ProcessTree();
    t.processOf(0, 0);
    t.onClone(0, 5002, 'CLONE_THREAD', 1);
    t.onClone(0, 5003, 'SIGCHLD', 1);
    t.rename(0, 5001);
    expect([...t.procs.keys()].sort()).toEqual([5001, 5003]);
    expect(t.processOf(5002, 2).pid).toBe(5001);
    expect(t.procs.get(5003)?.ppid).toBe(5001);
  });
  it('the fd budget is shared and given back when a process exits', () => {
    const t = new ProcessTree(10);
    const a = t.processOf(1, 0);
    for (let fd = 0; fd < 12; fd++) t.setFd(a.table, fd, { path: `/${fd}`, socket: null, cloexec: false });
    expect(a.table.fds.size).toBe(10);
    expect(t.fdsDropped).toBe(2);
    t.onExit(1, 1, 0, null);
    expect(t.budget.used).toBe(0);
  });
});
