import { afterAll, describe, expect, it } from 'vitest';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCapture } from '../../src/capture/reader.js';
import { pcapHeader, pcapRecord } from '../../src/capture/writer.js';
import { etherUdp4 } from './fixtures/frames.js';

const dir = await mkdtemp(join(tmpdir(), 'gomod-trace-reader-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

const o = { linkType: 1 };
const rec = (i: number) => pcapRecord({ tsSec: 100 + i, tsNsec: 0, data: etherUdp4('10.1.1.1', 1000 + i, '10.1.1.2', 53, new Uint8Array(10)) }, o);

describe('readCapture', () => {
  it('follows a file that is still being written, including records split across writes, until aborted', async () => {
    const path = join(dir, 'growing.pcap');
    const ac = new AbortController();
    const seen: number[] = [];
    const reading = readCapture(path, (p) => seen.push(p.tsSec), { follow: true, signal: ac.signal, pollMs: 20 });
    // The file appears after the reader started (tcpdump creates it a moment later).
    await new Promise((r) => setTimeout(r, 60));
    await writeFile(path, pcapHeader(o));
    for (let i = 0; i < 5; i++) {
      const r = rec(i);
      await appendFile(path, r.subarray(0, 7));
      await new Promise((res) => setTimeout(res, 30));
      await appendFile(path, r.subarray(7));
      await new Promise((res) => setTimeout(res, 30));
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toEqual([100, 101, 102, 103, 104]);
    ac.abort();
    const summary = await reading;
    expect(summary.packets).toBe(5);
    expect(summary.warnings).toEqual([]);
  });

  it('reports a path that does not exist as a filesystem error', async () => {
    await expect(readCapture(join(dir, 'nope.pcap'), () => {})).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('readCapture error paths', () => {
  it('a throwing callback propagates, with no read left dangling', async () => {
    const path = join(dir, 'many.pcap');
    const recs = Array.from({ length: 2000 }, (_, i) => rec(i));
    await writeFile(path, Buffer.concat([pcapHeader(o), ...recs]));
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      await expect(readCapture(path, (p) => { if (p.frame === 3) throw new Error('consumer bug'); }, { chunkSize: 65536 })).rejects.toThrow('consumer bug');
      await new Promise((r) => setTimeout(r, 50));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
