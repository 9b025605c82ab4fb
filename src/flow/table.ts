import type { IpHeader, TcpSegment } from '../decode/types.js';
import { IpHeaderView } from '../decode/headers.js';
import { TcpConnection, type Dir } from './connection.js';

/**
 * The TCP connection table: finds a packet's connection by its 4-tuple (either direction) and
 * starts a new entry for a new connection on a reused 4-tuple. Keys are 32-bit hashes of the
 * addresses and ports (no per-packet strings); entries in a bucket are compared byte for byte. A
 * bucket is a chain through the connections' `nextInBucket` (no array per connection).
 * VLAN tags are not part of the key (as in tshark).
 */
export class ConnectionTable {
  /** Every connection in the order it was first seen. */
  readonly all: TcpConnection[] = [];
  /** The first connection of each hash's chain. */
  private readonly buckets = new Map<number, TcpConnection>();

  /** Segments of 4-tuples not tracked because the table was full. */
  untracked = 0;

  /**
   * `maxConnections` bounds memory on hostile captures (a SYN flood from random ports): past it,
   * segments of new 4-tuples are counted in `untracked` and `lookup` returns null.
   */
  constructor(private readonly onNew?: (conn: TcpConnection) => void, private readonly maxConnections = 200_000) {}

  /** Direction of the segment last routed by `lookup` (0 client → server, 1 server → client). */
  dir: Dir = 0;

  /** The connection `lookup` returned last: consecutive segments are mostly of one connection. */
  private last: TcpConnection | null = null;

  /** Route a segment; returns its connection and sets `dir` (no object per packet). */
  lookup(srcIp: Uint8Array, dstIp: Uint8Array, seg: TcpSegment, t: number, frame: number): TcpConnection | null {
    if (srcIp.length !== dstIp.length) {
      // Addresses of different lengths (not from one IP header): compared whole, as `direction` does.
      return this.route(srcIp, 0, dstIp, 0, -1, seg, t, frame);
    }
    return this.route(srcIp, 0, dstIp, 0, srcIp.length, seg, t, frame);
  }

  /**
   * `lookup` for a decoded IP header: reads the addresses in place when the header is a view into
   * the capture buffer (no typed-array view per packet).
   */
  lookupIp(ip: IpHeader, seg: TcpSegment, t: number, frame: number): TcpConnection | null {
    if (ip instanceof IpHeaderView) return this.lookupAt(ip.addrBytes, ip.addrOffset, ip.version === 4 ? 4 : 16, seg, t, frame);
    return this.lookup(ip.src, ip.dst, seg, t, frame);
  }

  /**
   * `lookup` for addresses of `n` bytes (4 or 16) that lie in `b`, the source at `o` and the
   * destination right after it (an IP header in the capture buffer), compared where they lie.
   */
  lookupAt(b: Uint8Array, o: number, n: number, seg: TcpSegment, t: number, frame: number): TcpConnection | null {
    return this.route(b, o, b, o + n, n, seg, t, frame);
  }

  /**
   * The connection of a segment whose addresses lie in `b` (source at `o`, destination right after
   * it, `n` bytes each), without starting one: null when its 4-tuple is not in the table. For a
   * segment that cannot start a connection (no SYN): the fast lane of ConversationBuilder.addRaw.
   * Sets `dir` like `lookup`.
   */
  find(b: Uint8Array, o: number, n: number, sp: number, dp: number): TcpConnection | null {
    return this.locate(b, o, b, o + n, n, sp, dp);
  }

  /**
   * The entry of this 4-tuple (either direction), the previous packet's first; null when there is
   * none. Sets `dir` and makes the entry the one checked first next time.
   */
  private locate(sb: Uint8Array, so: number, db: Uint8Array, dOff: number, n: number, sp: number, dp: number): TcpConnection | null {
    const last = this.last;
    if (last !== null) {
      const dir = last.directionAt(sb, so, db, dOff, n, sp, dp);
      if (dir >= 0) {
        this.dir = dir as Dir;
        return last;
      }
    }
    let c = this.buckets.get(n < 0 ? tupleHash(sb, sp, db, dp) : tupleHashAt(sb, so, db, dOff, n, sp, dp)) ?? null;
    for (; c !== null; c = c.nextInBucket) {
      const dir = c.directionAt(sb, so, db, dOff, n, sp, dp);
      if (dir < 0) continue;
      this.dir = dir as Dir;
      this.last = c;
      return c;
    }
    return null;
  }

  private route(
    sb: Uint8Array, so: number, db: Uint8Array, dOff: number, n: number, seg: TcpSegment, t: number, frame: number,
  ): TcpConnection | null {
    const sp = seg.srcPort;
    const dp = seg.dstPort;
    const known = this.locate(sb, so, db, dOff, n, sp, dp);
    if (known !== null) return this.found(known, this.dir, sb, so, db, dOff, n, seg, t, frame);
    if (this.all.length >= this.maxConnections) {
      this.untracked++;
      return null;
    }
    const key = n < 0 ? tupleHash(sb, sp, db, dp) : tupleHashAt(sb, so, db, dOff, n, sp, dp);
    const srcIp = n < 0 ? sb : sb.subarray(so, so + n);
    const dstIp = n < 0 ? db : db.subarray(dOff, dOff + n);
    const conn = this.create(srcIp, dstIp, seg, t, frame);
    // (Chained at the end: the older connections of a hash are found first, as they were before.)
    const head = this.buckets.get(key);
    if (head === undefined) this.buckets.set(key, conn);
    else {
      let tail = head;
      while (tail.nextInBucket !== null) tail = tail.nextInBucket;
      tail.nextInBucket = conn;
    }
    this.dir = conn.direction(srcIp, sp, dstIp, dp) as Dir;
    this.last = conn;
    return conn;
  }

  /** A segment of connection `c`: a new connection in its place on port reuse. */
  private found(
    c: TcpConnection, dir: Dir,
    sb: Uint8Array, so: number, db: Uint8Array, dOff: number, n: number, seg: TcpSegment, t: number, frame: number,
  ): TcpConnection {
    if (c.startsNew(seg, dir) && this.all.length < this.maxConnections) {
      c.release();
      const srcIp = n < 0 ? sb : sb.subarray(so, so + n);
      const dstIp = n < 0 ? db : db.subarray(dOff, dOff + n);
      const fresh = this.create(srcIp, dstIp, seg, t, frame);
      // In c's place in its chain.
      const key = tupleHash(srcIp, seg.srcPort, dstIp, seg.dstPort);
      const head = this.buckets.get(key)!;
      fresh.nextInBucket = c.nextInBucket;
      c.nextInBucket = null;
      if (head === c) this.buckets.set(key, fresh);
      else {
        let prev = head;
        while (prev.nextInBucket !== c) prev = prev.nextInBucket!;
        prev.nextInBucket = fresh;
      }
      this.dir = 0;
      this.last = fresh;
      return fresh;
    }
    return c;
  }

  private create(srcIp: Uint8Array, dstIp: Uint8Array, seg: TcpSegment, t: number, frame: number): TcpConnection {
    const conn = new TcpConnection(this.all.length, srcIp, seg.srcPort, dstIp, seg.dstPort, seg, t, frame);
    this.all.push(conn);
    this.onNew?.(conn);
    return conn;
  }
}

/**
 * Direction-independent 30-bit hash of a 4-tuple. Thirty bits, not 32: V8 keeps an integer below
 * 2^30 as a small integer, so that the bucket Map's key is one and every lookup is a small-integer
 * hash; a 32-bit hash is a heap number three times in four, boxed for each Map lookup (an
 * allocation per packet in optimised code) and kept as one more object per connection.
 */
export function tupleHash(aIp: Uint8Array, aPort: number, bIp: Uint8Array, bPort: number): number {
  const ha = endpointHash(aIp, aPort);
  const hb = endpointHash(bIp, bPort);
  return (Math.imul(ha ^ hb, 0x9e3779b1) + (ha + hb)) & 0x3fffffff;
}

/** `tupleHash` of addresses of `n` bytes read in place (sb[so..], db[dOff..]). */
function tupleHashAt(sb: Uint8Array, so: number, db: Uint8Array, dOff: number, n: number, sp: number, dp: number): number {
  const ha = endpointHashAt(sb, so, n, sp);
  const hb = endpointHashAt(db, dOff, n, dp);
  return (Math.imul(ha ^ hb, 0x9e3779b1) + (ha + hb)) & 0x3fffffff;
}

function endpointHashAt(b: Uint8Array, o: number, n: number, port: number): number {
  let h = 0x811c9dc5 ^ port;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ b[o + i], 0x01000193);
  return Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) | 0;
}

function endpointHash(ip: Uint8Array, port: number): number {
  let h = 0x811c9dc5 ^ port;
  for (let i = 0; i < ip.length; i++) h = Math.imul(h ^ ip[i], 0x01000193);
  return Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) | 0;
}
