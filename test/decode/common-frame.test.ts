/**
 * The decoder's fast lane (src/decode/common-frame.ts) beside the full decoder: every frame the lane
 * takes must be one the full decoder reads to the same fields with no anomaly and no truncation, and
 * the common shapes must be taken (or the lane would silently do nothing).
 */
import { describe, expect, it } from 'vitest';
import { CommonFrame } from '../../src/decode/common-frame.js';
import { PacketDecoder } from '../../src/decode/packet.js';
import type { RawPacket } from '../../src/capture/types.js';
import { ether, ipv4, ipv6, sll, sll2, tcp, udp, ACK, SYN } from '../capture/fixtures/frames.js';

const TS_OPTIONS = [1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2];

/** A frame placed in the middle of a larger buffer, as a reader hands it out. */
function inBuffer(linkType: number, data: Uint8Array, originalLength = data.length, junk = 17): RawPacket {
  const buffer = new Uint8Array(junk + data.length + junk).fill(0xee);
  buffer.set(data, junk);
  return {
    frame: 1, tsSec: 1764045000, tsNsec: 5, interfaceId: 0, linkType, capturedLength: data.length, originalLength,
    fileOffset: 0, buffer, bufferOffset: junk,
    get data(): Uint8Array { return buffer.subarray(junk, junk + data.length); },
  };
}

/** What the full decoder makes of the frame, in the fast lane's terms (null: not a clean TCP segment or UDP datagram). */
function fullDecoder(raw: RawPacket) {
  const p = new PacketDecoder().decode(raw);
  if (!p.ip || p.ip.fragment || p.anomalies.length > 0 || p.truncated) return null;
  const ip = { ipVersion: p.ip.version, src: Array.from(p.ip.src), dst: Array.from(p.ip.dst) };
  if (p.tcp) {
    const seg = p.tcp;
    return {
      ...ip, protocol: 6, srcPort: seg.srcPort, dstPort: seg.dstPort, seq: seg.seq, ack: seg.ack, flags: seg.flags,
      window: seg.window, headerLength: seg.headerLength, payload: Array.from(seg.payload), payloadLength: seg.payloadLength,
    };
  }
  if (p.udp) {
    const dg = p.udp;
    return { ...ip, protocol: 17, srcPort: dg.srcPort, dstPort: dg.dstPort, length: dg.length, payload: Array.from(dg.payload) };
  }
  return null;
}

function fastLane(raw: RawPacket) {
  const f = new CommonFrame();
  if (!f.read(raw)) return null;
  const n = f.ipVersion === 4 ? 4 : 16;
  const ip = {
    ipVersion: f.ipVersion,
    src: Array.from(f.buffer.subarray(f.addrOffset, f.addrOffset + n)),
    dst: Array.from(f.buffer.subarray(f.addrOffset + n, f.addrOffset + 2 * n)),
  };
  const payload = Array.from(f.buffer.subarray(f.payloadStart, f.payloadEnd));
  if (f.protocol === 17) return { ...ip, protocol: 17, srcPort: f.srcPort, dstPort: f.dstPort, length: f.udpLength, payload };
  return {
    ...ip, protocol: f.protocol, srcPort: f.srcPort, dstPort: f.dstPort, seq: f.seq, ack: f.ack, flags: f.flags, window: f.window,
    headerLength: f.headerLength, payload, payloadLength: f.payloadEnd - f.payloadStart,
  };
}

const payload = new Uint8Array(100).map((_, i) => i);
const seg = tcp(40000, 443, { seq: 0xfffffff0, ack: 0x80000001, flags: ACK, window: 501, payload });
const segTs = tcp(40000, 443, { seq: 7, ack: 9, flags: ACK | 0x08, window: 502, options: TS_OPTIONS, payload });
const v4 = ipv4('192.0.2.1', '198.51.100.7', 6, seg);
/** A Linux SYN's options: MSS 1460, SACK-permitted, timestamps, NOP, window scale 7. */
const synOpts = tcp(40000, 443, { seq: 1, flags: SYN, window: 64240, options: [2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7] });
const v6 = ipv6('2001:db8::1', '2001:db8::2', 6, segTs);

describe('CommonFrame: the common shapes are taken, with the full decoder\'s fields', () => {
  const cases: Array<[string, number, Uint8Array]> = [
    ['Ethernet IPv4', 1, ether(0x0800, v4)],
    ['Ethernet IPv4, timestamps', 1, ether(0x0800, ipv4('10.0.0.1', '10.0.0.2', 6, segTs))],
    ['Ethernet IPv4 with padding after the datagram', 1, ether(0x0800, Uint8Array.from([...ipv4('10.0.0.1', '10.0.0.2', 6, tcp(1, 2, { flags: ACK })), 0, 0, 0, 0, 0, 0]))],
    ['Ethernet IPv6', 1, ether(0x86dd, v6)],
    ['Linux SLL', 113, sll(0x0800, v4)],
    ['Linux SLL2', 276, sll2(0x86dd, v6)],
    ['raw IPv4 (101)', 101, v4],
    ['raw IPv6 (101)', 101, v6],
    ['IPv4 (228)', 228, v4],
    ['IPv6 (229)', 229, v6],
    ['Ethernet IPv4 UDP (DNS)', 1, ether(0x0800, ipv4('10.0.0.1', '10.0.0.53', 17, udp(40000, 53, payload)))],
    ['Linux SLL2 IPv6 UDP', 276, sll2(0x86dd, ipv6('2001:db8::1', '2001:db8::53', 17, udp(40000, 53, payload)))],
    ['UDP with a length field shorter than the IP payload', 1, ether(0x0800, ipv4('10.0.0.1', '10.0.0.53', 17, Uint8Array.from([...udp(1, 53, payload, 20), 9, 9])))],
    ['a SYN with MSS, SACK-permitted, timestamps, NOP and window scale', 1, ether(0x0800, ipv4('10.0.0.1', '10.0.0.2', 6, synOpts))],
    ['SACK blocks', 1, ether(0x0800, ipv4('10.0.0.1', '10.0.0.2', 6, tcp(1, 2, { flags: ACK, options: [1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2] })))],
  ];
  for (const [name, linkType, data] of cases) {
    it(name, () => {
      const raw = inBuffer(linkType, data);
      const full = fullDecoder(raw);
      expect(full).not.toBeNull();
      expect(fastLane(raw)).toEqual(full);
    });
  }
});

describe('CommonFrame: everything else is left to the full decoder', () => {
  const cases: Array<[string, RawPacket]> = [
    ['a frame cut by the snap length', inBuffer(1, ether(0x0800, v4).subarray(0, 60), 154)],
    ['a VLAN tag', inBuffer(1, ether(0x0800, v4, [[0x8100, 7]]))],
    ['IPv4 options', inBuffer(1, ether(0x0800, ipv4('10.0.0.1', '10.0.0.2', 6, seg, { options: [1, 1, 1, 0] })))],
    ['an IPv4 fragment', inBuffer(1, ether(0x0800, ipv4('10.0.0.1', '10.0.0.2', 6, seg, { moreFragments: true })))],
    ['UDP with a length field past the IP payload', inBuffer(1, ether(0x0800, ipv4('10.0.0.1', '10.0.0.2', 17, udp(5353, 53, payload, 500))))],
    ['UDP with a length field below 8', inBuffer(1, ether(0x0800, ipv4('10.0.0.1', '10.0.0.2', 17, udp(5353, 53, payload, 7))))],
    ['ICMP', inBuffer(1, ether(0x0800, ipv4('10.0.0.1', '10.0.0.2', 1, payload)))],
    ['an option of an impossible length (MSS in 5 bytes)', inBuffer(1, ether(0x0800, ipv4('10.0.0.1', '10.0.0.2', 6, tcp(1, 2, { flags: SYN, options: [2, 5, 5, 0xb4, 0, 1, 1, 0] }))))],
    ['an option running past the header', inBuffer(1, ether(0x0800, ipv4('10.0.0.1', '10.0.0.2', 6, tcp(1, 2, { flags: ACK, options: [1, 1, 8, 12, 0, 0, 0, 1, 0, 0, 0, 2] }))))],
    ['an IPv6 extension header', inBuffer(1, ether(0x86dd, ipv6('2001:db8::1', '2001:db8::2', 6, segTs, [{ type: 0, body: [0, 1, 4, 0, 0, 0, 0] }])))],
    ['a packet not in a reader\'s buffer', { ...inBuffer(1, ether(0x0800, v4)), buffer: undefined, bufferOffset: undefined }],
  ];
  for (const [name, raw] of cases) {
    it(name, () => {
      expect(fastLane(raw)).toBeNull();
    });
  }
});

describe('CommonFrame on random frames', () => {
  it('takes only frames the full decoder reads cleanly, to the same fields (20,000 mutated frames)', () => {
    let state = 2024;
    const rnd = (n: number) => { state = (Math.imul(state, 1103515245) + 12345) >>> 0; return state % n; };
    const seeds: Array<[number, Uint8Array]> = [
      [1, ether(0x0800, v4)], [1, ether(0x86dd, v6)], [276, sll2(0x0800, v4)], [113, sll(0x86dd, v6)], [101, v4], [229, v6],
      [1, ether(0x0800, ipv4('10.0.0.1', '10.0.0.2', 6, segTs))], [1, ether(0x0800, ipv4('10.0.0.1', '10.0.0.2', 6, synOpts))],
      [1, ether(0x0800, ipv4('10.0.0.1', '10.0.0.53', 17, udp(40000, 53, payload)))], [229, ipv6('2001:db8::1', '2001:db8::2', 17, udp(1, 53, payload))],
    ];
    let taken = 0;
    for (let k = 0; k < 20_000; k++) {
      const [linkType, seed] = seeds[rnd(seeds.length)];
      // Cut or extend, then change a few bytes of the headers (where the checks look).
      const len = rnd(4) === 0 ? rnd(seed.length + 8) : seed.length;
      const data = new Uint8Array(len);
      data.set(seed.subarray(0, Math.min(len, seed.length)));
      for (let m = rnd(4); m > 0 && len > 0; m--) data[rnd(Math.min(len, 100))] = rnd(3) === 0 ? rnd(256) : data[rnd(len)] ^ (1 << rnd(8));
      const raw = inBuffer(linkType, data, rnd(6) === 0 ? len + rnd(40) : len, rnd(9));
      const fast = fastLane(raw);
      if (fast === null) continue;
      taken++;
      expect(fast, `case ${k}`).toEqual(fullDecoder(raw));
    }
    expect(taken).toBeGreaterThan(6_000);
  });
});
