import type { TcpSegment } from '../decode/types.js';
import { TcpConnection, type Dir } from './connection.js';

/**
 * The TCP connection table: finds a packet's connection by its 4-tuple (either direction) and
 * starts a new entry for a new connection on a reused 4-tuple. Keys are 32-bit hashes of the
 * addresses and ports (no per-packet strings); entries in a bucket are compared byte for byte.
 * VLAN tags are not part of the key (as in tshark).
 */
export class ConnectionTable {
  /** Every connection in the order it was first seen. */
  readonly all: TcpConnection[] = [];
  private readonly buckets = new Map<number, TcpConnection[]>();

  /** Segments of 4-tuples not tracked because the table was full. */
  untracked = 0;

  /**
   * `maxConnections` bounds memory on hostile captures (a SYN flood from random ports): past it,
   * segments of new 4-tuples are counted in `untracked` and `lookup` returns null.
   */
  constructor(private readonly onNew?: (conn: TcpConnection) => void, private readonly maxConnections = 200_000) {}

  /** Direction of the segment last routed by `lookup` (0 client → server, 1 server → client). */
  dir: Dir = 0;

  /** Route a segment; returns its connection and sets `dir` (no object per packet). */
  lookup(srcIp: Uint8Array, dstIp: Uint8Array, seg: TcpSegment, t: number, frame: number): TcpConnection | null {
    const key = tupleHash(srcIp, seg.srcPort, dstIp, seg.dstPort);
    let bucket = this.buckets.get(key);
    if (bucket) {
      for (let i = 0; i < bucket.length; i++) {
        const c = bucket[i];
        const dir = c.direction(srcIp, seg.srcPort, dstIp, seg.dstPort);
        if (dir < 0) continue;
        if (c.startsNew(seg, dir as Dir) && this.all.length < this.maxConnections) {
          c.release();
          const fresh = this.create(srcIp, dstIp, seg, t, frame);
          bucket[i] = fresh;
          this.dir = 0;
          return fresh;
        }
        this.dir = dir as Dir;
        return c;
      }
    }
    if (this.all.length >= this.maxConnections) {
      this.untracked++;
      return null;
    }
    if (!bucket) {
      bucket = [];
      this.buckets.set(key, bucket);
    }
    const conn = this.create(srcIp, dstIp, seg, t, frame);
    bucket.push(conn);
    this.dir = conn.direction(srcIp, seg.srcPort, dstIp, seg.dstPort) as Dir;
    return conn;
  }

  private create(srcIp: Uint8Array, dstIp: Uint8Array, seg: TcpSegment, t: number, frame: number): TcpConnection {
    const conn = new TcpConnection(this.all.length, srcIp, seg.srcPort, dstIp, seg.dstPort, seg, t, frame);
    this.all.push(conn);
    this.onNew?.(conn);
    return conn;
  }
}

/** Direction-independent 32-bit hash of a 4-tuple. */
export function tupleHash(aIp: Uint8Array, aPort: number, bIp: Uint8Array, bPort: number): number {
  const ha = endpointHash(aIp, aPort);
  const hb = endpointHash(bIp, bPort);
  return (Math.imul(ha ^ hb, 0x9e3779b1) + (ha + hb)) | 0;
}

function endpointHash(ip: Uint8Array, port: number): number {
  let h = 0x811c9dc5 ^ port;
  for (let i = 0; i < ip.length; i++) h = Math.imul(h ^ ip[i], 0x01000193);
  return Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) | 0;
}
