import { describe, expect, it } from 'vitest';
import { decodePacket } from '../../src/decode/packet.js';
import type { RawPacket } from '../../src/capture/types.js';
import { formatIp } from '../../src/decode/address.js';
import {
  bsdLoopback, ether, fragmentHeader, ipv4, ipv6, sll, sll2, tcp, udp, ACK, SYN,
} from '../capture/fixtures/frames.js';

function raw(linkType: number, data: Uint8Array, originalLength = data.length): RawPacket {
  return { frame: 7, tsSec: 1_764_045_000, tsNsec: 5, interfaceId: 2, linkType, capturedLength: data.length, originalLength, data, fileOffset: 0 };
}

const seg = tcp(40000, 443, { seq: 0xfffffff0, ack: 12345, flags: SYN | ACK, window: 29200, payload: Uint8Array.of(0x16, 3, 1) });
const v4 = ipv4('192.0.2.1', '198.51.100.7', 6, seg, { ttl: 57, id: 0xbeef });
const v6 = ipv6('2001:db8::1', 'fe80::2', 17, udp(5353, 53, Uint8Array.of(9, 9)));

describe('decodePacket: link layers', () => {
  const cases: Array<[string, number, Uint8Array, 4 | 6]> = [
    ['EN10MB', 1, ether(0x0800, v4), 4],
    ['EN10MB 802.1Q', 1, ether(0x86dd, v6, [[0x8100, 10]]), 6],
    ['EN10MB QinQ 88a8+8100', 1, ether(0x0800, v4, [[0x88a8, 100], [0x8100, 200]]), 4],
    ['EN10MB old QinQ 9100', 1, ether(0x0800, v4, [[0x9100, 5]]), 4],
    ['LINUX_SLL', 113, sll(0x0800, v4), 4],
    ['LINUX_SLL2', 276, sll2(0x86dd, v6), 6],
    ['NULL AF_INET (LE)', 0, bsdLoopback(2, v4), 4],
    ['NULL AF_INET6=30 big-endian host', 0, bsdLoopback(30, v6, true), 6],
    ['NULL AF_INET6=24', 0, bsdLoopback(24, v6), 6],
    ['NULL AF_INET6=28', 0, bsdLoopback(28, v6), 6],
    ['LOOP AF_INET', 108, bsdLoopback(2, v4, true), 4],
    ['RAW 101 v4', 101, v4, 4],
    ['RAW 101 v6', 101, v6, 6],
    ['RAW 12', 12, v6, 6],
    ['RAW 14', 14, v4, 4],
    ['IPV4 228', 228, v4, 4],
    ['IPV6 229', 229, v6, 6],
  ];
  for (const [name, lt, data, version] of cases) {
    it(`${name} reaches IPv${version}`, () => {
      const p = decodePacket(raw(lt, data));
      expect(p.anomalies).toEqual([]);
      expect(p.ip?.version).toBe(version);
      if (version === 4) {
        expect(p.tcp).toMatchObject({ srcPort: 40000, dstPort: 443, seq: 0xfffffff0, ack: 12345, flags: SYN | ACK, window: 29200, payloadLength: 3 });
        expect([...p.tcp!.payload]).toEqual([0x16, 3, 1]);
      } else {
        expect(p.udp).toMatchObject({ srcPort: 5353, dstPort: 53, length: 10 });
        expect([...p.udp!.payload]).toEqual([9, 9]);
      }
    });
  }

  it('records VLAN ids outermost first', () => {
    expect(decodePacket(raw(1, ether(0x0800, v4, [[0x88a8, 100], [0x8100, 200]]))).vlans).toEqual([100, 200]);
  });

  it('leaves non-IP frames undecoded without an anomaly', () => {
    const p = decodePacket(raw(1, ether(0x0806, new Uint8Array(28))));
    expect(p.etherType).toBe(0x0806);
    expect(p.ip).toBeNull();
    expect(p.anomalies).toEqual([]);
  });

  it('names an unsupported link type as an anomaly instead of guessing', () => {
    const p = decodePacket(raw(147, v4));
    expect(p.ip).toBeNull();
    expect(p.anomalies).toEqual(['LINK_unsupported_type']);
  });

  it('keeps the packet metadata', () => {
    const p = decodePacket(raw(1, ether(0x0800, v4)));
    expect(p).toMatchObject({ frame: 7, tsSec: 1_764_045_000, tsNsec: 5, interfaceId: 2, linkType: 1 });
    expect(p.t).toBeCloseTo(1_764_045_000, 6);
  });
});

describe('decodePacket: IPv4', () => {
  it('reads addresses, ttl, id; skips options by the header length; trims Ethernet padding', () => {
    const small = ipv4('10.0.0.1', '10.0.0.2', 17, udp(1, 2, new Uint8Array(0)), { options: [0x94, 4, 0, 0] });
    const padded = new Uint8Array(60);
    padded.set(ether(0x0800, small));
    const p = decodePacket(raw(1, padded));
    expect(p.ip).toMatchObject({ version: 4, protocol: 17, ttl: 64, headerLength: 24, payloadLength: 8 });
    expect(formatIp(p.ip!.src)).toBe('10.0.0.1');
    expect(p.ip!.payload.length).toBe(8);
    expect(p.udp!.payload.length).toBe(0);
    expect(p.anomalies).toEqual([]);
  });

  it('flags fragments and leaves their transport layer to reassembly', () => {
    const first = decodePacket(raw(1, ether(0x0800, ipv4('10.0.0.1', '10.0.0.2', 17, udp(1, 53, new Uint8Array(40)).subarray(0, 24), { moreFragments: true, id: 77 }))));
    expect(first.ip!.fragment).toEqual({ offset: 0, moreFragments: true, id: 77 });
    expect(first.udp).toBeNull();
    const last = decodePacket(raw(1, ether(0x0800, ipv4('10.0.0.1', '10.0.0.2', 17, new Uint8Array(24), { fragOffset: 24, id: 77 }))));
    expect(last.ip!.fragment).toEqual({ offset: 24, moreFragments: false, id: 77 });
  });

  it('tells truncated (cut by snaplen) from malformed (lengths that lie)', () => {
    const frame = ether(0x0800, v4);
    const cut = decodePacket(raw(1, frame.subarray(0, 14 + 20 + 10), frame.length));
    expect(cut.truncated).toBe(true);
    expect(cut.anomalies).toEqual([]);
    expect(cut.ip).not.toBeNull();
    expect(cut.tcp).toBeNull();
    const lying = decodePacket(raw(1, frame.subarray(0, 14 + 20 + 10)));
    expect(lying.truncated).toBe(false);
    expect(lying.anomalies).toEqual(['IPv4_total_length_exceeds_frame']);
  });

  it('names bad header and total lengths and a bad version', () => {
    const badHl = ether(0x0800, v4).slice();
    badHl[14] = 0x43;
    expect(decodePacket(raw(1, badHl)).anomalies).toEqual(['IPv4_bad_header_length']);
    const badTotal = ether(0x0800, ipv4('1.1.1.1', '2.2.2.2', 6, seg, { totalLength: 10 }));
    expect(decodePacket(raw(1, badTotal)).anomalies).toEqual(['IPv4_bad_total_length']);
    const badVersion = ether(0x0800, v6);
    expect(decodePacket(raw(1, badVersion)).anomalies).toEqual(['IP_bad_version']);
  });
});

describe('decodePacket: IPv6 extension headers', () => {
  const payload = udp(1000, 53, Uint8Array.of(1, 2, 3));
  it('walks hop-by-hop, routing, destination options and AH to the upper layer', () => {
    const hbh = { type: 0, body: [0, 1, 4, 0, 0, 0, 0] };
    const routing = { type: 43, body: [0, 0, 0, 0, 0, 0, 0] };
    const dst = { type: 60, body: [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] };
    const ah = { type: 51, body: [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] };
    const p = decodePacket(raw(229, ipv6('2001:db8::1', '2001:db8::2', 17, payload, [hbh, routing, dst, ah])));
    expect(p.anomalies).toEqual([]);
    expect(p.ip).toMatchObject({ protocol: 17, headerLength: 40 + 8 + 8 + 16 + 12 });
    expect(p.udp).toMatchObject({ srcPort: 1000, dstPort: 53 });
  });

  it('flags fragment headers with their id, offset and M flag', () => {
    const p = decodePacket(raw(229, ipv6('2001:db8::1', '2001:db8::2', 17, payload, [fragmentHeader(1448, true, 0xdeadbeef)])));
    expect(p.ip!.fragment).toEqual({ offset: 1448, moreFragments: true, id: 0xdeadbeef });
    expect(p.ip!.protocol).toBe(17);
    expect(p.udp).toBeNull();
  });

  it('names an extension header that overruns the payload', () => {
    const bad = ipv6('2001:db8::1', '2001:db8::2', 17, new Uint8Array(0), [{ type: 60, body: [200, 0, 0, 0, 0, 0, 0] }]);
    expect(decodePacket(raw(229, bad)).anomalies).toEqual(['IPv6_bad_extension_header']);
  });
});

describe('decodePacket: TCP options and UDP lengths', () => {
  it('reads MSS, window scale, SACK-permitted, SACK blocks and timestamps', () => {
    const opts = [2, 4, 0x05, 0xb4, 1, 3, 3, 7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2, 1, 1, 5, 18, 0, 0, 0, 10, 0, 0, 0, 20, 0, 0, 0, 30, 0, 0, 0, 40];
    const p = decodePacket(raw(228, ipv4('1.1.1.1', '2.2.2.2', 6, tcp(1, 2, { flags: SYN, options: opts }))));
    expect(p.tcp!.options).toEqual({ mss: 1460, windowScale: 7, sackPermitted: true, tsval: 1, tsecr: 2, sack: [[10, 20], [30, 40]] });
    expect(p.tcp!.headerLength).toBe(20 + 40);
    expect(p.anomalies).toEqual([]);
  });

  it('stops at an impossible option length and says so, keeping the segment', () => {
    const p = decodePacket(raw(228, ipv4('1.1.1.1', '2.2.2.2', 6, tcp(1, 2, { flags: ACK, options: [2, 4, 1, 0, 8, 40, 0, 0] }))));
    expect(p.tcp).not.toBeNull();
    expect(p.tcp!.options.mss).toBe(256);
    expect(p.anomalies).toEqual(['TCP_option_bad_length']);
  });

  it('names a data offset below 5 words', () => {
    const t = tcp(1, 2, { flags: ACK }).slice();
    t[12] = 0x40;
    expect(decodePacket(raw(228, ipv4('1.1.1.1', '2.2.2.2', 6, t))).anomalies).toEqual(['TCP_bad_data_offset']);
  });

  it('names UDP lengths below 8 or beyond the IP payload', () => {
    expect(decodePacket(raw(228, ipv4('1.1.1.1', '2.2.2.2', 17, udp(1, 2, new Uint8Array(4), 7)))).anomalies).toEqual(['UDP_bad_length']);
    const long = decodePacket(raw(228, ipv4('1.1.1.1', '2.2.2.2', 17, udp(1, 2, new Uint8Array(4), 100))));
    expect(long.anomalies).toEqual(['UDP_length_exceeds_ip']);
    expect(long.udp!.payload.length).toBe(4);
  });

  it('returns views into the packet bytes, not copies', () => {
    const data = ether(0x0800, v4);
    const p = decodePacket(raw(1, data));
    expect(p.tcp!.payload.buffer).toBe(data.buffer);
    expect(p.ip!.src.buffer).toBe(data.buffer);
  });
});

describe('PacketDecoder (reused header objects)', () => {
  it('decodes every frame as decodePacket does, reusing its objects from call to call', async () => {
    const { PacketDecoder, decodePacket: fresh } = await import('../../src/decode/packet.js');
    const { etherTcp4, etherUdp4, ether, ipv6, tcp: tcpSeg } = await import('../capture/fixtures/frames.js');
    const frames = [
      etherTcp4('10.0.0.1', 40000, '10.0.0.2', 443, { flags: 0x02, seq: 0xfffffff0, options: [2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0] }),
      etherUdp4('10.0.0.1', 5353, '10.0.0.53', 53, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])),
      ether(0x86dd, ipv6('2001:db8::1', '2001:db8::2', 6, tcpSeg(1, 2, { flags: 0x18, payload: new Uint8Array([7, 7, 7]) }))),
      etherTcp4('10.0.0.2', 443, '10.0.0.1', 40000, { flags: 0x12, options: [1, 1, 1, 3] }),
      new Uint8Array(9),
    ];
    const decoder = new PacketDecoder();
    let first: unknown = null;
    frames.forEach((data, i) => {
      const raw = { frame: i + 1, tsSec: 1764045000 + i, tsNsec: 5, interfaceId: 0, linkType: 1, capturedLength: data.length, originalLength: data.length, data, fileOffset: 0 };
      const a = decoder.decode(raw);
      if (i === 0) first = a;
      else expect(a).toBe(first); // the same object, overwritten
      const b = fresh(raw);
      expect(JSON.parse(JSON.stringify(a))).toEqual(JSON.parse(JSON.stringify(b)));
      expect(a.tcp?.options ?? null).toEqual(b.tcp?.options ?? null);
      expect(a.tcp ? Array.from(a.tcp.payload) : null).toEqual(b.tcp ? Array.from(b.tcp.payload) : null);
      expect(a.ip ? [Array.from(a.ip.src), Array.from(a.ip.dst)] : null).toEqual(b.ip ? [Array.from(b.ip.src), Array.from(b.ip.dst)] : null);
    });
  });
});

describe('PacketDecoder on a reader\'s buffer (RawPacket.buffer / bufferOffset, no view per packet)', () => {
  /** The same frame as decodePacket sees it (its own view), and in the middle of a larger buffer. */
  function both(linkType: number, data: Uint8Array, originalLength: number, junk: number, seed: number) {
    const buffer = new Uint8Array(junk + data.length + junk);
    for (let i = 0; i < buffer.length; i++) buffer[i] = (i * 131 + seed) & 0xff; // junk on both sides
    buffer.set(data, junk);
    const base = { frame: 1, tsSec: 1764045000, tsNsec: 5, interfaceId: 0, linkType, capturedLength: data.length, originalLength, fileOffset: 0 };
    const inBuffer = { ...base, buffer, bufferOffset: junk, get data(): Uint8Array { throw new Error('data read: the buffer path must not need a view'); } };
    return { own: { ...base, data }, inBuffer };
  }

  it('decodes frames inside a buffer exactly as their own views, never reading past the frame', async () => {
    const { PacketDecoder, decodePacket: fresh } = await import('../../src/decode/packet.js');
    const { etherTcp4, etherUdp4, ether, ipv6, tcp: tcpSeg } = await import('../capture/fixtures/frames.js');
    const frames = [
      etherTcp4('10.0.0.1', 40000, '10.0.0.2', 443, { flags: 0x18, payload: new Uint8Array(40).fill(9) }),
      etherUdp4('10.0.0.1', 5353, '10.0.0.53', 53, new Uint8Array(20).fill(1)),
      ether(0x86dd, ipv6('2001:db8::1', '2001:db8::2', 6, tcpSeg(1, 2, { flags: 0x18, payload: new Uint8Array([7, 7, 7]) }))),
    ];
    const decoder = new PacketDecoder();
    for (const [i, data] of frames.entries()) {
      // Whole, and cut by a snap length at every byte: the junk after the cut must never be read.
      for (let cut = data.length; cut >= 0; cut--) {
        const { own, inBuffer } = both(1, data.subarray(0, cut), data.length, 64, i + cut);
        const a = JSON.stringify(decoder.decode(inBuffer));
        const b = JSON.stringify(fresh(own));
        expect(a, `frame ${i} cut at ${cut}`).toBe(b);
      }
    }
  });

  it('agrees with decodePacket on random frames of every supported link type', async () => {
    const { PacketDecoder, decodePacket: fresh } = await import('../../src/decode/packet.js');
    const decoder = new PacketDecoder();
    let state = 12345;
    const rnd = (n: number) => { state = (Math.imul(state, 1103515245) + 12345) >>> 0; return state % n; };
    const linkTypes = [0, 1, 9, 12, 14, 101, 108, 113, 228, 229, 276];
    for (let k = 0; k < 3000; k++) {
      const linkType = linkTypes[rnd(linkTypes.length)];
      const data = new Uint8Array(rnd(120));
      for (let i = 0; i < data.length; i++) data[i] = rnd(256);
      // Make IP headers likely: a plausible version nibble where the network header would start.
      const at = [4, 14, 16, 20, 0, 2][rnd(6)];
      if (at < data.length) data[at] = rnd(2) ? 0x45 : 0x60;
      const wire = data.length + (rnd(3) === 0 ? rnd(50) : 0);
      const { own, inBuffer } = both(linkType, data, wire, rnd(9), k);
      expect(JSON.stringify(decoder.decode(inBuffer)), `case ${k}`).toBe(JSON.stringify(fresh(own)));
    }
  });
});
