/**
 * Link layers: where the network header starts and which EtherType it has. One function per link
 * type, dispatched by table. The frame is d[s, e) (a view of just the packet, or the reader's
 * buffer with the packet's bounds). Returns the offset in d of the network header, or -1 when there
 * is none (unsupported link type, frame too short, non-IP payload without EtherType).
 */
import type { DecodedPacket } from './types.js';
import { addAnomaly, LINK_bad_address_family, LINK_too_short, LINK_unsupported_type } from './anomalies.js';

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_VLAN = 0x8100;
export const ETHERTYPE_QINQ = 0x88a8;
export const ETHERTYPE_QINQ_OLD = 0x9100;

/** Most VLAN tags we unwrap before giving up (QinQ is 2; more is a crafted frame). */
const MAX_VLAN_TAGS = 8;

type LinkDecoder = (d: Uint8Array, s: number, e: number, p: DecodedPacket, cut: boolean) => number;

function tooShort(p: DecodedPacket, cut: boolean): number {
  if (cut) p.truncated = true;
  else addAnomaly(p, LINK_too_short);
  return -1;
}

function ethernet(d: Uint8Array, s: number, e: number, p: DecodedPacket, cut: boolean): number {
  if (e - s < 14) return tooShort(p, cut);
  let type = (d[s + 12] << 8) | d[s + 13];
  let o = s + 14;
  let tags = 0;
  while (type === ETHERTYPE_VLAN || type === ETHERTYPE_QINQ || type === ETHERTYPE_QINQ_OLD) {
    if (e < o + 4) return tooShort(p, cut);
    if (++tags > MAX_VLAN_TAGS) return -1;
    const vid = ((d[o] << 8) | d[o + 1]) & 0x0fff;
    if (p.vlans.length === 0) p.vlans = [vid];
    else p.vlans.push(vid);
    type = (d[o + 2] << 8) | d[o + 3];
    o += 4;
  }
  if (type < 0x0600) {
    // 802.3 length field: LLC follows. Only SNAP with a zero OUI carries an EtherType.
    if (e >= o + 8 && d[o] === 0xaa && d[o + 1] === 0xaa && d[o + 2] === 0x03 &&
        d[o + 3] === 0 && d[o + 4] === 0 && d[o + 5] === 0) {
      p.etherType = (d[o + 6] << 8) | d[o + 7];
      return o + 8;
    }
    return -1;
  }
  p.etherType = type;
  return o;
}

function linuxSll(d: Uint8Array, s: number, e: number, p: DecodedPacket, cut: boolean): number {
  if (e - s < 16) return tooShort(p, cut);
  p.etherType = (d[s + 14] << 8) | d[s + 15];
  return s + 16;
}

function linuxSll2(d: Uint8Array, s: number, e: number, p: DecodedPacket, cut: boolean): number {
  if (e - s < 20) return tooShort(p, cut);
  p.etherType = (d[s] << 8) | d[s + 1];
  return s + 20;
}

/** BSD address families for IPv6 differ by OS: 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS). */
function familyToEtherType(af: number): number {
  if (af === 2) return ETHERTYPE_IPV4;
  if (af === 24 || af === 28 || af === 30 || af === 10) return ETHERTYPE_IPV6;
  return -1;
}

/** DLT_NULL: 4-byte address family in the *capturing host's* byte order. */
function nullLink(d: Uint8Array, s: number, e: number, p: DecodedPacket, cut: boolean): number {
  if (e - s < 4) return tooShort(p, cut);
  const le = d[s] | (d[s + 1] << 8) | (d[s + 2] << 16) | (d[s + 3] << 24);
  const be = (d[s] << 24) | (d[s + 1] << 16) | (d[s + 2] << 8) | d[s + 3];
  let t = familyToEtherType(le);
  if (t < 0) t = familyToEtherType(be);
  if (t < 0) {
    addAnomaly(p, LINK_bad_address_family);
    return -1;
  }
  p.etherType = t;
  return s + 4;
}

/** DLT_LOOP: like NULL but always network byte order. */
function loopLink(d: Uint8Array, s: number, e: number, p: DecodedPacket, cut: boolean): number {
  if (e - s < 4) return tooShort(p, cut);
  const t = familyToEtherType((d[s] << 24) | (d[s + 1] << 16) | (d[s + 2] << 8) | d[s + 3]);
  if (t < 0) {
    addAnomaly(p, LINK_bad_address_family);
    return -1;
  }
  p.etherType = t;
  return s + 4;
}

/** Raw IP: the version nibble says which. */
function rawIp(d: Uint8Array, s: number, e: number, p: DecodedPacket, cut: boolean): number {
  if (e - s < 1) return tooShort(p, cut);
  const v = d[s] >> 4;
  p.etherType = v === 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4;
  return s;
}

function ipv4Only(_d: Uint8Array, s: number, _e: number, p: DecodedPacket, _cut: boolean): number {
  p.etherType = ETHERTYPE_IPV4;
  return s;
}

function ipv6Only(_d: Uint8Array, s: number, _e: number, p: DecodedPacket, _cut: boolean): number {
  p.etherType = ETHERTYPE_IPV6;
  return s;
}

/** PPP (DLT 9), optionally with the HDLC address/control bytes ff 03. */
function ppp(d: Uint8Array, s: number, e: number, p: DecodedPacket, cut: boolean): number {
  let o = s;
  if (e - s >= 2 && d[s] === 0xff && d[s + 1] === 0x03) o = s + 2;
  if (e < o + 1) return tooShort(p, cut);
  let proto: number;
  if (d[o] & 1) {
    proto = d[o];
    o += 1;
  } else {
    if (e < o + 2) return tooShort(p, cut);
    proto = (d[o] << 8) | d[o + 1];
    o += 2;
  }
  if (proto === 0x21) p.etherType = ETHERTYPE_IPV4;
  else if (proto === 0x57) p.etherType = ETHERTYPE_IPV6;
  else return -1;
  return o;
}

const DECODERS: Array<LinkDecoder | undefined> = [];
DECODERS[0] = nullLink;
DECODERS[1] = ethernet;
DECODERS[9] = ppp;
DECODERS[12] = rawIp;
DECODERS[14] = rawIp;
DECODERS[101] = rawIp;
DECODERS[108] = loopLink;
DECODERS[113] = linuxSll;
DECODERS[228] = ipv4Only;
DECODERS[229] = ipv6Only;
DECODERS[276] = linuxSll2;

export function isSupportedLinkType(linkType: number): boolean {
  return DECODERS[linkType] !== undefined;
}

/**
 * Offset in `d` of the network header of the frame d[start, end) (default: all of d), or -1.
 * Sets p.etherType, p.vlans, anomalies.
 */
export function decodeLink(linkType: number, d: Uint8Array, p: DecodedPacket, cut: boolean, start = 0, end = d.length): number {
  const fn = linkType < DECODERS.length ? DECODERS[linkType] : undefined;
  if (!fn) {
    addAnomaly(p, LINK_unsupported_type);
    return -1;
  }
  return fn(d, start, end, p, cut);
}
