/**
 * TCP for the redactor. Connections are tracked with src/flow's ConnectionTable and TcpConnection
 * (so 4-tuple reuse, client/server roles and the end of reassembly are decided exactly as the
 * analyzer decides them), each direction reassembled by the flow's StreamReassembler, and the
 * ordered bytes walked (TLS, HTTP, CONNECT) into a StreamPlan per direction. A second pass replays
 * the same table to find, for each packet, its direction's plan and the stream offset of its
 * first payload byte.
 */
import type { DecodedPacket, TcpSegment } from '../decode/types.js';
import { TCP_SYN } from '../decode/types.js';
import { ConnectionTable } from '../flow/table.js';
import type { TcpConnection } from '../flow/connection.js';
import { BufferBudget } from '../flow/reassembly.js';
import { seqAdd, seqDiff } from '../flow/seq.js';
import { looksLikeTls } from '../protocols/tls.js';
import { looksLikeHttpRequest } from '../protocols/http.js';
import { StreamPlan } from './plan.js';
import { Offsets, type OffsetSink } from './sink.js';
import { TlsWalk } from './tls-walk.js';
import { HttpWalk } from './http-walk.js';
import { SNIFF_BYTES, clearlyNotTlsOrHttp, concatBytes, startsWithAscii } from '../protocols/sniff.js';

const DNS_PORT = 53;
/** Bytes looked at before deciding a stream's protocol (as src/protocols/conversations.ts). */
const MAX_CONNECTIONS = 50_000;

/** What was decided for one connection. */
export interface ConnectionPlan {
  /** DNS over TCP: every byte is kept. */
  keepAll: boolean;
  /** 'tls', 'http', 'dns', or 'other' (everything cut). */
  protocol: 'tls' | 'http' | 'dns' | 'other' | 'undecided';
  plans: [StreamPlan, StreamPlan];
  /** Sequence number of stream offset 0 per direction (null until seen). */
  base: [number | null, number | null];
}

/** Pass 1: build the plans. */
export class TcpPlanner {
  readonly conns: ConnectionPlan[] = [];
  private readonly table: ConnectionTable;
  private readonly budget = new BufferBudget();
  private t0: number | null = null;

  constructor() {
    this.table = new ConnectionTable((conn) => this.setUp(conn), MAX_CONNECTIONS);
  }

  add(p: DecodedPacket): void {
    if (!p.ip || !p.tcp) return;
    if (this.t0 === null) this.t0 = p.t;
    const t = p.t - this.t0;
    const conn = this.table.lookupIp(p.ip, p.tcp, t, p.frame);
    if (!conn) return;
    const dir = this.table.dir;
    noteBase(this.conns[conn.index], dir, p.tcp);
    conn.add(p.tcp, dir, t, p.frame);
  }

  /** End of capture: deliver what reassembly still holds, then the plans are final. */
  finish(): ConnectionPlan[] {
    for (const c of this.table.all) c.release();
    for (const c of this.conns) {
      c.plans[0].finish();
      c.plans[1].finish();
    }
    return this.conns;
  }

  private setUp(conn: TcpConnection): void {
    const plan: ConnectionPlan = { keepAll: false, protocol: 'undecided', plans: [new StreamPlan(), new StreamPlan()], base: [null, null] };
    this.conns[conn.index] = plan;
    if (conn.serverPort === DNS_PORT || conn.clientPort === DNS_PORT) {
      plan.keepAll = true;
      plan.protocol = 'dns';
      return;
    }
    const sniffer = new Sniffer(plan);
    conn.attach(sniffer.client, sniffer.server, this.budget);
  }
}

/** Pass 2: the plan and stream offset of each packet's payload. */
export class TcpLocator {
  private readonly table = new ConnectionTable(undefined, MAX_CONNECTIONS);
  private t0: number | null = null;
  /** Highest offset seen per connection direction (to unwrap 32-bit sequence numbers). */
  private readonly high = new Map<number, [number, number]>();

  constructor(private readonly conns: ConnectionPlan[]) {}

  /** null: not a tracked connection (cut the payload). */
  locate(p: DecodedPacket): { conn: ConnectionPlan; plan: StreamPlan; off: number | null } | null {
    if (!p.ip || !p.tcp) return null;
    if (this.t0 === null) this.t0 = p.t;
    const t = p.t - this.t0;
    const seg = p.tcp;
    const conn = this.table.lookupIp(p.ip, seg, t, p.frame);
    if (!conn) return null;
    const dir = this.table.dir;
    conn.add(seg, dir, t, p.frame);
    const cp = this.conns[conn.index];
    if (!cp) return null;
    const base = cp.base[dir];
    if (base === null) return { conn: cp, plan: cp.plans[dir], off: null };
    const start = (seg.flags & TCP_SYN) !== 0 ? seqAdd(seg.seq, 1) : seg.seq;
    let hi = this.high.get(conn.index);
    if (!hi) {
      hi = [0, 0];
      this.high.set(conn.index, hi);
    }
    // Unwrap: the offset nearest to the highest one seen so far.
    const off = hi[dir] + seqDiff(start, seqAdd(base, hi[dir] % 0x1_0000_0000));
    if (off > hi[dir]) hi[dir] = off;
    return { conn: cp, plan: cp.plans[dir], off };
  }
}

/** The stream's first byte: after the SYN, or the first payload seen (as StreamReassembler starts). */
function noteBase(c: ConnectionPlan | undefined, dir: 0 | 1, seg: TcpSegment): void {
  if (!c || c.base[dir] !== null) return;
  if (seg.flags & TCP_SYN) c.base[dir] = seqAdd(seg.seq, 1);
  else if (seg.payloadLength > 0) c.base[dir] = seg.seq;
}

/**
 * Chooses the walk for a connection from the first bytes, as the analyzer's Sniffer does: TLS
 * record, HTTP request, or an HTTP response when the capture began after the request.
 */
class Sniffer {
  readonly client: Offsets;
  readonly server: Offsets;
  private head: [Uint8Array, Uint8Array] = [EMPTY, EMPTY];
  private headOff: [number, number] = [0, 0];
  private target: [OffsetSink, OffsetSink] | null = null;
  private decided = false;

  constructor(private readonly plan: ConnectionPlan) {
    this.client = new Offsets({ data: (b, off) => this.data(0, b, off), gap: (n, off) => this.gap(0, n, off) });
    this.server = new Offsets({ data: (b, off) => this.data(1, b, off), gap: (n, off) => this.gap(1, n, off) });
  }

  private data(d: 0 | 1, bytes: Uint8Array, off: number): boolean {
    if (this.decided) return this.target ? this.target[d].data(bytes, off) : false;
    // Bytes seen before the protocol is known are zeroed, not cut: the analyzer decides on the
    // first ten bytes of a stream and gives up on a stream that starts with a gap. The walks keep
    // what they keep on top.
    this.plan.plans[d].zero(off, off + bytes.length);
    const held = this.head[d];
    const all = held.length > 0 ? concatBytes(held, bytes) : bytes;
    const allOff = held.length > 0 ? this.headOff[d] : off;
    if (all.length < SNIFF_BYTES && !clearlyNotTlsOrHttp(all)) {
      this.head[d] = all.slice();
      this.headOff[d] = allOff;
      return true;
    }
    this.head[d] = EMPTY;
    if (d === 1 && !looksLikeTls(all) && !startsWithAscii(all, 'HTTP/1.')) {
      // A server banner: wait for the client (its bytes are cut).
      return true;
    }
    this.decided = true;
    if (looksLikeTls(all)) {
      this.plan.protocol = 'tls';
      this.target = [new TlsWalk(this.plan.plans[0], true), new TlsWalk(this.plan.plans[1], false)];
    } else if ((d === 0 && looksLikeHttpRequest(all)) || (d === 1 && startsWithAscii(all, 'HTTP/1.'))) {
      this.plan.protocol = 'http';
      const http = new HttpWalk(this.plan.plans[0], this.plan.plans[1]);
      this.target = [http.client, http.server];
    } else {
      this.plan.protocol = 'other';
      return false;
    }
    const o = d === 0 ? 1 : 0;
    const other = this.head[o];
    if (other.length > 0) {
      this.head[o] = EMPTY;
      this.target[o].data(other, this.headOff[o]);
    }
    return this.target[d].data(all, allOff);
  }

  private gap(d: 0 | 1, n: number, off: number): boolean {
    if (!this.decided) {
      this.decided = true;
      this.plan.protocol = 'other';
      this.head = [EMPTY, EMPTY];
      return false;
    }
    return this.target ? this.target[d].gap(n, off) : false;
  }
}

const EMPTY = new Uint8Array(0);

