/**
 * The decoder's fast lane. Nearly every packet of a module download is a TCP segment of the same
 * shape, and most others are DNS datagrams: IPv4 without options and not a fragment (or IPv6
 * without extension headers), framed as Ethernet, Linux cooked capture (SLL, SLL2) or raw IP,
 * captured whole, carrying TCP (with options the full decoder finds nothing wrong with) or UDP.
 * `CommonFrame.read` recognises exactly that shape in the reader's buffer and reads the fields the
 * analysis needs into the object itself, with no DecodedPacket, header views or per-layer calls.
 * Every other frame — and any frame one of the checks below doubts — is left to the full decoder
 * (packet.ts), which names anomalies and truncation: a frame read here is one the full decoder
 * would decode without either, to the same fields (test/decode/common-frame.test.ts holds the two
 * side by side).
 *
 * Why a second reading of these headers: the analysis spends most of the first ten thousand packets
 * of a capture in V8's interpreter and baseline tiers, where each call and property access costs, and
 * the full path makes a dozen calls per packet (docs/performance.md, "Warm-up").
 */
import type { RawPacket } from '../capture/types.js';
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6 } from './link.js';
import { IPPROTO_TCP, IPPROTO_UDP } from './protocols.js';
import { tcpOptionsClean } from './tcp-options.js';

const LINKTYPE_ETHERNET = 1;
const LINKTYPE_RAW = 101;
const LINKTYPE_LINUX_SLL = 113;
const LINKTYPE_IPV4 = 228;
const LINKTYPE_IPV6 = 229;
const LINKTYPE_LINUX_SLL2 = 276;

/** No sequence number read yet; not a small integer, so V8 lays the field out for doubles (see flow/analysis.ts NO_SEQ). */
const UNSET = 2 ** 32;

export class CommonFrame {
  /** IPPROTO_TCP (6) or IPPROTO_UDP (17). */
  protocol = IPPROTO_TCP;
  /** 4 or 6. */
  ipVersion = 4;
  /** Offset of the source address in `buffer`; the destination follows it (4 or 16 bytes). */
  addrOffset = 0;
  srcPort = 0;
  dstPort = 0;
  // TCP only:
  seq = UNSET;
  ack = UNSET;
  flags = 0;
  window = 0;
  headerLength = 0;
  /** Where the TCP options start. */
  optionsStart = 0;
  /** UDP only: the length field. */
  udpLength = 0;
  /** The payload's bounds in `buffer` (all of it was captured). */
  payloadStart = 0;
  payloadEnd = 0;
  /** The buffer the fields were read from (the reader's): valid during the packet callback only. */
  buffer: Uint8Array = new Uint8Array(0);

  /**
   * Read `raw` if it has the common shape (and lies in a reader's buffer); false leaves it to the
   * full decoder. The fields of the other transport keep what an earlier frame left in them.
   */
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
    let l4: number;
    let end: number;
    let protocol: number;
    if (type === ETHERTYPE_IPV4) {
      // Version 4, a 20-byte header, TCP or UDP, not a fragment (DF may be set), a total length that
      // holds the transport header and fits the frame (Ethernet padding after it is allowed).
      if (e - ip < 28 || d[ip] !== 0x45 || (((d[ip + 6] << 8) | d[ip + 7]) & 0x3fff) !== 0) return false;
      protocol = d[ip + 9];
      const total = (d[ip + 2] << 8) | d[ip + 3];
      if (total < (protocol === IPPROTO_TCP ? 40 : 28) || ip + total > e) return false;
      this.ipVersion = 4;
      this.addrOffset = ip + 12;
      l4 = ip + 20;
      end = ip + total;
    } else if (type === ETHERTYPE_IPV6) {
      // Version 6, TCP or UDP as the next header (no extension headers), a payload length that holds
      // the transport header and fits the frame (0, a jumbogram, is not common).
      if (e - ip < 48 || d[ip] >> 4 !== 6) return false;
      protocol = d[ip + 6];
      const plen = (d[ip + 4] << 8) | d[ip + 5];
      if (plen < (protocol === IPPROTO_TCP ? 20 : 8) || ip + 40 + plen > e) return false;
      this.ipVersion = 6;
      this.addrOffset = ip + 8;
      l4 = ip + 40;
      end = ip + 40 + plen;
    } else {
      return false;
    }
    if (protocol === IPPROTO_TCP) return this.tcp(d, l4, end);
    if (protocol === IPPROTO_UDP) return this.udp(d, l4, end);
    return false;
  }

  private tcp(d: Uint8Array, tcp: number, end: number): boolean {
    const hl = (d[tcp + 12] >> 4) * 4;
    if (hl < 20 || tcp + hl > end) return false;
    // Options: none, or any the full decoder finds nothing wrong with (NOP-NOP-timestamps on
    // nearly every segment after a Linux handshake; a SYN's MSS, window scale, SACK-permitted;
    // SACK blocks).
    if (hl !== 20 && !tcpOptionsClean(d, tcp + 20, tcp + hl)) return false;
    this.protocol = IPPROTO_TCP;
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

  private udp(d: Uint8Array, udp: number, end: number): boolean {
    // A length field that covers the header and lies within the IP payload (0, a jumbogram, and
    // anything the full decoder names an anomaly are not common).
    const length = (d[udp + 4] << 8) | d[udp + 5];
    if (length < 8 || udp + length > end) return false;
    this.protocol = IPPROTO_UDP;
    this.srcPort = (d[udp] << 8) | d[udp + 1];
    this.dstPort = (d[udp + 2] << 8) | d[udp + 3];
    this.udpLength = length;
    this.payloadStart = udp + 8;
    this.payloadEnd = udp + length;
    this.buffer = d;
    return true;
  }
}
