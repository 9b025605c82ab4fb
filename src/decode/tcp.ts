/**
 * TCP header (RFC 9293). The options are checked here and decoded on demand (tcp-options.ts);
 * an option whose length is impossible is the anomaly TCP_option_bad_length and the segment itself
 * still decodes.
 */
import { TcpSegmentView, type DecodeSlots } from './headers.js';
import type { DecodedPacket, TcpSegment } from './types.js';
import { addAnomaly, TCP_bad_data_offset, TCP_header_exceeds_ip } from './anomalies.js';
import { checkTcpOptions } from './tcp-options.js';

/**
 * Decode the TCP header at d[o..end) (end: end of the IP payload present); `wireLength` is the
 * IP payload length on the wire.
 */
export function decodeTcp(d: Uint8Array, o: number, end: number, wireLength: number, p: DecodedPacket, cut: boolean, slots?: DecodeSlots): TcpSegment | null {
  const avail = end - o;
  if (avail < 20) {
    if (cut) p.truncated = true;
    // When the IP layer already said the frame is short, this is the same fault, not a second one.
    else if (p.anomalies.length === 0) addAnomaly(p, TCP_header_exceeds_ip);
    return null;
  }
  const hl = (d[o + 12] >> 4) * 4;
  if (hl < 20) {
    addAnomaly(p, TCP_bad_data_offset);
    return null;
  }
  if (hl > wireLength) {
    addAnomaly(p, TCP_bad_data_offset);
    return null;
  }
  if (hl > avail) {
    if (cut) p.truncated = true;
    // When the IP layer already said the frame is short, this is the same fault, not a second one.
    else if (p.anomalies.length === 0) addAnomaly(p, TCP_header_exceeds_ip);
    return null;
  }
  // Options are checked here (a bad length is an anomaly of this packet) but turned into an
  // object only when asked for: the analysis never needs them for most segments.
  if (hl > 20) checkTcpOptions(d, o + 20, o + hl, p);
  const seg = (slots?.tcp ?? TcpSegmentView.empty()).reset(
    d, (d[o] << 8) | d[o + 1], (d[o + 2] << 8) | d[o + 3],
    ((d[o + 4] << 24) | (d[o + 5] << 16) | (d[o + 6] << 8) | d[o + 7]) >>> 0,
    ((d[o + 8] << 24) | (d[o + 9] << 16) | (d[o + 10] << 8) | d[o + 11]) >>> 0,
    d[o + 13], (d[o + 14] << 8) | d[o + 15], hl, o + 20, o + hl, end, wireLength - hl,
  );
  p.tcp = seg;
  return seg;
}
