/**
 * Target: decodePacket on every link type we decode. Input: [link type selector, flags, frame...];
 * flags bit 0 says the snap length cut the frame (originalLength > capturedLength).
 * decodePacket documents no exceptions: anomalies go on the packet.
 */
import { decodePacket } from '../../../dist/decode/packet.js';
import * as f from '../frames.mjs';

export const LINKS = [0, 1, 9, 12, 14, 101, 108, 113, 228, 229, 276];
export const cover = ['/dist/decode/'];
export const maxLen = 4096;
export const dictionary = [[8, 0], [0x86, 0xdd], [0x81, 0], [0x88, 0xa8], [0x45, 0], [0x60, 0], [0, 0x2c], [0x40, 0], [0x20, 0]].map((a) => Uint8Array.from(a));

export function expected() {
  return false;
}

function input(link, frame, cut = 0) {
  return f.cat([LINKS.indexOf(link), cut], frame);
}

export function seeds() {
  const t4 = f.ipv4('10.0.0.1', '10.0.0.2', 6, f.tcp(40000, 443, { flags: f.TCP.SYN, options: [2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7] }));
  const u6 = f.ipv6(1, 2, 17, f.udp(5000, 53, f.dnsQuery(1, 'proxy.golang.org')));
  const frag = f.ipv4('10.0.0.1', '10.0.0.2', 17, f.udp(1, 53, new Uint8Array(24)), { frag: 0x2000 });
  const hop = f.cat([0x60, 0, 0, 0, 0, 16, 0, 64], f.ip6(1), f.ip6(2), [17, 0, 1, 4, 0, 0, 0, 0], f.udp(1, 2, new Uint8Array(0)));
  return [
    input(1, f.ether(0x0800, t4)), input(1, f.ether(0x86dd, u6, 7)), input(1, f.ether(0x0800, frag)), input(1, f.ether(0x86dd, hop)),
    input(0, f.nullLink(2, t4)), input(108, f.loopLink(30, u6)), input(113, f.sll(0x0800, t4)), input(276, f.sll2(0x86dd, u6)),
    input(101, t4), input(12, u6), input(228, t4), input(229, u6), input(9, f.cat([0xff, 0x03, 0, 0x21], t4)),
    input(1, f.ether(0x0800, t4).subarray(0, 40), 1),
  ];
}

export function run(b) {
  if (b.length < 2) return;
  const data = b.subarray(2);
  const cut = (b[1] & 1) === 1;
  const p = decodePacket({
    frame: 1, tsSec: 1_700_000_000, tsNsec: 0, interfaceId: 0, linkType: LINKS[b[0] % LINKS.length],
    capturedLength: data.length, originalLength: data.length + (cut ? 100 : 0), data, fileOffset: 0,
  });
  const end = data.byteOffset + data.length;
  for (const v of [p.ip?.payload, p.tcp?.payload, p.udp?.payload]) {
    if (v && (v.byteOffset < data.byteOffset || v.byteOffset + v.length > end)) throw new Error('invariant: a payload view reaches outside the frame');
  }
  if (!Number.isFinite(p.t)) throw new Error(`invariant: packet time ${p.t}`);
}
