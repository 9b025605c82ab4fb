/**
 * TCP header (RFC 9293) and the options the analysis needs: MSS, window scale, SACK-permitted,
 * SACK blocks, timestamps. An option whose length is impossible stops the option walk with
 * TCP_option_bad_length; the segment itself still decodes.
 */
import { TcpSegmentView } from './headers.js';
import type { DecodedPacket, TcpOptions, TcpSegment } from './types.js';
import { addAnomaly, TCP_bad_data_offset, TCP_header_exceeds_ip, TCP_option_bad_length } from './anomalies.js';

/** Shared, frozen: segments without options (copy before changing). */
const NO_OPTIONS: TcpOptions = Object.freeze({}) as TcpOptions;

/**
 * Decode the TCP header at d[o..end) (end: end of the IP payload present); `wireLength` is the
 * IP payload length on the wire.
 */
export function decodeTcp(d: Uint8Array, o: number, end: number, wireLength: number, p: DecodedPacket, cut: boolean): TcpSegment | null {
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
  const options = hl > 20 ? decodeOptions(d, o + 20, o + hl, p) : NO_OPTIONS;
  const seg = new TcpSegmentView(
    d, (d[o] << 8) | d[o + 1], (d[o + 2] << 8) | d[o + 3],
    ((d[o + 4] << 24) | (d[o + 5] << 16) | (d[o + 6] << 8) | d[o + 7]) >>> 0,
    ((d[o + 8] << 24) | (d[o + 9] << 16) | (d[o + 10] << 8) | d[o + 11]) >>> 0,
    d[o + 13], (d[o + 14] << 8) | d[o + 15], hl, options, o + hl, end, wireLength - hl,
  );
  p.tcp = seg;
  return seg;
}

function u32(d: Uint8Array, i: number): number {
  return ((d[i] << 24) | (d[i + 1] << 16) | (d[i + 2] << 8) | d[i + 3]) >>> 0;
}

function decodeOptions(d: Uint8Array, i: number, end: number, p: DecodedPacket): TcpOptions {
  const opts: TcpOptions = {};
  while (i < end) {
    const kind = d[i];
    if (kind === 0) break;
    if (kind === 1) {
      i++;
      continue;
    }
    if (i + 1 >= end) {
      addAnomaly(p, TCP_option_bad_length);
      break;
    }
    const len = d[i + 1];
    if (len < 2 || i + len > end) {
      addAnomaly(p, TCP_option_bad_length);
      break;
    }
    switch (kind) {
      case 2:
        if (len === 4) opts.mss = (d[i + 2] << 8) | d[i + 3];
        else addAnomaly(p, TCP_option_bad_length);
        break;
      case 3:
        if (len === 3) opts.windowScale = d[i + 2];
        else addAnomaly(p, TCP_option_bad_length);
        break;
      case 4:
        if (len === 2) opts.sackPermitted = true;
        else addAnomaly(p, TCP_option_bad_length);
        break;
      case 5:
        if ((len - 2) % 8 === 0 && len > 2) {
          const blocks: Array<[number, number]> = [];
          for (let b = i + 2; b < i + len; b += 8) blocks.push([u32(d, b), u32(d, b + 4)]);
          opts.sack = blocks;
        } else addAnomaly(p, TCP_option_bad_length);
        break;
      case 8:
        if (len === 10) {
          opts.tsval = u32(d, i + 2);
          opts.tsecr = u32(d, i + 6);
        } else addAnomaly(p, TCP_option_bad_length);
        break;
      default:
        break;
    }
    i += len;
  }
  return opts;
}
