import { afterAll, describe, expect, it } from 'vitest';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCapture, readCaptureBytes } from '../../src/capture/reader.js';
import { LOOP_WINDOW } from '../../src/capture/parser.js';
import type { RawPacket } from '../../src/capture/types.js';
import { pcapHeader, pcapRecord, writePcap, writePcapng } from '../../src/capture/writer.js';
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

describe('readCapture: a regular file read with blocking calls in 128 KiB chunks (blocking, SYNC_CHUNK)', () => {
  /** Records of uneven sizes (60–1,514 bytes), so that they straddle many chunk boundaries at every offset. */
  function uneven(count: number): Uint8Array {
    const recs: Uint8Array[] = [pcapHeader(o)];
    for (let i = 0; i < count; i++) {
      const payload = new Uint8Array((i * 7919) % 1472).fill(i & 255);
      recs.push(pcapRecord({ tsSec: 1000 + i, tsNsec: 0, data: etherUdp4('10.1.1.1', 1000 + (i % 50000), '10.1.1.2', 53, payload) }, o));
    }
    return Buffer.concat(recs);
  }

  /** What a reader hands over, kept: frame, offset, length and a digest of the bytes. */
  function digestOf(p: { frame: number; fileOffset: number; capturedLength: number; data: Uint8Array }): string {
    let h = 2166136261;
    for (const b of p.data) h = Math.imul(h ^ b, 16777619);
    return `${p.frame}@${p.fileOffset}:${p.capturedLength}:${h >>> 0}`;
  }

  it('hands over the same records as the asynchronous reader does for the same bytes', async () => {
    const bytes = uneven(9000);
    expect(bytes.length).toBeGreaterThan(40 * 128 * 1024);
    const path = join(dir, 'uneven.pcap');
    await writeFile(path, bytes);
    const fromFile: string[] = [];
    const fileSummary = await readCapture(path, (p) => fromFile.push(digestOf(p)), { blocking: true });
    const { readCaptureBytes } = await import('../../src/capture/reader.js');
    const fromMemory: string[] = [];
    const memorySummary = await readCaptureBytes(bytes, path, (p) => fromMemory.push(digestOf(p)));
    expect(fromFile).toHaveLength(9000);
    expect(fromFile).toEqual(fromMemory);
    expect(fileSummary).toEqual(memorySummary);
  });

  it('a FIFO is read asynchronously (it would block on its writer) and gives the same records', async () => {
    const { execFileSync, spawn } = await import('node:child_process');
    const bytes = uneven(800);
    const src = join(dir, 'fifo-src.pcap');
    await writeFile(src, bytes);
    const fifo = join(dir, 'capture.fifo');
    execFileSync('mkfifo', [fifo]);
    // A writer that trickles the capture in, with pauses, from another process.
    const writer = spawn('sh', ['-c', `{ head -c 70000 "${src}"; sleep 0.2; tail -c +70001 "${src}"; } > "${fifo}"`]);
    const seen: string[] = [];
    let ticks = 0;
    const timer = setInterval(() => ticks++, 20);
    try {
      await readCapture(fifo, (p) => seen.push(digestOf(p)), { blocking: true });
    } finally {
      clearInterval(timer);
      writer.kill();
    }
    const expected: string[] = [];
    await readCapture(src, (p) => expected.push(digestOf(p)));
    expect(seen).toEqual(expected);
    // The event loop ran while the reader waited for the writer.
    expect(ticks).toBeGreaterThan(3);
  });

  it('gives the event loop a turn while it reads a large file', async () => {
    const path = join(dir, 'large.pcap');
    // About 70 MiB: records of 1,514 bytes.
    const one = pcapRecord({ tsSec: 5, tsNsec: 0, data: etherUdp4('10.1.1.1', 1000, '10.1.1.2', 53, new Uint8Array(1472)) }, o);
    const parts: Uint8Array[] = [pcapHeader(o)];
    for (let i = 0; i < 48_000; i++) parts.push(one);
    await writeFile(path, Buffer.concat(parts));
    let turns = 0;
    const tick = (): void => {
      turns++;
      if (!done) setImmediate(tick);
    };
    let done = false;
    setImmediate(tick);
    const s = await readCapture(path, () => {}, { blocking: true });
    done = true;
    expect(s.packets).toBe(48_000);
    // One turn per 32 MiB at least (the last one may come after the read).
    expect(turns).toBeGreaterThanOrEqual(2);
  });

  it('reads past a pcapng block of about a hundred chunks (joined in a buffer of its size)', async () => {
    const { writePcapng } = await import('../../src/capture/writer.js');
    const f = etherUdp4('10.1.1.1', 1000, '10.1.1.2', 53, new Uint8Array(10));
    const file = writePcapng([{
      interfaces: [{ linkType: 1 }],
      extraBlocks: [{ type: 0x00000bad, body: new Uint8Array(12 * 1024 * 1024).fill(3) }],
      packets: [{ tsSec: 1, tsNsec: 0, data: f }, { tsSec: 2, tsNsec: 0, data: f }],
    }]);
    const path = join(dir, 'big-block.pcapng');
    await writeFile(path, file);
    const offsets: number[] = [];
    const s = await readCapture(path, (p) => offsets.push(p.fileOffset), { blocking: true });
    expect(s.packets).toBe(2);
    expect(s.warnings).toEqual([]);
    expect(offsets[1] - offsets[0]).toBe(file.length - offsets[1] - 0);
  });
});

describe('readCapture: blocking or not, the same records', () => {
  it('a file read both ways, in every chunk size down to 64 KiB, gives the same packets and summary', async () => {
    const recs: Uint8Array[] = [pcapHeader(o)];
    for (let i = 0; i < 3000; i++) {
      recs.push(pcapRecord({ tsSec: 50 + i, tsNsec: i, data: etherUdp4('10.1.1.1', 2000 + i, '10.1.1.2', 53, new Uint8Array((i * 104729) % 1400)) }, o));
    }
    const path = join(dir, 'both-ways.pcap');
    await writeFile(path, Buffer.concat(recs));
    const run = async (opts: { blocking: boolean; chunkSize?: number }) => {
      const seen: string[] = [];
      const summary = await readCapture(path, (p) => seen.push(`${p.frame}@${p.fileOffset}:${p.capturedLength}:${p.data[p.data.length - 1] ?? -1}`), opts);
      return { seen, summary };
    };
    const reference = await run({ blocking: false });
    expect(reference.seen).toHaveLength(3000);
    for (const opts of [{ blocking: true }, { blocking: true, chunkSize: 65536 }, { blocking: false, chunkSize: 65536 }]) {
      expect(await run(opts)).toEqual(reference);
    }
  });
});

describe('records across the parsers\' loop windows (LOOP_WINDOW)', () => {
  // Records of uneven sizes, so that record and block boundaries fall everywhere relative to the
  // 256 KiB windows one parse call is split into, plus records (with their headers) longer than a window.
  const sizes = [...Array.from({ length: 3000 }, (_, i) => 40 + ((i * 7919) % 1400)), 262_144, 17, 262_000, 60];
  const packets = sizes.map((n, i) => ({
    tsSec: 1_700_000_000 + i, tsNsec: (i * 1000) % 1_000_000_000,
    data: Uint8Array.from({ length: n }, (_, k) => (i * 31 + k) & 0xff),
  }));
  const expectEvery = (seen: Array<{ frame: number; length: number; first: number; last: number; sec: number }>) => {
    expect(seen).toHaveLength(packets.length);
    seen.forEach((s, i) => {
      expect(s, `packet ${i + 1}`).toEqual({
        frame: i + 1, length: sizes[i], first: packets[i].data[0], last: packets[i].data[sizes[i] - 1], sec: packets[i].tsSec,
      });
    });
  };
  const collect = (into: Array<{ frame: number; length: number; first: number; last: number; sec: number }>) => (p: RawPacket) => {
    into.push({ frame: p.frame, length: p.capturedLength, first: p.data[0], last: p.data[p.capturedLength - 1], sec: p.tsSec });
  };

  it('pcap: every record whole, in order, with the default chunk and with small ones', async () => {
    const bytes = writePcap(packets, { linkType: 1, snapLen: 262_144 });
    expect(bytes.length).toBeGreaterThan(6 * LOOP_WINDOW);
    for (const chunkSize of [undefined, 64 * 1024, 1 << 20]) {
      const seen: Array<{ frame: number; length: number; first: number; last: number; sec: number }> = [];
      const summary = await readCaptureBytes(bytes, 'windows.pcap', collect(seen), { chunkSize });
      expect(summary.warnings).toEqual([]);
      expectEvery(seen);
    }
  });

  it('pcapng: every block whole, in order', async () => {
    const bytes = writePcapng([{ interfaces: [{ linkType: 1, snapLen: 262_144 }], packets }]);
    const seen: Array<{ frame: number; length: number; first: number; last: number; sec: number }> = [];
    const summary = await readCaptureBytes(bytes, 'windows.pcapng', collect(seen));
    expect(summary.warnings).toEqual([]);
    expectEvery(seen);
  });
});

describe('packet times no single recording gives', () => {
  const frame = etherUdp4('10.1.1.1', 1000, '10.1.1.2', 53, new Uint8Array(8));
  const read = (times: number[]) => readCaptureBytes(writePcap(times.map((tsSec) => ({ tsSec, tsNsec: 0, data: frame })), { linkType: 1 }), 'x.pcap', () => undefined);

  it('a span of years (merged captures) is a warning, and the packets are all read', async () => {
    const s = await read([1_400_000_000, 1_400_000_001, 1_740_000_000]);
    expect(s.packets).toBe(3);
    expect(s.warnings).toEqual(['packet times span 3935 days (2014-05-13 to 2025-02-19): merged captures or a broken clock; a wait across a gap in them is not real']);
  });

  it('times after today are a warning', async () => {
    const s = await read([2_900_000_000, 2_900_000_001]);
    expect(s.warnings).toEqual(['packet times reach 2061-11-23, after today: a broken clock or broken timestamps']);
  });

  it('a recording of minutes has none', async () => {
    expect((await read([1_740_000_000, 1_740_000_300])).warnings).toEqual([]);
  });
});
