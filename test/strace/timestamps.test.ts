import { describe, it, expect } from 'vitest';
import { StraceClock, todToEpoch, zoneOffset, validateDate } from '../../src/strace/timestamps.js';

describe('time of day → epoch', () => {
  it('UTC, fixed offsets and IANA zones', () => {
    const utc = Date.UTC(2026, 10, 25, 4, 40, 6) / 1000;
    expect(todToEpoch('2026-11-25', 4 * 3600 + 40 * 60 + 6, 'UTC')).toBe(utc);
    expect(todToEpoch('2026-11-25', 12 * 3600 + 40 * 60 + 6, '+08:00')).toBe(utc);
    expect(todToEpoch('2026-11-25', 12 * 3600 + 40 * 60 + 6, 'Asia/Shanghai')).toBe(utc);
    expect(todToEpoch('2026-11-24', 23 * 3600 + 40 * 60 + 6, '-0500')).toBe(utc);
  });
  it('a DST zone on both sides of the change', () => {
    // Berlin: UTC+1 in January, UTC+2 in July.
    expect(todToEpoch('2026-01-15', 12 * 3600, 'Europe/Berlin')).toBe(Date.UTC(2026, 0, 15, 11) / 1000);
    expect(todToEpoch('2026-07-15', 12 * 3600, 'Europe/Berlin')).toBe(Date.UTC(2026, 6, 15, 10) / 1000);
    expect(zoneOffset('Europe/Berlin', Date.UTC(2026, 6, 15) / 1000)).toBe(7200);
  });
  it('bad dates and zones are one-line user errors', () => {
    expect(() => validateDate('2026-02-30')).toThrow(/not a calendar date/);
    expect(() => validateDate('25/11/2026')).toThrow(/not YYYY-MM-DD/);
    expect(() => new StraceClock({ tz: 'Mars/Olympus' })).toThrow(/unknown time zone/);
    try { new StraceClock({ date: 'x' }); } catch (e) { expect((e as Error).name).toBe('InputError'); }
  });
});

describe('StraceClock', () => {
  it('-tt crosses midnight onto the next day and says so', () => {
    const c = new StraceClock({ date: '2026-11-24', tz: 'UTC' });
    const a = c.place({ kind: 'tod', value: 23 * 3600 + 59 * 60 + 59.5, micro: true })!;
    const b = c.place({ kind: 'tod', value: 1.25, micro: true })!;
    expect(b - a).toBeCloseTo(1.75, 6);
    expect(c.assumptions().join('\n')).toMatch(/placed on 2026-11-24 in UTC[\s\S]*crossed midnight/);
  });
  it('no date: today (UTC) and the assumption says so', () => {
    const now = Date.UTC(2026, 10, 25, 10) / 1000;
    const c = new StraceClock({ tz: 'UTC' }, now * 1000);
    expect(c.place({ kind: 'tod', value: 3600, micro: false })).toBe(Date.UTC(2026, 10, 25, 1) / 1000);
    const a = c.assumptions().join('\n');
    expect(a).toContain("no date was given: placed on today's UTC date 2026-11-25");
    expect(a).toContain('whole seconds');
  });
  it('-r sums deltas from an anchor, or is relative and says so', () => {
    const anchored = new StraceClock({ anchor: 1000 });
    anchored.place({ kind: 'rel', value: 0 });
    expect(anchored.place({ kind: 'rel', value: 0.5 })).toBe(1000.5);
    expect(anchored.place({ kind: 'rel', value: 0.25 })).toBe(1000.75);
    expect(anchored.isRelative).toBe(false);
    const free = new StraceClock({});
    free.place({ kind: 'rel', value: 0 });
    expect(free.place({ kind: 'rel', value: 2 })).toBe(2);
    expect(free.isRelative).toBe(true);
    expect(free.assumptions()[0]).toMatch(/no anchor/);
  });
  it('-ttt is used as it is, with no assumption', () => {
    const c = new StraceClock({});
    expect(c.place({ kind: 'epoch', value: 1764045000.5 })).toBe(1764045000.5);
    expect(c.assumptions()).toEqual([]);
  });
});

describe('placing -tt times near the capture', () => {
  it('takes the zone-local day closest to the capture, even across the UTC date line', () => {
    // Capture at 2026-11-24 17:30 UTC = 2026-11-25 01:30 in Shanghai; strace says 01:30:05 local.
    const near = Date.UTC(2026, 10, 24, 17, 30) / 1000;
    const c = new StraceClock({ tz: 'Asia/Shanghai', near });
    expect(c.place({ kind: 'tod', value: 1 * 3600 + 30 * 60 + 5, micro: true })).toBe(near + 5);
    expect(c.assumptions()[0]).toBe('strace times are times of day: placed on 2026-11-25 in Asia/Shanghai, the day of the capture');
  });
  it('a log that began just before midnight of the capture day goes on the day before', () => {
    const near = Date.UTC(2026, 10, 25, 0, 0, 30) / 1000;
    const c = new StraceClock({ tz: 'UTC', near });
    expect(c.place({ kind: 'tod', value: 23 * 3600 + 59 * 60 + 50, micro: true })).toBe(near - 40);
  });
  it('an explicit date wins over near', () => {
    const c = new StraceClock({ tz: 'UTC', date: '2026-01-01', near: Date.UTC(2026, 10, 25) / 1000 });
    expect(c.place({ kind: 'tod', value: 0, micro: true })).toBe(Date.UTC(2026, 0, 1) / 1000);
  });
});
