import { describe, expect, it } from 'vitest';
import { writePcapng, pcapngBlock, pcapngSectionHeader, pcapngInterface, pcapngPacket, concat } from '../../src/capture/writer.js';
import { CaptureFormatError } from '../../src/capture/types.js';
import { etherUdp4 } from './fixtures/frames.js';
import { readAllBytes, readError } from './helpers.js';

const f1 = etherUdp4('10.0.0.1', 40000, '10.0.0.53', 53, Uint8Array.of(1, 2, 3, 4));
const f2 = etherUdp4('10.0.0.53', 53, '10.0.0.1', 40000, new Uint8Array(100).fill(7));

describe('pcapng', () => {
  for (const bigEndian of [false, true]) {
    it(`reads a ${bigEndian ? 'big' : 'little'}-endian section with EPBs on two interfaces`, async () => {
      const file = writePcapng([{
        bigEndian,
        interfaces: [{ linkType: 1, name: 'eth0', tsresol: 9 }, { linkType: 113, snapLen: 1000 }],
        packets: [
          { tsSec: 1_764_045_000, tsNsec: 123_456_789, data: f1 },
          { tsSec: 1_764_045_002, tsNsec: 5000, data: f2, interfaceId: 1, originalLength: 1500 },
        ],
      }]);
      const { packets, summary } = await readAllBytes(file, {}, 'x.pcapng');
      expect(summary.format).toBe('pcapng');
      expect(summary.byteOrder).toBe(bigEndian ? 'big-endian' : 'little-endian');
      expect(summary.version).toBe('1.0');
      expect(summary.tsResolution).toBe('mixed (nanoseconds, microseconds)');
      expect(summary.interfaces.map((i) => [i.id, i.linkTypeName, i.name, i.snapLen, i.tsUnitsPerSecond]))
        .toEqual([[0, 'EN10MB', 'eth0', 262144, 1e9], [1, 'LINUX_SLL', null, 1000, 1e6]]);
      expect(packets.map((p) => [p.frame, p.interfaceId, p.linkType, p.tsSec, p.tsNsec, p.capturedLength, p.originalLength]))
        .toEqual([[1, 0, 1, 1_764_045_000, 123_456_789, f1.length, f1.length], [2, 1, 113, 1_764_045_002, 5000, f2.length, 1500]]);
      expect(packets[1].data).toEqual(f2);
      expect(summary.firstTime).toBeCloseTo(1_764_045_000.123456789, 6);
      expect(summary.lastTime).toBeCloseTo(1_764_045_002.000005, 6);
    });
  }

  it('reads several sections whose byte order changes, numbering interfaces across the file', async () => {
    const file = writePcapng([
      { interfaces: [{ linkType: 1 }], packets: [{ tsSec: 10, tsNsec: 0, data: f1 }] },
      { bigEndian: true, interfaces: [{ linkType: 0 }, { linkType: 1 }], packets: [{ tsSec: 20, tsNsec: 0, data: f2, interfaceId: 1 }] },
      { interfaces: [{ linkType: 276 }], packets: [{ tsSec: 30, tsNsec: 0, data: f1 }] },
    ]);
    const { packets, summary } = await readAllBytes(file);
    expect(summary.sections).toBe(3);
    expect(summary.byteOrder).toBe('mixed');
    expect(summary.interfaces.map((i) => [i.id, i.section, i.linkType])).toEqual([[0, 0, 1], [1, 1, 0], [2, 1, 1], [3, 2, 276]]);
    expect(packets.map((p) => p.interfaceId)).toEqual([0, 2, 3]);
    expect(packets.map((p) => p.tsSec)).toEqual([10, 20, 30]);
  });

  it('applies binary if_tsresol (2^-8) and if_tsoffset', async () => {
    const file = writePcapng([{
      interfaces: [{ linkType: 1, tsresol: 0x88, tsoffset: 1_700_000_000 }],
      packets: [{ tsSec: 1_700_000_005, tsNsec: 500_000_000, data: f1 }],
    }]);
    const { packets, summary } = await readAllBytes(file);
    expect(summary.tsResolution).toBe('2^-8 seconds');
    expect(summary.interfaces[0].tsOffset).toBe(1_700_000_000);
    expect([packets[0].tsSec, packets[0].tsNsec]).toEqual([1_700_000_005, 500_000_000]);
  });

  it('reads simple packet blocks (cut to IDB 0 snaplen, no timestamp) and obsolete packet blocks', async () => {
    const file = writePcapng([{
      interfaces: [{ linkType: 1, snapLen: 50 }],
      packets: [
        { tsSec: 0, tsNsec: 0, data: f2, block: 'spb' },
        { tsSec: 100, tsNsec: 7000, data: f1, block: 'pb' },
      ],
    }]);
    const { packets, summary } = await readAllBytes(file);
    expect(packets[0].capturedLength).toBe(50);
    expect(packets[0].originalLength).toBe(f2.length);
    expect(packets[0].data).toEqual(f2.subarray(0, 50));
    expect(packets[0].noTimestamp).toBe(true);
    expect([packets[1].tsSec, packets[1].tsNsec]).toEqual([100, 7000]);
    expect(summary.firstTime).toBe(100.000007);
    expect(summary.warnings.join()).toMatch(/simple packet blocks carry no timestamp/);
  });

  it('skips unknown, name-resolution and statistics blocks by their length', async () => {
    const file = writePcapng([{
      interfaces: [{ linkType: 1 }],
      extraBlocks: [{ type: 4, body: new Uint8Array(13) }, { type: 5, body: new Uint8Array(20) }, { type: 0x40000bad, body: Uint8Array.of(9) }],
      packets: [{ tsSec: 1, tsNsec: 0, data: f1 }],
    }]);
    const { packets } = await readAllBytes(file);
    expect(packets).toHaveLength(1);
    expect(packets[0].data).toEqual(f1);
  });

  it('grows its buffer for a block larger than one read chunk', async () => {
    const big = new Uint8Array(200_000).fill(1);
    const file = writePcapng([{ interfaces: [{ linkType: 1 }], packets: [{ tsSec: 1, tsNsec: 0, data: f1 }, { tsSec: 2, tsNsec: 0, data: big }, { tsSec: 3, tsNsec: 0, data: f2 }] }]);
    const { packets } = await readAllBytes(file, { chunkSize: 65536 });
    expect(packets.map((p) => p.capturedLength)).toEqual([f1.length, 200_000, f2.length]);
  });

  it('reads past a block larger than the read buffer and its headroom (joined, then skipped)', async () => {
    const file = writePcapng([{
      interfaces: [{ linkType: 1 }],
      extraBlocks: [{ type: 0x00000bad, body: new Uint8Array(1_500_000).fill(3) }],
      packets: [{ tsSec: 1, tsNsec: 0, data: f1 }, { tsSec: 2, tsNsec: 0, data: f2 }],
    }]);
    const small = await readAllBytes(file, { chunkSize: 65536 });
    expect(small.packets.map((p) => p.data)).toEqual([f1, f2]);
    expect(small.packets[1].fileOffset).toBe(file.length - (12 + ((20 + f2.length + 3) & ~3)));
  });

  it('refuses a block length that is not a multiple of 4, naming the offset', async () => {
    const shb = pcapngSectionHeader(true);
    const idb = pcapngInterface({ linkType: 1 }, true);
    const epb = pcapngPacket({ tsSec: 1, tsNsec: 0, data: f1 }, { linkType: 1 }, true);
    new DataView(epb.buffer).setUint32(4, epb.length - 2, true);
    const err = await readError(concat([shb, idb, epb]), 'x.pcapng');
    expect(err).toBeInstanceOf(CaptureFormatError);
    expect(err.message).toBe(`x.pcapng: at byte ${shb.length + idb.length + 4}: block total length ${epb.length - 2} is not a multiple of 4 (block type 0x00000006)`);
  });

  it('refuses a header/trailer length mismatch like libpcap', async () => {
    const shb = pcapngSectionHeader(true);
    const epb = pcapngPacket({ tsSec: 1, tsNsec: 0, data: f1 }, { linkType: 1 }, true);
    new DataView(epb.buffer).setUint32(epb.length - 4, 808464432, true);
    const err = await readError(concat([shb, pcapngInterface({ linkType: 1 }, true), epb]));
    expect(err.message).toMatch(new RegExp(`block total length in header ${epb.length} and trailer 808464432 don't match`));
  });

  it('refuses a packet for an interface the section never described', async () => {
    const file = writePcapng([{ interfaces: [{ linkType: 1 }], packets: [{ tsSec: 1, tsNsec: 0, data: f1, interfaceId: 3 }] }]);
    const err = await readError(file);
    expect(err.message).toMatch(/enhanced packet block refers to interface 3, but the section has 1 interface description block/);
  });

  it('refuses an EPB whose captured length overruns its block', async () => {
    const epb = pcapngPacket({ tsSec: 1, tsNsec: 0, data: f1 }, { linkType: 1 }, true);
    new DataView(epb.buffer).setUint32(20, 5000, true);
    const err = await readError(concat([pcapngSectionHeader(true), pcapngInterface({ linkType: 1 }, true), epb]));
    expect(err.message).toMatch(/enhanced packet block captured length 5000 exceeds the \d+ bytes of packet data in the block/);
  });

  it('refuses unsupported versions, bad byte-order magic and a first block that is not an SHB', async () => {
    const v2 = writePcapng([{ interfaces: [], packets: [], version: [2, 0] }]);
    expect((await readError(v2)).message).toMatch(/at byte 12: unsupported pcapng savefile version 2\.0/);
    const bad = pcapngSectionHeader(true);
    bad.set([1, 2, 3, 4], 8);
    expect((await readError(bad)).message).toMatch(/at byte 8: section header block has a bad byte-order magic 0x01020304/);
  });

  it('a later section in a version it does not read: the packets before it, and a warning', async () => {
    const file = writePcapng([
      { interfaces: [{ linkType: 1 }], packets: [{ tsSec: 1, tsNsec: 0, data: f1 }, { tsSec: 2, tsNsec: 0, data: f2 }] },
      { interfaces: [{ linkType: 1 }], packets: [{ tsSec: 3, tsNsec: 0, data: f1 }], version: [2, 0] },
    ]);
    const { packets, summary } = await readAllBytes(file);
    expect(packets).toHaveLength(2);
    expect(summary.warnings).toEqual([expect.stringMatching(/^section 2 at byte \d+ is pcapng version 2\.0, which is not read: the 2 packets before it are analysed, the rest of the file is left out$/)]);
  });

  it('reads everything before a block cut short at the end, with a warning', async () => {
    const file = writePcapng([{ interfaces: [{ linkType: 1 }], packets: [{ tsSec: 1, tsNsec: 0, data: f1 }, { tsSec: 2, tsNsec: 0, data: f2 }] }]);
    const { packets, summary } = await readAllBytes(file.subarray(0, file.length - 10));
    expect(packets).toHaveLength(1);
    expect(summary.warnings[0]).toMatch(/^truncated last block at byte \d+: block needs \d+ bytes, the file has \d+; read the 1 packets before it$/);
  });

  it('refuses a truncated section header', async () => {
    expect((await readError(pcapngSectionHeader(true).subarray(0, 10))).message).toMatch(/truncated pcapng section header block: 10 bytes/);
  });

  it('refuses an oversized block length without allocating it', async () => {
    const b = pcapngBlock(6, new Uint8Array(28), true);
    new DataView(b.buffer).setUint32(4, 0x7ffffff0, true);
    const err = await readError(concat([pcapngSectionHeader(true), pcapngInterface({ linkType: 1 }, true), b]));
    expect(err.message).toMatch(/block total length 2147483632 is larger than the maximum of 16777216/);
  });
});
