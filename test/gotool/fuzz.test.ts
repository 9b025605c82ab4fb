// Hostile go logs never crash: loadGoLog loads (with warnings) or throws GoLogFormatError.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fc from 'fast-check';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadGoLog, GoLogFormatError } from '../../src/gotool/index.js';
import { parseXLine } from '../../src/gotool/xlog.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'gomod-trace-gofuzz-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

const pieces = ['1764045000.5 E ', '1764045000.5 O ', '# get ', 'https://p.example/a/@v/v1.zip', ':', ' 200 OK', ' (0.1s)', ' (offset 5)', ' interrupted',
  '# lock /m/cache/vcs/ab.lock', 'go: downloading a v1', '{', '}', '\t"Error": "x"', '"Path": 1', 'goroutine 1 [select, 2 minutes]:', 'net/http.(*persistConn).roundTrip(0x1)',
  '\t/x.go:1 +0x1', 'SIGQUIT: quit', '0.1s # cd /x; git fetch', 'cd /x', 'git ls-remote u', 'no such host', ' ', '(', ')', '[', ']'];
const lineArb = fc.array(fc.constantFrom(...pieces), { maxLength: 8 }).map((a) => a.join(''));

describe('go log fuzz', () => {
  it('parseXLine never throws', () => {
    fc.assert(fc.property(fc.oneof(lineArb, fc.string({ maxLength: 200 })), (s) => { expect(typeof parseXLine(s).type).toBe('string'); }), { numRuns: 3000 });
  });
  it('loadGoLog: loads or GoLogFormatError, and records are well formed', async () => {
    let n = 0;
    await fc.assert(fc.asyncProperty(fc.array(fc.oneof(lineArb, fc.string({ maxLength: 40 })), { maxLength: 40 }), async (lines) => {
      const p = join(dir, `g${n++}.log`);
      await writeFile(p, lines.join('\n'));
      try {
        const ev = await loadGoLog(p);
        const r = ev.toRecords(ev.firstTime ?? 0);
        for (const f of r.fetches) expect(typeof f.url).toBe('string');
        for (const g of r.goroutines) expect(Number.isInteger(g.id)).toBe(true);
      } catch (e) {
        expect(e).toBeInstanceOf(GoLogFormatError);
      }
    }), { numRuns: 300 });
  });
});
