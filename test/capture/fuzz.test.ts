/**
 * Property tests: random and mutated captures never make the reader or decoder throw anything but
 * CaptureFormatError, never hang, and never report more than the input holds.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readCaptureBytes } from '../../src/capture/reader.js';
import { CaptureFormatError } from '../../src/capture/types.js';
import { decodePacket } from '../../src/decode/packet.js';
import { writePcap, writePcapng } from '../../src/capture/writer.js';
import {
  bsdLoopback, ether, etherTcp4, fragmentHeader, ipv4, ipv6, sll2, tcp, udp, ACK, PSH, SYN,
} from './fixtures/frames.js';

const frames = [
  etherTcp4('10.0.0.1', 40000, '10.0.0.2', 443, { flags: SYN, options: [2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7] }),
  etherTcp4('10.0.0.2', 443, '10.0.0.1', 40000, { flags: ACK | PSH, seq: 5, ack: 9, payload: new Uint8Array(120).fill(0x16) }),
  ether(0x86dd, ipv6('2001:db8::1', '2001:db8::53', 17, udp(5000, 53, new Uint8Array(40)), [{ type: 0, body: [1, 4, 0, 0, 0, 0, 0] }])),
  ether(0x0800, ipv4('10.0.0.1', '10.0.0.2', 17, udp(1, 53, new Uint8Array(60)), { options: [7, 7, 4, 0, 0, 0, 0], moreFragments: true }), [[0x8100, 3]]),
  sll2(0x86dd, ipv6('fd00::1', 'fd00::2', 17, new Uint8Array(16), [fragmentHeader(8, false, 1)])),
  bsdLoopback(30, ipv6('::1', '::1', 6, tcp(1, 2, { flags: ACK }))),
];

const pcap = writePcap(frames.map((data, i) => ({ tsSec: 1_700_000_000 + i, tsNsec: i * 1000, data })), { linkType: 1 });
const pcapNs = writePcap(frames.map((data, i) => ({ tsSec: 1_700_000_000 + i, tsNsec: i, data })), { linkType: 1, nanoseconds: true, bigEndian: true });
const pcapng = writePcapng([
  { interfaces: [{ linkType: 1, tsresol: 9, name: 'eth0' }, { linkType: 276 }], packets: frames.map((data, i) => ({ tsSec: 1_700_000_000 + i, tsNsec: i, data, interfaceId: i === 4 ? 1 : 0, block: i === 2 ? 'pb' as const : 'epb' as const })) },
  { bigEndian: true, interfaces: [{ linkType: 0, tsresol: 0x88 }], packets: [{ tsSec: 1_700_000_005, tsNsec: 0, data: frames[5] }, { tsSec: 0, tsNsec: 0, data: frames[5], block: 'spb' }], extraBlocks: [{ type: 4, body: new Uint8Array(8) }] },
]);
const seeds = [pcap, pcapNs, pcapng];

/** Read and decode everything; return what was seen, or the CaptureFormatError. */
async function exercise(bytes: Uint8Array): Promise<void> {
  let packets = 0;
  let dataBytes = 0;
  try {
    const s = await readCaptureBytes(bytes, 'fuzz.pcap', (raw) => {
      packets++;
      dataBytes += raw.data.length;
      expect(raw.data.length).toBe(raw.capturedLength);
      const p = decodePacket(raw);
      // Views never reach outside the packet.
      for (const v of [p.ip?.payload, p.tcp?.payload, p.udp?.payload]) {
        if (v) expect(v.byteOffset + v.length).toBeLessThanOrEqual(raw.data.byteOffset + raw.data.length);
      }
      expect(Number.isFinite(p.t)).toBe(true);
    }, { chunkSize: 65536 });
    expect(s.packets).toBe(packets);
    expect(dataBytes).toBeLessThanOrEqual(bytes.length);
    expect(s.warnings.length).toBeLessThan(50);
  } catch (e) {
    if (!(e instanceof CaptureFormatError)) throw e;
    expect(e.message).not.toContain('\n');
    expect(e.offset).toBeGreaterThanOrEqual(0);
    expect(e.offset).toBeLessThanOrEqual(bytes.length + 16);
  }
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('word' as const), at: fc.nat(), value: fc.constantFrom(0, 0xffffffff, 0x7fffffff, 3, 12, 28, 262145) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), value: fc.constant(0) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
);

function mutate(seed: Uint8Array, ms: Array<{ kind: 'set' | 'word' | 'cut' | 'insert'; at: number; value: number }>): Uint8Array {
  let b = seed.slice();
  for (const m of ms) {
    if (b.length === 0) break;
    const at = m.at % b.length;
    if (m.kind === 'set') b[at] = m.value;
    else if (m.kind === 'word' && at + 4 <= b.length) new DataView(b.buffer, b.byteOffset).setUint32(at, m.value >>> 0, m.at % 2 === 0);
    else if (m.kind === 'cut') b = b.slice(0, at);
    else if (m.kind === 'insert') {
      const n = new Uint8Array(b.length + 1);
      n.set(b.subarray(0, at));
      n[at] = m.value;
      n.set(b.subarray(at), at + 1);
      b = n;
    }
  }
  return b;
}

describe('reader and decoder under random and mutated input', () => {
  it('the seeds themselves read cleanly', async () => {
    for (const s of seeds) {
      let n = 0;
      const summary = await readCaptureBytes(s, 'seed', () => { n++; });
      expect(n).toBeGreaterThanOrEqual(6);
      expect(summary.warnings.filter((w) => !w.startsWith('simple packet'))).toEqual([]);
    }
  });

  it('mutated real captures: only CaptureFormatError, bounded output', async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 8 }), async (seed, ms) => {
      await exercise(mutate(seed, ms));
    }), { numRuns: 1500 });
  });

  it('random bytes behind a valid magic number: only CaptureFormatError', async () => {
    const magic = fc.constantFrom(
      Uint8Array.of(0xd4, 0xc3, 0xb2, 0xa1), Uint8Array.of(0xa1, 0xb2, 0x3c, 0x4d),
      Uint8Array.of(0x0a, 0x0d, 0x0d, 0x0a), Uint8Array.of(0x0a, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a),
    );
    await fc.assert(fc.asyncProperty(magic, fc.uint8Array({ maxLength: 4096 }), async (m, rest) => {
      const b = new Uint8Array(m.length + rest.length);
      b.set(m);
      b.set(rest, m.length);
      await exercise(b);
    }), { numRuns: 1500 });
  });

  it('random packets on every supported link type never make the decoder throw', () => {
    fc.assert(fc.property(fc.constantFrom(0, 1, 9, 12, 14, 101, 108, 113, 228, 229, 276, 147), fc.uint8Array({ maxLength: 200 }), fc.nat(300), (lt, data, extra) => {
      const p = decodePacket({ frame: 1, tsSec: 0, tsNsec: 0, interfaceId: 0, linkType: lt, capturedLength: data.length, originalLength: data.length + (extra % 2 ? extra : 0), data, fileOffset: 0 });
      expect(Array.isArray(p.anomalies)).toBe(true);
    }), { numRuns: 5000 });
  });
});
