import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCapture, readCaptureBytes } from '../../src/capture/reader.js';
import { pcapHeader, pcapRecord } from '../../src/capture/writer.js';
import { etherUdp4 } from './fixtures/frames.js';

const dir = await mkdtemp(join(tmpdir(), 'gomod-trace-reader-progress-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

const o = { linkType: 1 };
function capture(n: number): Buffer {
  const parts: Uint8Array[] = [pcapHeader(o)];
  for (let i = 0; i < n; i++) parts.push(pcapRecord({ tsSec: 100 + i, tsNsec: 0, data: etherUdp4('10.1.1.1', 1000 + (i % 60000), '10.1.1.2', 53, new Uint8Array(200)) }, o));
  return Buffer.concat(parts);
}

describe('readCapture onProgress', () => {
  it('reports bytes consumed and packets per chunk, rising to the file size and the packet count', async () => {
    const bytes = capture(5000); // about 1.3 MB: twenty 64 KiB chunks
    const path = join(dir, 'p.pcap');
    await writeFile(path, bytes);
    const calls: Array<[number, number]> = [];
    let seen = 0;
    const s = await readCapture(path, () => { seen++; }, { chunkSize: 64 * 1024, onProgress: (b, p) => calls.push([b, p]) });
    expect(s.packets).toBe(5000);
    expect(calls.length).toBeGreaterThanOrEqual(Math.floor(bytes.length / (64 * 1024)));
    for (let i = 1; i < calls.length; i++) {
      expect(calls[i][0]).toBeGreaterThanOrEqual(calls[i - 1][0]);
      expect(calls[i][1]).toBeGreaterThanOrEqual(calls[i - 1][1]);
    }
    // Each report counts the packets delivered so far, never more.
    expect(calls.every(([, p]) => p <= seen)).toBe(true);
    expect(calls[calls.length - 1]).toEqual([bytes.length, 5000]);
    expect(calls[0][0]).toBeLessThanOrEqual(64 * 1024 + 24);
  });

  it('reports a truncated capture up to where it stopped', async () => {
    const bytes = capture(300);
    const cut = bytes.subarray(0, bytes.length - 100);
    const calls: number[] = [];
    const s = await readCaptureBytes(cut, 'cut.pcap', () => undefined, { onProgress: (b) => calls.push(b) });
    expect(s.packets).toBe(299);
    expect(calls[calls.length - 1]).toBe(cut.length);
  });
});
