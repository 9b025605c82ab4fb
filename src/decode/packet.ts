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
 * Decode IP and the transport layer at d[o], given p.etherType. Exported for defrag.ts and for
 * callers that already know where the network header starts.
 */
export function decodeNetwork(d: Uint8Array, o: number, p: DecodedPacket, cut: boolean): void {
  const type = p.etherType;
  const ip = type === ETHERTYPE_IPV4 ? decodeIpv4(d, o, p, cut) : type === ETHERTYPE_IPV6 ? decodeIpv6(d, o, p, cut) : null;
  if (!ip || ip.fragment) return;
  const start = o + ip.headerLength;
  const end = start + ip.payloadPresent;
  if (ip.protocol === IPPROTO_TCP) decodeTcp(d, start, end, ip.payloadLength, p, cut);
  else if (ip.protocol === IPPROTO_UDP) decodeUdp(d, start, end, ip.payloadLength, p, cut);
}
