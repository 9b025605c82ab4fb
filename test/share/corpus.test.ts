/**
 * Conformance on the shared corpus (80 third-party captures: many link types, pcapng with several
 * interfaces and sections, broken files): redaction either fails as the analyzer does (a one-line
 * user-facing error) or writes a capture whose diagnosis is the diagnosis of the original.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { redactCapture } from '../../src/share/index.js';
import { analyze } from '../../src/timeline/analyze.js';
import { isUserFacing } from '../../src/cli/errors.js';
import { differences } from './compare.js';

const CORPUS = fileURLToPath(new URL('../../../shared/corpus/pcaps/', import.meta.url));
const files = existsSync(CORPUS) ? readdirSync(CORPUS).sort() : [];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gomod-trace-share-corpus-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(files.length === 0)('redaction of the shared corpus (../shared/corpus; skipped without it)', () => {
  it.each(files)('%s', async (name) => {
    const input = join(CORPUS, name);
    const output = join(dir, `${name}.redacted${/\.pcapng$/i.test(name) ? '.pcapng' : '.pcap'}`);
    const raw = await analyze({ capture: input }).catch((e: unknown) => e as Error);
    const red = await redactCapture(input, output).catch((e: unknown) => e as Error);
    if (raw instanceof Error) {
      // A file the analyzer refuses is refused by redact too, with a one-line message.
      expect(red).toBeInstanceOf(Error);
      expect(isUserFacing(red)).toBe(true);
      expect((red as Error).message).not.toContain('\n');
      expect(existsSync(output)).toBe(false);
      return;
    }
    if (red instanceof Error) {
      // Only a pcap that cannot hold several link types may refuse; say so.
      expect((red as Error).message).toMatch(/link types cannot go into one pcap file/);
      return;
    }
    expect(red.bytesOut).toBeLessThanOrEqual(red.bytesIn);
    const after = await analyze({ capture: output });
    expect(differences(raw, after)).toEqual([]);
  }, 30_000);
});
