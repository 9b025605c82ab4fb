/**
 * decodePacket: link → IP → TCP/UDP for one RawPacket, with views into its bytes (valid only during
 * the reader's callback). Never throws on packet content: broken headers become named anomalies
 * (anomalies.ts) and headers cut by the snap length set `truncated`. Fragments are flagged and
 * their transport layer left undecoded: see defrag.ts to reassemble them.
 */
import type { RawPacket } from '../capture/types.js';
import type { DecodedPacket } from './types.js';
import { NO_ANOMALIES } from './anomalies.js';
import { decodeLink, ETHERTYPE_IPV4, ETHERTYPE_IPV6 } from './link.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import { decodeTcp } from './tcp.js';
import { decodeUdp } from './udp.js';
import { IPPROTO_TCP, IPPROTO_UDP } from './protocols.js';
import { IpHeaderView, TcpSegmentView, UdpDatagramView, type DecodeSlots } from './headers.js';

const NO_VLANS: number[] = Object.freeze([]) as unknown as number[];

export { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMPV6 } from './protocols.js';

export function decodePacket(raw: RawPacket): DecodedPacket {
  const d = raw.data;
  const p: DecodedPacket = {
    frame: raw.frame,
    tsSec: raw.tsSec,
    tsNsec: raw.tsNsec,
    t: raw.tsSec + raw.tsNsec / 1e9,
    interfaceId: raw.interfaceId,
    linkType: raw.linkType,
    etherType: null,
    vlans: NO_VLANS,
    ip: null,
    tcp: null,
    udp: null,
    truncated: false,
    anomalies: NO_ANOMALIES,
  };
  const cut = raw.capturedLength < raw.originalLength;
  const o = decodeLink(raw.linkType, d, p, cut);
  if (o < 0) return p;
  decodeNetwork(d, o, p, cut);
  return p;
}

/**
 * Decode IP and the transport layer at d[o] of a frame ending at d[frameEnd], given p.etherType.
 * Exported for callers that already know where the network header starts.
 */
export function decodeNetwork(d: Uint8Array, o: number, p: DecodedPacket, cut: boolean, slots?: DecodeSlots, frameEnd = d.length): void {
  const type = p.etherType;
  const ip = type === ETHERTYPE_IPV4 ? decodeIpv4(d, o, p, cut, slots, frameEnd)
    : type === ETHERTYPE_IPV6 ? decodeIpv6(d, o, p, cut, slots, frameEnd) : null;
  if (!ip || ip.fragment) return;
  const start = o + ip.headerLength;
  const end = start + ip.payloadPresent;
  if (ip.protocol === IPPROTO_TCP) decodeTcp(d, start, end, ip.payloadLength, p, cut, slots);
  else if (ip.protocol === IPPROTO_UDP) decodeUdp(d, start, end, ip.payloadLength, p, cut, slots);
}

/**
 * decodePacket for a stream of packets, reusing one DecodedPacket and one view per header kind
 * (gopacket's DecodingLayerParser idea): what `decode` returns — the packet and its ip, tcp and
 * udp objects — is overwritten by the next call, so use it before then and keep nothing but
 * copies. The analysis pipeline reads captures this way; `decodePacket` is for everything else.
 */
export class PacketDecoder {
  private readonly slots: DecodeSlots = {
    ip4: IpHeaderView.empty(), ip6: IpHeaderView.empty(), tcp: TcpSegmentView.empty(), udp: UdpDatagramView.empty(),
  };
  private readonly p: DecodedPacket = {
    frame: 0, tsSec: 0, tsNsec: 0, t: 0.5, interfaceId: 0, linkType: 0, etherType: null, vlans: NO_VLANS,
    ip: null, tcp: null, udp: null, truncated: false, anomalies: NO_ANOMALIES,
  };

  decode(raw: RawPacket): DecodedPacket {
    const p = this.p;
    p.frame = raw.frame;
    p.tsSec = raw.tsSec;
    p.tsNsec = raw.tsNsec;
    p.t = raw.tsSec + raw.tsNsec / 1e9;
    p.interfaceId = raw.interfaceId;
    p.linkType = raw.linkType;
    p.etherType = null;
    p.vlans = NO_VLANS;
    p.ip = null;
    p.tcp = null;
    p.udp = null;
    p.truncated = false;
    p.anomalies = NO_ANOMALIES;
    const cut = raw.capturedLength < raw.originalLength;
    // A packet straight from a reader carries the reader's buffer and its place in it: decode there,
    // without a view of its own (one typed array less per packet).
    const buf = raw.buffer;
    const d = buf ?? raw.data;
    const start = buf !== undefined ? raw.bufferOffset! : 0;
    const end = buf !== undefined ? start + raw.capturedLength : d.length;
    const o = decodeLink(raw.linkType, d, p, cut, start, end);
    if (o >= 0) decodeNetwork(d, o, p, cut, this.slots, end);
    return p;
  }
}
