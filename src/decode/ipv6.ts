/**
 * IPv6 header (RFC 8200) and the extension headers between it and the upper layer: hop-by-hop (0),
 * routing (43), fragment (44), destination options (60), AH (51). ESP (50) and "no next header"
 * (59) end the walk. A fragment header sets `fragment`; only the first fragment (offset 0) could
 * carry the upper-layer header, and like IPv4 fragments we leave transport decoding to defrag.ts.
 */
import { IpHeaderView, type DecodeSlots } from './headers.js';
import type { DecodedPacket, IpHeader } from './types.js';
import {
  addAnomaly, IP_bad_version, IPv6_bad_extension_header, IPv6_payload_length_exceeds_frame,
} from './anomalies.js';

/** Most extension headers walked before calling the chain hostile. */
const MAX_EXTENSION_HEADERS = 16;

/** Decode the IPv6 header at d[o] of a frame that ends at d[frameEnd] (default: the end of d). */
export function decodeIpv6(d: Uint8Array, o: number, p: DecodedPacket, cut: boolean, slots?: DecodeSlots, frameEnd = d.length): IpHeaderView | null {
  const avail = frameEnd - o;
  if (avail < 40) {
    if (cut) p.truncated = true;
    else addAnomaly(p, IPv6_payload_length_exceeds_frame);
    return null;
  }
  if (d[o] >> 4 !== 6) {
    addAnomaly(p, IP_bad_version);
    return null;
  }
  const plen = (d[o + 4] << 8) | d[o + 5];
  // Payload length 0 with a hop-by-hop header is a jumbogram; take what was captured.
  const wirePayload = plen === 0 ? avail - 40 : plen;
  let end = o + 40 + wirePayload;
  if (end > frameEnd) {
    if (cut) p.truncated = true;
    else addAnomaly(p, IPv6_payload_length_exceeds_frame);
    end = frameEnd;
  }
  let next = d[o + 6];
  let h = o + 40;
  let fragment: IpHeader['fragment'] = null;
  let id = 0;
  for (let n = 0; n < MAX_EXTENSION_HEADERS; n++) {
    let len: number;
    if (next === 0 || next === 43 || next === 60) {
      if (end - h < 2) break;
      len = (d[h + 1] + 1) * 8;
    } else if (next === 51) {
      if (end - h < 2) break;
      len = (d[h + 1] + 2) * 4;
    } else if (next === 44) {
      len = 8;
      if (end - h < 8) break;
      const f = (d[h + 2] << 8) | d[h + 3];
      id = ((d[h + 4] << 24) | (d[h + 5] << 16) | (d[h + 6] << 8) | d[h + 7]) >>> 0;
      fragment = { offset: f & 0xfff8, moreFragments: (f & 1) === 1, id };
    } else {
      break;
    }
    if (h + len > end) {
      if (cut && end === frameEnd) p.truncated = true;
      else addAnomaly(p, IPv6_bad_extension_header);
      break;
    }
    next = d[h];
    h += len;
  }
  if (h > end) h = end;
  const ip = (slots?.ip6 ?? IpHeaderView.empty())
    .reset(d, 6, o + 8, next, d[o + 7], id, fragment, h - o, h, end, Math.max(0, 40 + wirePayload - (h - o)));
  p.ip = ip;
  return ip;
}
