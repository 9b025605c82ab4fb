/** UDP header (RFC 768). The payload is trimmed to the UDP length field. */
import { UdpDatagramView, type DecodeSlots } from './headers.js';
import type { DecodedPacket, UdpDatagram } from './types.js';
import { addAnomaly, UDP_bad_length, UDP_length_exceeds_ip } from './anomalies.js';

export function decodeUdp(d: Uint8Array, o: number, end: number, wireLength: number, p: DecodedPacket, cut: boolean, slots?: DecodeSlots): UdpDatagram | null {
  if (end - o < 8) {
    if (cut) p.truncated = true;
    // When the IP layer already said the frame is short, this is the same fault, not a second one.
    else if (p.anomalies.length === 0) addAnomaly(p, UDP_bad_length);
    return null;
  }
  let length = (d[o + 4] << 8) | d[o + 5];
  if (length === 0 && wireLength > 0xffff) length = wireLength; // IPv6 jumbogram
  if (length < 8) {
    addAnomaly(p, UDP_bad_length);
    return null;
  }
  let stop = o + length;
  if (length > wireLength) {
    addAnomaly(p, UDP_length_exceeds_ip);
    stop = end;
  } else if (stop > end) {
    if (cut) p.truncated = true;
    stop = end;
  }
  const dg = (slots?.udp ?? UdpDatagramView.empty()).reset(d, (d[o] << 8) | d[o + 1], (d[o + 2] << 8) | d[o + 3], length, o + 8, stop);
  p.udp = dg;
  return dg;
}
