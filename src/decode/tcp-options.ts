/**
 * TCP options (RFC 9293 §3.1, RFC 7323, RFC 2018): MSS, window scale, SACK-permitted, SACK blocks,
 * timestamps. The decoder only checks them (checkTcpOptions) on every segment; the object is
 * built when a segment's `options` is first read (decodeTcpOptions). An option whose length is
 * impossible stops the walk.
 */
import type { DecodedPacket, TcpOptions } from './types.js';
import { addAnomaly, TCP_option_bad_length } from './anomalies.js';

/** Shared, frozen: segments without options (copy before changing). */
const NO_OPTIONS: TcpOptions = Object.freeze({}) as TcpOptions;

/** Report impossible option lengths in d[i..end) as anomalies of `p`, building nothing. */
export function checkTcpOptions(d: Uint8Array, i: number, end: number, p: DecodedPacket): void {
  if (!onlyTimestamps(d, i, end)) walkOptions(d, i, end, p, null);
}

/** Whether checkTcpOptions finds nothing wrong in d[i..end) (the decoder's fast lane asks). */
export function tcpOptionsClean(d: Uint8Array, i: number, end: number): boolean {
  return onlyTimestamps(d, i, end) || walkOptions(d, i, end, null, null);
}

/**
 * The options of nearly every segment after the handshake on Linux: NOP, NOP, timestamps (10
 * bytes), filling the 12 bytes exactly. Nothing in them can be wrong: no walk needed.
 */
function onlyTimestamps(d: Uint8Array, i: number, end: number): boolean {
  return end - i === 12 && d[i] === 1 && d[i + 1] === 1 && d[i + 2] === 8 && d[i + 3] === 10;
}

/** An impossible option length: the anomaly of `p` (when given); false, for walkOptions to return. */
function bad(p: DecodedPacket | null): false {
  if (p) addAnomaly(p, TCP_option_bad_length);
  return false;
}

function u32(d: Uint8Array, i: number): number {
  return ((d[i] << 24) | (d[i + 1] << 16) | (d[i + 2] << 8) | d[i + 3]) >>> 0;
}

/** The options in d[i..end) as an object (faults were reported when the segment was decoded). */
export function decodeTcpOptions(d: Uint8Array, i: number, end: number): TcpOptions {
  if (end <= i) return NO_OPTIONS;
  const opts: TcpOptions = {};
  walkOptions(d, i, end, null, opts);
  return opts;
}

/**
 * Walk the option list in d[i..end): report impossible lengths as anomalies of `p` (when given)
 * and fill `opts` (when given). Returns whether every length was possible.
 */
function walkOptions(d: Uint8Array, i: number, end: number, p: DecodedPacket | null, opts: TcpOptions | null): boolean {
  let clean = true;
  while (i < end) {
    const kind = d[i];
    if (kind === 0) break;
    if (kind === 1) {
      i++;
      continue;
    }
    if (i + 1 >= end) {
      clean = bad(p);
      break;
    }
    const len = d[i + 1];
    if (len < 2 || i + len > end) {
      clean = bad(p);
      break;
    }
    switch (kind) {
      case 2:
        if (len !== 4) clean = bad(p);
        else if (opts) opts.mss = (d[i + 2] << 8) | d[i + 3];
        break;
      case 3:
        if (len !== 3) clean = bad(p);
        else if (opts) opts.windowScale = d[i + 2];
        break;
      case 4:
        if (len !== 2) clean = bad(p);
        else if (opts) opts.sackPermitted = true;
        break;
      case 5:
        if ((len - 2) % 8 !== 0 || len <= 2) clean = bad(p);
        else if (opts) {
          const blocks: Array<[number, number]> = [];
          for (let b = i + 2; b < i + len; b += 8) blocks.push([u32(d, b), u32(d, b + 4)]);
          opts.sack = blocks;
        }
        break;
      case 8:
        if (len !== 10) clean = bad(p);
        else if (opts) {
          opts.tsval = u32(d, i + 2);
          opts.tsecr = u32(d, i + 6);
        }
        break;
      default:
        break;
    }
    i += len;
  }
  return clean;
}
