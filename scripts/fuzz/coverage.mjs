/**
 * Coverage feedback from V8's own block coverage, through node:inspector in this thread: no
 * instrumentation, no native code. After every input `take()` reads the block hit counts (and
 * resets them) and turns them into features:
 *   block   = (script, range start) of a block that ran at least once;
 *   feature = block × AFL-style hit-count bucket (0, 1, 2, 3, 4-7, 8-15, 16-31, 32-127, 128+).
 * V8 only reports a nested block when its count differs from its parent's; a block that ran as
 * often as its parent is merged away. So "unreached" (count 0) ranges are features too: getting one
 * level deeper into nested checks makes the next, still-unreached, block appear.
 * V8 reports blocks (ranges), not edges; the hit-count buckets stand in for loop/branch depth.
 * Only scripts whose URL contains one of `include` are counted (the code under test).
 */
import { Session } from 'node:inspector';

function bucket(count) {
  if (count <= 3) return count;
  if (count < 8) return 4;
  if (count < 16) return 5;
  if (count < 32) return 6;
  if (count < 128) return 7;
  return 8;
}

export class Coverage {
  constructor(include) {
    this.include = include;
    this.session = new Session();
    this.session.connect();
    /** url → small number, stable for the life of the worker. */
    this.scripts = new Map();
    this.post('Profiler.enable');
    this.post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
  }

  /** session.post on a same-thread session answers synchronously; fail loudly if that changes. */
  post(method, params) {
    let out, err, done = false;
    this.session.post(method, params, (e, r) => { err = e; out = r; done = true; });
    if (!done) throw new Error(`inspector ${method} did not answer synchronously`);
    if (err) throw err;
    return out;
  }

  /** Reset counters (discard what ran so far, e.g. module loading). */
  reset() {
    this.post('Profiler.takePreciseCoverage');
  }

  /** Features of everything that ran since the last call, as numbers (added to `into`). */
  take(into) {
    const { result } = this.post('Profiler.takePreciseCoverage');
    for (const script of result) {
      const url = script.url;
      if (!this.include.some((s) => url.includes(s))) continue;
      let id = this.scripts.get(url);
      if (id === undefined) { id = this.scripts.size + 1; this.scripts.set(url, id); }
      const base = id * 2 ** 24;
      for (const fn of script.functions) {
        const ranges = fn.ranges;
        for (let i = 0; i < ranges.length; i++) {
          // Zero-count ranges matter: V8 merges a block that ran as often as its parent into the
          // parent, so reaching a nested block shows up as the *next* unreached block appearing.
          into.push((base + ranges[i].startOffset) * 16 + bucket(ranges[i].count));
        }
      }
    }
    return into;
  }

  close() {
    try { this.post('Profiler.stopPreciseCoverage'); } catch { /* closing anyway */ }
    this.session.disconnect();
  }
}

/** The block part of a feature (drops the hit-count bucket). */
export function blockOf(feature) {
  return Math.floor(feature / 16);
}
