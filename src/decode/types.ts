/**
 * Decoded network and transport layers of one packet. Produced by decode/packet.ts from a RawPacket,
 * consumed by flow/ (TCP connection tracking, reassembly) and protocols/ (DNS, TLS, HTTP).
 *
 * Byte fields (`src`, `dst`, `payload`) are views into the capture reader's buffer and are only valid
 * during the packet callback: copy what you keep. Use decode/address.ts to format addresses.
 */

export interface IpHeader {
  version: 4 | 6;
  /** 4 or 16 bytes (views). */
  src: Uint8Array;
  dst: Uint8Array;
  /** Upper-layer protocol number after IPv6 extension headers (6 TCP, 17 UDP, 58 ICMPv6, …). */
  protocol: number;
  ttl: number;
  /** IPv4 identification (0 for IPv6 unless a fragment header carries one). */
  id: number;
  /** Set when this datagram is a fragment (first, middle or last). */
  fragment: { offset: number; moreFragments: boolean; id: number } | null;
  /** Length of the IP header incl. options / extension headers. */
  headerLength: number;
  /** Bytes after the IP header(s) present in the capture, trimmed to the IP length (a view). */
  payload: Uint8Array;
  /** Payload length on the wire according to the IP header (≥ payload.length when truncated). */
  payloadLength: number;
}

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;
export const TCP_ECE = 0x40;
export const TCP_CWR = 0x80;

export interface TcpOptions {
  mss?: number;
  windowScale?: number;
  sackPermitted?: boolean;
  /** SACK blocks as [left, right) uint32 pairs. */
  sack?: Array<[number, number]>;
  tsval?: number;
  tsecr?: number;
}

export interface TcpSegment {
  srcPort: number;
  dstPort: number;
  /** uint32 sequence and ack numbers (use flow/seq.ts for wrap-safe arithmetic). */
  seq: number;
  ack: number;
  /** Bitmask of TCP_* flags. */
  flags: number;
  /** Raw window field (unscaled). */
  window: number;
  headerLength: number;
  options: TcpOptions;
  /** Payload bytes present in the capture (may be shorter than `payloadLength` if truncated). */
  payload: Uint8Array;
  /** Payload length according to the IP header (what was on the wire). */
  payloadLength: number;
}

export interface UdpDatagram {
  srcPort: number;
  dstPort: number;
  /** Length field from the UDP header. */
  length: number;
  payload: Uint8Array;
}

export interface DecodedPacket {
  frame: number;
  tsSec: number;
  tsNsec: number;
  /** Epoch seconds, float. */
  t: number;
  interfaceId: number;
  /** LINKTYPE_ of the interface the packet came from. */
  linkType: number;
  /**
   * EtherType of the network layer (0x0800 IPv4, 0x86dd IPv6, 0x0806 ARP, …) when the link layer
   * says; null when the link type is unsupported or the frame carries no EtherType (802.3/LLC).
   */
  etherType: number | null;
  /** 802.1Q VLAN ids, outermost first (empty when untagged). */
  vlans: number[];
  ip: IpHeader | null;
  tcp: TcpSegment | null;
  udp: UdpDatagram | null;
  /** Some header was cut by the snap length (truncated ≠ malformed). */
  truncated: boolean;
  /** Named decode anomalies, e.g. 'IP_bad_header_length'; empty when clean. */
  anomalies: string[];
  /** Set on a datagram reassembled by decode/defrag.ts: frame numbers of its fragments. */
  fragments?: number[];
}
