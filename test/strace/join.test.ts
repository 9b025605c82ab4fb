import { describe, it, expect } from 'vitest';
import { CallJoiner } from '../../src/strace/join.js';

describe('CallJoiner', () => {
  it('joins per thread, even interleaved', () => {
    const j = new CallJoiner();
    expect(j.start(1, 'flock', '3, LOCK_EX', 10, 1, '')).toBeNull();
    expect(j.start(2, 'read', '4, ', 11, 2, '')).toBeNull();
    const r = j.resume(2, 'read', '"ab", 10', '2', 0.5, 11.5, 3, '');
    expect(r).toMatchObject({ tid: 2, name: 'read', args: '4, "ab", 10', result: '2', duration: 0.5, start: 11, end: 11.5, line: 2, unfinished: false });
    expect(j.drain()).toEqual([expect.objectContaining({ tid: 1, name: 'flock', unfinished: true, result: null, duration: null, line: 1 })]);
    expect(j.drain()).toEqual([]);
  });
  it('without -T the duration is end − start', () => {
    const j = new CallJoiner();
    j.start(1, 'wait4', '5, ', 100, 1, '');
    expect(j.resume(1, 'wait4', '[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL', '5', null, 103.25, 9, '').duration).toBe(3.25);
  });
  it('a resumed line with no start is counted and kept as it says', () => {
    const j = new CallJoiner();
    const r = j.resume(7, 'flock', '', '0', 3, 50, 4, '');
    expect(r).toMatchObject({ start: 47, duration: 3, name: 'flock' });
    expect(j.orphans).toBe(1);
    expect(j.firstOrphanLine).toBe(4);
  });
  it('a second start on the same thread returns the first as never resumed; exit ends a pending call', () => {
    const j = new CallJoiner();
    j.start(1, 'read', '0, ', 1, 1, '');
    expect(j.start(1, 'write', '1, ', 2, 2, '')).toMatchObject({ name: 'read', unfinished: true });
    expect(j.end(1, 5)).toMatchObject({ name: 'write', result: '?', duration: 3, unfinished: false });
    expect(j.end(1, 6)).toBeNull();
  });
});
