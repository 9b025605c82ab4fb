/**
 * The decoder's fast lane. Nearly every packet of a module download is a TCP segment of the same
 * shape: IPv4 without options and not a fragment (or IPv6 without extension headers), framed as
 * Ethernet, Linux cooked capture (SLL, SLL2) or raw IP, captured whole, with no TCP options or
 * only NOP-NOP-timestamps. `CommonTcpFrame.read` recognises exactly that shape in the reader's
 * buffer and reads the fields the analysis needs into the object itself, with no DecodedPacket,
 * header views or per-layer calls. Every other frame — and any frame one of the checks below
 * doubts — is left to the full decoder (packet.ts), which names anomalies and truncation: a frame
 * read here is one the full decoder would decode without either, to the same fields
 * (test/decode/common-tcp.test.ts holds the two side by side).
 *
 * Why a second reading of these headers: the analysis spends most of the first ten thousand packets
 * of a capture in V8's interpreter and baseline tiers, where each call and property access costs, and
 * the full path makes a dozen calls per packet (docs/performance.md, "Warm-up").
 */
import type { RawPacket } from '../capture/types.js';
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6 } from './link.js';

const LINKTYPE_ETHERNET = 1;
const LINKTYPE_RAW = 101;
const LINKTYPE_LINUX_SLL = 113;
const LINKTYPE_IPV4 = 228;
const LINKTYPE_IPV6 = 229;
const LINKTYPE_LINUX_SLL2 = 276;

/** No sequence number read yet; not a small integer, so V8 lays the field out for doubles (see flow/analysis.ts NO_SEQ). */
const UNSET = 2 ** 32;

export class CommonTcpFrame {
  /** 4 or 6. */
  ipVersion = 4;
  /** Offset of the source address in `buffer`; the destination follows it (4 or 16 bytes). */
  addrOffset = 0;
  srcPort = 0;
  dstPort = 0;
  seq = UNSET;
  ack = UNSET;
  flags = 0;
  window = 0;
  headerLength = 0;
  /** Where the TCP options start, and the payload's bounds in `buffer` (all of it was captured). */
  optionsStart = 0;
  payloadStart = 0;
  payloadEnd = 0;
  /** The buffer the fields were read from (the reader's): valid during the packet callback only. */
  buffer: Uint8Array = new Uint8Array(0);

  /** Read `raw` if it has the common shape (and lies in a reader's buffer); false leaves it to the full decoder. */
  read(raw: RawPacket): boolean {
    const d = raw.buffer;
    if (d === undefined || raw.capturedLength !== raw.originalLength) return false;
    const s = raw.bufferOffset!;
    const e = s + raw.capturedLength;
    let ip: number;
    let type: number;
    switch (raw.linkType) {
      case LINKTYPE_ETHERNET:
        if (e - s < 14) return false;
        type = (d[s + 12] << 8) | d[s + 13];
        ip = s + 14;
        break;
      case LINKTYPE_LINUX_SLL2:
        if (e - s < 20) return false;
        type = (d[s] << 8) | d[s + 1];
        ip = s + 20;
        break;
      case LINKTYPE_LINUX_SLL:
        if (e - s < 16) return false;
        type = (d[s + 14] << 8) | d[s + 15];
        ip = s + 16;
        break;
      case LINKTYPE_RAW:
        if (e - s < 1) return false;
        type = d[s] >> 4 === 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4;
        ip = s;
        break;
      case LINKTYPE_IPV4:
        type = ETHERTYPE_IPV4;
        ip = s;
        break;
      case LINKTYPE_IPV6:
        type = ETHERTYPE_IPV6;
        ip = s;
        break;
      default:
        return false;
    }
    let tcp: number;
    let end: number;
    if (type === ETHERTYPE_IPV4) {
      // Version 4, a 20-byte header, TCP, not a fragment (DF may be set), a total length that
      // holds a TCP header and fits the frame (Ethernet padding after it is allowed).
      if (e - ip < 40 || d[ip] !== 0x45 || d[ip + 9] !== 6 || (((d[ip + 6] << 8) | d[ip + 7]) & 0x3fff) !== 0) return false;
      const total = (d[ip + 2] << 8) | d[ip + 3];
      if (total < 40 || ip + total > e) return false;
      this.ipVersion = 4;
      this.addrOffset = ip + 12;
      tcp = ip + 20;
      end = ip + total;
    } else if (type === ETHERTYPE_IPV6) {
      // Version 6, TCP as the next header (no extension headers), a payload length that holds a TCP
      // header and fits the frame (0, a jumbogram, is not common).
      if (e - ip < 60 || d[ip] >> 4 !== 6 || d[ip + 6] !== 6) return false;
      const plen = (d[ip + 4] << 8) | d[ip + 5];
      if (plen < 20 || ip + 40 + plen > e) return false;
      this.ipVersion = 6;
      this.addrOffset = ip + 8;
      tcp = ip + 40;
      end = ip + 40 + plen;
    } else {
      return false;
    }
    const hl = (d[tcp + 12] >> 4) * 4;
    if (hl < 20 || tcp + hl > end) return false;
    // Options: none, or exactly NOP, NOP, timestamps (nothing in them can be malformed).
    if (hl !== 20 && !(hl === 32 && d[tcp + 20] === 1 && d[tcp + 21] === 1 && d[tcp + 22] === 8 && d[tcp + 23] === 10)) return false;
    this.srcPort = (d[tcp] << 8) | d[tcp + 1];
    this.dstPort = (d[tcp + 2] << 8) | d[tcp + 3];
    this.seq = ((d[tcp + 4] << 24) | (d[tcp + 5] << 16) | (d[tcp + 6] << 8) | d[tcp + 7]) >>> 0;
    this.ack = ((d[tcp + 8] << 24) | (d[tcp + 9] << 16) | (d[tcp + 10] << 8) | d[tcp + 11]) >>> 0;
    this.flags = d[tcp + 13];
    this.window = (d[tcp + 14] << 8) | d[tcp + 15];
    this.headerLength = hl;
    this.optionsStart = tcp + 20;
    this.payloadStart = tcp + hl;
    this.payloadEnd = end;
    this.buffer = d;
    return true;
  }
}
