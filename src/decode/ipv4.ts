/**
 * IPv4 header (RFC 791). Options are skipped by the header length; the checksum is not verified
 * (checksum offload makes locally captured checksums wrong as a rule). Ethernet padding after the
 * datagram is trimmed by the total length.
 */
import { IpHeaderView, type DecodeSlots } from './headers.js';
import type { DecodedPacket, IpHeader } from './types.js';
import {
  addAnomaly, IP_bad_version, IPv4_bad_header_length, IPv4_bad_total_length, IPv4_total_length_exceeds_frame,
} from './anomalies.js';

/**
 * Decode the IPv4 header at d[o] of a frame that ends at d[frameEnd] (default: the end of d); sets
 * p.ip (or flags p) and returns it, or null.
 */
export function decodeIpv4(d: Uint8Array, o: number, p: DecodedPacket, cut: boolean, slots?: DecodeSlots, frameEnd = d.length): IpHeaderView | null {
  const avail = frameEnd - o;
  if (avail < 20) {
    if (cut) p.truncated = true;
    else addAnomaly(p, IPv4_bad_total_length);
    return null;
  }
  const vihl = d[o];
  if (vihl >> 4 !== 4) {
    addAnomaly(p, IP_bad_version);
    return null;
  }
  const hl = (vihl & 0x0f) * 4;
  if (hl < 20) {
    addAnomaly(p, IPv4_bad_header_length);
    return null;
  }
  const total = (d[o + 2] << 8) | d[o + 3];
  if (total < hl) {
    // Total length 0 happens with TSO on the sending host; treat what was captured as the datagram.
    if (total !== 0) {
      addAnomaly(p, IPv4_bad_total_length);
      return null;
    }
  }
  const wireTotal = total === 0 ? avail : total;
  if (avail < hl) {
    if (cut) p.truncated = true;
    else addAnomaly(p, IPv4_bad_header_length);
    return null;
  }
  let end = o + wireTotal;
  if (end > frameEnd) {
    if (cut) p.truncated = true;
    else addAnomaly(p, IPv4_total_length_exceeds_frame);
    end = frameEnd;
  }
  const fragField = (d[o + 6] << 8) | d[o + 7];
  const id = (d[o + 4] << 8) | d[o + 5];
  const more = (fragField & 0x2000) !== 0;
  const fragOffset = (fragField & 0x1fff) * 8;
  const fragment = more || fragOffset !== 0 ? { offset: fragOffset, moreFragments: more, id } : null;
  const ip = (slots?.ip4 ?? IpHeaderView.empty()).reset(d, 4, o + 12, d[o + 9], d[o + 8], id, fragment, hl, o + hl, end, wireTotal - hl);
  p.ip = ip;
  return ip;
}
