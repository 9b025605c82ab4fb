import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fc from 'fast-check';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLines, type LogLine } from '../../src/strace/readlines.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'gomod-trace-lines-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

async function all(data: Buffer, opts: { chunkBytes?: number; maxLineBytes?: number } = {}): Promise<LogLine[]> {
  const p = join(dir, `f${Math.random()}`);
  await writeFile(p, data);
  const out: LogLine[] = [];
  for await (const b of readLines(p, opts)) out.push(...b);
  await rm(p);
  return out;
}

describe('readLines', () => {
  it('splits across chunk boundaries, strips CR, marks the unterminated last line', async () => {
    const lines = await all(Buffer.from('alpha\r\nbeta\n\ngamma'), { chunkBytes: 3 });
    expect(lines.map((l) => [l.no, l.text, l.unterminated])).toEqual([[1, 'alpha', false], [2, 'beta', false], [3, '', false], [4, 'gamma', true]]);
  });
  it('cuts over-long lines at the limit and counts what it dropped, whatever the chunking', async () => {
    for (const chunkBytes of [4, 7, 1024]) {
      const lines = await all(Buffer.from(`${'a'.repeat(50)}\nok\n${'b'.repeat(30)}`), { chunkBytes, maxLineBytes: 16 });
      expect(lines.map((l) => [l.text, l.cut])).toEqual([['a'.repeat(16), 34], ['ok', 0], ['b'.repeat(16), 14]]);
    }
  });
  it('flags control bytes as binary, keeps UTF-8 and escapes alone', async () => {
    const lines = await all(Buffer.concat([Buffer.from('héllo \\x00 \x1b[0m\n'), Buffer.from([0x41, 0x00, 0x42, 10])]));
    expect(lines.map((l) => [l.text.length > 0, l.binary])).toEqual([[true, false], [true, true]]);
  });
  it('property: the lines, with their newlines, give back the input (when no line is cut)', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.stringMatching(/^[a-z \t]{0,20}$/), { maxLength: 30 }), fc.integer({ min: 1, max: 40 }), async (parts, chunkBytes) => {
      const text = parts.join('\n');
      const lines = await all(Buffer.from(text), { chunkBytes });
      expect(lines.map((l) => l.text + (l.unterminated ? '' : '\n')).join('')).toBe(text);
      expect(lines.filter((l) => l.unterminated).length).toBe(text === '' || text.endsWith('\n') ? 0 : 1);
      lines.forEach((l, i) => expect(l.no).toBe(i + 1));
    }), { numRuns: 60 });
  });
});
