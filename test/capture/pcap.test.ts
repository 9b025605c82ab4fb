import { describe, expect, it } from 'vitest';
import { writePcap, pcapHeader, pcapRecord, concat } from '../../src/capture/writer.js';
import { CaptureFormatError } from '../../src/capture/types.js';
import { etherUdp4 } from './fixtures/frames.js';
import { readAllBytes, readError } from './helpers.js';

const frames = [
  { tsSec: 1_764_045_000, tsNsec: 123_456_789, data: etherUdp4('10.0.0.1', 5353, '10.0.0.2', 53, Uint8Array.of(1, 2, 3)) },
  { tsSec: 1_764_045_001, tsNsec: 999_999_999, data: etherUdp4('10.0.0.2', 53, '10.0.0.1', 5353, Uint8Array.of(4, 5)) },
];

describe('classic pcap', () => {
  for (const bigEndian of [false, true]) {
    for (const nanoseconds of [false, true]) {
      it(`reads ${bigEndian ? 'big' : 'little'}-endian ${nanoseconds ? 'ns' : 'µs'} files with times at the file's precision`, async () => {
        const file = writePcap(frames, { linkType: 1, bigEndian, nanoseconds });
        const { packets, summary } = await readAllBytes(file);
        expect(summary.format).toBe('pcap');
        expect(summary.byteOrder).toBe(bigEndian ? 'big-endian' : 'little-endian');
        expect(summary.tsResolution).toBe(nanoseconds ? 'nanoseconds' : 'microseconds');
        expect(summary.version).toBe('2.4');
        expect(packets.map((p) => p.frame)).toEqual([1, 2]);
        expect(packets.map((p) => p.tsNsec)).toEqual(nanoseconds ? [123_456_789, 999_999_999] : [123_456_000, 999_999_000]);
        expect(packets.map((p) => p.tsSec)).toEqual([1_764_045_000, 1_764_045_001]);
        expect(packets[1].data).toEqual(frames[1].data);
        expect(packets[0].fileOffset).toBe(24);
        expect(packets[1].fileOffset).toBe(24 + 16 + frames[0].data.length);
        expect(summary.packets).toBe(2);
        expect(summary.firstTime).toBeCloseTo(1_764_045_000.123, 3);
        expect(summary.interfaces).toHaveLength(1);
        expect(summary.interfaces[0].linkTypeName).toBe('EN10MB');
      });
    }
  }

  it('keeps the truncated-by-snaplen lengths apart', async () => {
    const file = writePcap([{ ...frames[0], originalLength: 1500 }], { linkType: 1, snapLen: 96 });
    const { packets } = await readAllBytes(file);
    expect(packets[0].capturedLength).toBe(frames[0].data.length);
    expect(packets[0].originalLength).toBe(1500);
  });

  it('reads everything before a truncated last packet and warns with the offset', async () => {
    const full = writePcap(frames, { linkType: 1 });
    const cut = full.subarray(0, full.length - 5);
    const { packets, summary } = await readAllBytes(cut);
    expect(packets).toHaveLength(1);
    const at = 24 + 16 + frames[0].data.length;
    expect(summary.warnings.join('\n')).toMatch(new RegExp(`truncated last packet at byte ${at}: record needs ${16 + frames[1].data.length} bytes, the file has ${16 + frames[1].data.length - 5}`));
  });

  it('treats a record header cut short as a truncated tail too', async () => {
    const full = writePcap(frames.slice(0, 1), { linkType: 1 });
    const { packets, summary } = await readAllBytes(concat([full, new Uint8Array(7)]));
    expect(packets).toHaveLength(1);
    expect(summary.warnings[0]).toMatch(/truncated last packet at byte \d+: record needs 16 bytes, the file has 7/);
  });

  it('refuses a caplen larger than the snapshot length, naming the record offset', async () => {
    const o = { linkType: 1, snapLen: 32 };
    const file = concat([pcapHeader(o), pcapRecord(frames[0], o)]);
    const err = await readError(file);
    expect(err).toBeInstanceOf(CaptureFormatError);
    expect(err.message).toBe(`bad.pcap: at byte 24: invalid packet capture length ${frames[0].data.length} in record 1, bigger than the file's snapshot length 32`);
  });

  it('refuses a caplen above 256 KiB even when the snaplen is 0', async () => {
    const o = { linkType: 1, snapLen: 0 };
    const rec = pcapRecord({ tsSec: 1, tsNsec: 0, data: new Uint8Array(262145) }, o);
    const err = await readError(concat([pcapHeader(o), pcapRecord(frames[0], o), rec]));
    expect(err.message).toMatch(/at byte \d+: invalid packet capture length 262145 in record 2, bigger than the maximum of 262144$/);
    expect(err.offset).toBe(24 + 16 + frames[0].data.length);
  });

  it('explains files that are not captures', async () => {
    expect((await readError(new Uint8Array(0))).message).toBe('bad.pcap: at byte 0: empty file: expected a pcap or pcapng header');
    expect((await readError(Uint8Array.of(0xd4, 0xc3))).message).toMatch(/only 2 bytes/);
    expect((await readError(new TextEncoder().encode('execve("/usr/bin/go"'))).message).toMatch(/not a pcap or pcapng capture: magic number 0x65786563.*text file/);
    expect((await readError(Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0)))).toHaveProperty('message', 'bad.pcap: at byte 0: gzip-compressed file: decompress it first (gunzip)');
  });

  it('refuses a truncated global header with what was expected', async () => {
    const err = await readError(pcapHeader({ linkType: 1 }).subarray(0, 20));
    expect(err.message).toBe('bad.pcap: at byte 20: truncated pcap file header: expected 24 bytes, the file has 20');
  });

  it('refuses versions libpcap refuses and reserved link-type bits', async () => {
    expect((await readError(pcapHeader({ linkType: 1, version: [2, 5] }))).message).toMatch(/at byte 4: unsupported pcap savefile version 2\.5/);
    expect((await readError(pcapHeader({ linkType: 0x00300001 }))).message).toMatch(/at byte 20: linktype reserved field not zero \(0x00300000\)/);
  });

  it('carries a one-second sub-second field into the seconds and drops garbage ones, with one warning', async () => {
    const o = { linkType: 1 };
    const r1 = pcapRecord(frames[0], o);
    const r2 = pcapRecord(frames[0], o);
    new DataView(r1.buffer).setUint32(4, 1_000_000, true);
    new DataView(r2.buffer).setUint32(4, 0x80000000, true);
    const { packets, summary } = await readAllBytes(concat([pcapHeader(o), r1, r2]));
    expect(packets.map((p) => [p.tsSec, p.tsNsec])).toEqual([[frames[0].tsSec + 1, 0], [frames[0].tsSec, 0]]);
    expect(summary.warnings).toHaveLength(1);
    expect(summary.warnings[0]).toMatch(/sub-second field of one second or more.*\(2 times\)/);
  });

  it('gives the same packets whatever the chunk size (records spanning chunk boundaries)', async () => {
    const many = Array.from({ length: 400 }, (_, i) => ({
      tsSec: 1000 + i, tsNsec: i * 1000,
      data: etherUdp4('10.0.0.1', 1000 + i, '10.0.0.2', 53, new Uint8Array(i * 3 % 1400).fill(i & 0xff)),
    }));
    const file = writePcap(many, { linkType: 1 });
    expect(file.length).toBeGreaterThan(3 * 65536);
    const small = await readAllBytes(file, { chunkSize: 65536 });
    const big = await readAllBytes(file);
    expect(small.packets).toHaveLength(400);
    expect(small.packets.map((p) => p.data)).toEqual(big.packets.map((p) => p.data));
    expect(small.packets.map((p) => p.data)).toEqual(many.map((m) => m.data));
  });
});
