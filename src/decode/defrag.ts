/**
 * IP fragment reassembly (IPv4 and IPv6), mainly so that large DNS answers sent as fragmented UDP
 * are seen whole. decodePacket flags fragments and leaves their transport layer alone; feed every
 * decoded packet here and use what comes back:
 *   - not a fragment → the same packet;
 *   - a fragment that completes its datagram → a new DecodedPacket (time and frame of the last
 *     fragment, `fragments` listing the frames) whose tcp/udp are decoded from the whole datagram;
 *   - any other fragment → null (held, copied, until complete).
 * Memory is bounded: at most `maxDatagrams` datagrams in progress of at most 65535 bytes each;
 * datagrams older than `timeoutSec` (capture time) are dropped, the oldest first when full.
 * Overlapping fragments that disagree drop the datagram with IP_fragment_overlap (a classic
 * evasion trick; legitimate stacks do not send them).
 */
import type { DecodedPacket } from './types.js';
import { IpHeaderView } from './headers.js';
import { addAnomaly, NO_ANOMALIES } from './anomalies.js';
import { decodeTcp } from './tcp.js';
import { decodeUdp } from './udp.js';
import { IPPROTO_TCP, IPPROTO_UDP } from './protocols.js';

export const IP_fragment_overlap = 'IP_fragment_overlap';
export const IP_fragment_too_large = 'IP_fragment_too_large';

interface Piece { offset: number; bytes: Uint8Array; frame: number }
interface Pending {
  first: number;
  pieces: Piece[];
  total: number | null;
  headerLength: number;
  ttl: number;
}

export interface DefragOptions {
  maxDatagrams?: number;
  timeoutSec?: number;
}

const MAX_DATAGRAM = 65535;

export class Defragmenter {
  private readonly pending = new Map<string, Pending>();
  private readonly max: number;
  private readonly timeout: number;
  /** Datagrams given up on (timeout, overflow, overlap). */
  dropped = 0;

  constructor(opts: DefragOptions = {}) {
    this.max = opts.maxDatagrams ?? 256;
    this.timeout = opts.timeoutSec ?? 30;
  }

  push(p: DecodedPacket): DecodedPacket | null {
    const ip = p.ip;
    if (!ip || !ip.fragment) return p;
    const f = ip.fragment;
    const key = `${ip.version}|${ip.src.join('.')}|${ip.dst.join('.')}|${ip.protocol}|${f.id}`;
    this.expire(p.t);
    let d = this.pending.get(key);
    if (!d) {
      if (this.pending.size >= this.max) {
        const oldest = this.pending.keys().next().value as string;
        this.pending.delete(oldest);
        this.dropped++;
      }
      d = { first: p.t, pieces: [], total: null, headerLength: ip.headerLength, ttl: ip.ttl };
      this.pending.set(key, d);
    }
    const bytes = ip.payload;
    const end = f.offset + bytes.length;
    if (end > MAX_DATAGRAM) {
      addAnomaly(p, IP_fragment_too_large);
      this.drop(key);
      return null;
    }
    for (const q of d.pieces) {
      const qEnd = q.offset + q.bytes.length;
      if (f.offset < qEnd && q.offset < end) {
        // Overlap: accept an exact duplicate (a retransmitted fragment), refuse anything else.
        const same = q.offset === f.offset && q.bytes.length === bytes.length && q.bytes.every((b, i) => b === bytes[i]);
        if (same) return null;
        addAnomaly(p, IP_fragment_overlap);
        this.drop(key);
        return null;
      }
    }
    d.pieces.push({ offset: f.offset, bytes: bytes.slice(), frame: p.frame });
    if (f.offset === 0) d.headerLength = ip.headerLength;
    if (!f.moreFragments) d.total = end;
    if (d.total === null) return null;
    let have = 0;
    for (const q of d.pieces) have += q.bytes.length;
    if (have !== d.total) return null;

    this.pending.delete(key);
    return this.assemble(p, d);
  }

  private assemble(last: DecodedPacket, d: Pending): DecodedPacket {
    const ip = last.ip!;
    const n = ip.version === 4 ? 4 : 16;
    const buf = new Uint8Array(2 * n + d.total!);
    buf.set(ip.src, 0);
    buf.set(ip.dst, n);
    for (const q of d.pieces) buf.set(q.bytes, 2 * n + q.offset);
    const whole = new IpHeaderView(buf, ip.version, 0, ip.protocol, d.ttl, ip.id, null, d.headerLength, 2 * n, buf.length, d.total!);
    const out: DecodedPacket = {
      ...last,
      ip: whole,
      tcp: null,
      udp: null,
      truncated: false,
      anomalies: NO_ANOMALIES,
      fragments: d.pieces.map((q) => q.frame).sort((a, b) => a - b),
    };
    if (ip.protocol === IPPROTO_TCP) decodeTcp(buf, 2 * n, buf.length, d.total!, out, false);
    else if (ip.protocol === IPPROTO_UDP) decodeUdp(buf, 2 * n, buf.length, d.total!, out, false);
    return out;
  }

  private drop(key: string): void {
    this.pending.delete(key);
    this.dropped++;
  }

  private expire(now: number): void {
    for (const [k, d] of this.pending) {
      if (now - d.first <= this.timeout) break; // insertion order ≈ time order
      this.pending.delete(k);
      this.dropped++;
    }
  }

  /** Datagrams still incomplete. */
  get inProgress(): number {
    return this.pending.size;
  }
}
