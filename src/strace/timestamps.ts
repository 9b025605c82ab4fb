/**
 * strace timestamps onto one clock (epoch seconds).
 *  - `-ttt`: epoch seconds, used as they are.
 *  - `-tt` / `-t`: time of day in the traced machine's time zone. Needs a date (and a zone): given,
 *    or the capture's date passed by the pipeline, or today's UTC date — the assumption is recorded.
 *    Midnight is crossed when the time of day jumps back by more than 12 hours.
 *  - `-r`: seconds since the previous line; needs an anchor (epoch of the first line). Without one,
 *    the log's first line is placed at the report's t0 and that is said.
 */
import type { TimeToken } from './line.js';

export interface ClockOptions {
  /** YYYY-MM-DD for -t/-tt logs. */
  date?: string;
  /** 'UTC', '+08:00' / '-0500', or an IANA zone name ('Asia/Shanghai'). Default: this machine's zone. */
  tz?: string;
  /** Epoch seconds of the first line, for -r logs. */
  anchor?: number;
  /**
   * Epoch seconds the log is known to be near (the capture's first packet). Without `date`, -t/-tt
   * times go on the day (in `tz`) that puts the first line closest to it.
   */
  near?: number;
}

export class StraceClockError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

export function validateDate(date: string): { y: number; m: number; d: number } {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new StraceClockError(`strace date "${date}" is not YYYY-MM-DD`);
  const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]);
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) {
    throw new StraceClockError(`strace date "${date}" is not a calendar date`);
  }
  return { y, m: mo, d };
}

/** Offset of `tz` from UTC in seconds at epoch time `at` (east positive). */
export function zoneOffset(tz: string | undefined, at: number): number {
  if (tz === undefined || tz === '') return -new Date(at * 1000).getTimezoneOffset() * 60;
  if (/^(UTC|GMT|Z)$/i.test(tz)) return 0;
  const fixed = /^(?:UTC|GMT)?([+-])(\d{1,2}):?(\d{2})?$/i.exec(tz);
  if (fixed) return (fixed[1] === '-' ? -1 : 1) * (Number(fixed[2]) * 3600 + Number(fixed[3] ?? 0) * 60);
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', {
      timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit',
    }).formatToParts(new Date(Math.floor(at) * 1000));
  } catch {
    throw new StraceClockError(`unknown time zone "${tz}" (use UTC, +08:00 or a name like Asia/Shanghai)`);
  }
  const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) / 1000;
  return asUtc - Math.floor(at);
}

/** Epoch seconds of `secondsOfDay` on `date` in zone `tz`. */
export function todToEpoch(date: string, secondsOfDay: number, tz?: string): number {
  const { y, m, d } = validateDate(date);
  const naive = Date.UTC(y, m - 1, d) / 1000 + secondsOfDay;
  // Two passes settle the offset across a DST change.
  let off = zoneOffset(tz, naive);
  off = zoneOffset(tz, naive - off);
  return naive - off;
}

export function todayUtc(now = Date.now()): string {
  return new Date(now).toISOString().slice(0, 10);
}

/**
 * Turns the time tokens of one log (or one `-ff` file) into epoch seconds, or — for an unanchored
 * -r log — into seconds since the log's first line (`relative` is then true).
 */
export class StraceClock {
  readonly relative: boolean;
  private date: string;
  private dateGiven: boolean;
  private dateFromNear = false;
  private dayOffset = 0;
  private lastTod: number | null = null;
  private relSum = 0;
  private sawTod = false;
  private sawRel = false;
  private sawEpoch = false;
  private sawCoarse = false;
  private lastValue: number | null = null;

  constructor(private readonly opts: ClockOptions = {}, now = Date.now()) {
    if (opts.date !== undefined) validateDate(opts.date);
    if (opts.tz !== undefined) zoneOffset(opts.tz, now / 1000);
    this.date = opts.date ?? todayUtc(now);
    this.dateGiven = opts.date !== undefined;
    this.relative = opts.anchor === undefined;
  }

  /** Epoch (or relative) seconds of this token; null when the line has none. */
  place(t: TimeToken | null): number | null {
    if (t === null) return null;
    let v: number;
    if (t.kind === 'epoch') {
      this.sawEpoch = true;
      v = t.value;
    } else if (t.kind === 'tod') {
      if (!this.sawTod && !this.dateGiven && this.opts.near !== undefined) this.pickDay(t.value, this.opts.near);
      this.sawTod = true;
      if (!t.micro) this.sawCoarse = true;
      if (this.lastTod !== null && t.value < this.lastTod - 43200) this.dayOffset += 86400;
      this.lastTod = t.value;
      v = this.todEpoch(t.value) + this.dayOffset;
    } else {
      this.sawRel = true;
      this.relSum += t.value;
      v = (this.opts.anchor ?? 0) + this.relSum;
    }
    this.lastValue = v;
    return v;
  }

  /** The day (in the zone) on which `secondsOfDay` lands closest to `near`. */
  private pickDay(secondsOfDay: number, near: number): void {
    let best: { date: string; d: number } | null = null;
    for (const shift of [-1, 0, 1]) {
      const local = new Date((near + zoneOffset(this.opts.tz, near)) * 1000 + shift * 86400000).toISOString().slice(0, 10);
      const d = Math.abs(todToEpoch(local, secondsOfDay, this.opts.tz) - near);
      if (best === null || d < best.d) best = { date: local, d };
    }
    this.date = best!.date;
    this.dateGiven = true;
    this.dateFromNear = true;
  }

  private readonly offsets = new Map<number, number>();
  private todEpoch(secondsOfDay: number): number {
    // The zone offset is looked up once per hour of the day: Intl is too slow for every line.
    const hour = Math.floor(secondsOfDay / 3600);
    let base = this.offsets.get(hour);
    if (base === undefined) {
      base = todToEpoch(this.date, hour * 3600, this.opts.tz);
      this.offsets.set(hour, base);
    }
    return base + (secondsOfDay - hour * 3600);
  }

  /** The last time placed (for lines without one). */
  get last(): number | null { return this.lastValue; }

  /** true when the times are seconds since the log start, not epoch seconds. */
  get isRelative(): boolean { return this.sawRel && this.opts.anchor === undefined && !this.sawEpoch && !this.sawTod; }

  assumptions(): string[] {
    const out: string[] = [];
    if (this.sawTod) {
      const zone = this.opts.tz ?? `this machine's time zone (${Intl.DateTimeFormat().resolvedOptions().timeZone})`;
      out.push(this.dateFromNear
        ? `strace times are times of day: placed on ${this.date} in ${zone}, the day of the capture`
        : this.dateGiven
        ? `strace times are times of day: placed on ${this.date} in ${zone}`
        : `strace times are times of day and no date was given: placed on today's UTC date ${this.date} in ${zone}; pass the capture or a date to place them right`);
      if (this.dayOffset > 0) out.push(`strace times crossed midnight: later lines placed on the following day(s)`);
      if (this.sawCoarse) out.push('strace -t times have whole seconds only');
    }
    if (this.sawRel) {
      out.push(this.opts.anchor !== undefined
        ? `strace -r times are relative: anchored at ${new Date(this.opts.anchor * 1000).toISOString()}`
        : 'strace -r times are relative and no anchor was given: the log start is placed at the report start (t0)');
    }
    return out;
  }
}
