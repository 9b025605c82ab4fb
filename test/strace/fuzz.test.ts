// Hostile input never crashes the parser: any text line parses to an event, and any file either
// loads (with warnings) or fails with the one-line StraceFormatError.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fc from 'fast-check';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseLine } from '../../src/strace/line.js';
import { loadStrace, StraceFormatError } from '../../src/strace/index.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'gomod-trace-fuzz-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

const pieces = ['123 ', '[pid 9] ', '1764045000.000001 ', '12:00:00.5 ', '   0.1 ', 'flock(', 'openat(', 'connect(', '3</a>', '<TCP:[1.2.3.4:5->6.7.8.9:443]>',
  ', ', '"x\\"y"', ') = ', '-1 EAGAIN (x)', '0', ' <0.5>', ' <unfinished ...>', '<... flock resumed>', '--- SIGURG {} ---', '+++ exited with 1 +++',
  '{sa_family=AF_INET, sin_port=htons(1), sin_addr=inet_addr("1.1.1.1")}', '[', ']', '(', ')', '>', '<', '\\', 'AT_FDCWD</p>', 'clone3({flags=CLONE_THREAD}', '= 42'];
const lineArb = fc.array(fc.constantFrom(...pieces), { maxLength: 12 }).map((a) => a.join(''));

describe('fuzz', () => {
  it('parseLine never throws and always names an event type', () => {
    fc.assert(fc.property(fc.oneof(lineArb, fc.string({ maxLength: 200 })), fc.boolean(), (s, unterminated) => {
      const e = parseLine(s, unterminated);
      expect(typeof e.type).toBe('string');
    }), { numRuns: 3000 });
  });
  it('loadStrace on random strace-ish files: loads or StraceFormatError, nothing else', async () => {
    let n = 0;
    await fc.assert(fc.asyncProperty(fc.array(lineArb, { maxLength: 40 }), async (lines) => {
      const p = join(dir, `f${n++}.log`);
      await writeFile(p, lines.join('\n'));
      try {
        const ev = await loadStrace(p);
        const r = ev.toRecords(ev.firstTime ?? 0);
        for (const s of r.syscalls) expect(Number.isFinite(s.start)).toBe(true);
      } catch (e) {
        expect(e).toBeInstanceOf(StraceFormatError);
      }
    }), { numRuns: 300 });
  });
});
