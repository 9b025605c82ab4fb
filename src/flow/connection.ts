import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../decode/types.js';
import type { TcpSegment } from '../decode/types.js';
import type { ConnectionRecord } from '../report/schema.js';
import { DirectionState, isRetransmission, NO_SEQ, OOO_THRESHOLD, SegmentLabel } from './analysis.js';
import { formatEndpointAt } from '../decode/address.js';
import { connState, History, HistoryEvent } from './history.js';
import { StreamReassembler, type BufferBudget, type StreamSink } from './reassembly.js';
import { seqAdd, seqDiff, seqMax } from './seq.js';
import { acknowledged, unackedRecord } from './unacked.js';
import { WaitTracker } from './waits.js';

/** At most this many SYN times are kept per connection (a SYN flood on one 4-tuple stays small). */
const MAX_SYNS = 64;

/** Direction index: 0 = client → server, 1 = server → client. */
export type Dir = 0 | 1;

/** An empty array of times whose elements V8 stores as doubles whatever comes first (see `syns`). */
function emptyTimes(): number[] {
  return [NaN].slice(0, 0);
}

/**
 * One TCP connection: roles, handshake, teardown, per-direction sequence analysis, byte counts,
 * idle time, Zeek history, and (when a protocol parser is attached) the two reassembled streams.
 * All times are seconds since the builder's t0.
 */
export class TcpConnection {
  /**
   * The client's address then the server's, in one array (4 or 16 bytes each). One array rather
   * than two, and one object per direction below rather than a pair in an array: every object a
   * connection holds is one more for the young generation to copy while the connection lives,
   * and a capture holds a few thousand connections (docs/performance.md, session 11).
   */
  private readonly ips: Uint8Array;
  /** Where the server's address begins in `ips`: the client address's length. */
  private readonly split: number;
  readonly clientPort: number;
  readonly serverPort: number;
  readonly rolesGuessed: boolean;
  /** Sequence analysis and byte counts of what the client sent, and of what the server sent. */
  readonly fromClient = new DirectionState();
  readonly fromServer = new DirectionState();
  readonly history = new History();
  readonly waits = new WaitTracker();
  /** The reassembled stream of each direction, while a parser wants it. */
  clientStream: StreamReassembler | null = null;
  serverStream: StreamReassembler | null = null;
  /** The next connection with the same 4-tuple hash (ConnectionTable's buckets). */
  nextInBucket: TcpConnection | null = null;

  /**
   * SYN send times. An array V8 keeps as unboxed doubles from the start: a capture's first packet
   * is at exactly 0 (times count from it), and as the first element of an array made by `[]` a 0
   * makes an array of small integers, which the next time converts, throwing away the optimised
   * code that handled the first kind (seen on a capture that begins with a SYN).
   */
  syns: number[] = emptyTimes();
  synCount = 0;
  synAck: number | null = null;
  established: number | null = null;
  reset: { t: number; by: 'client' | 'server' } | null = null;
  /** When each side sent its first FIN (NaN until it did). */
  private clientFin = NaN;
  private serverFin = NaN;
  /** Capture times; NaN until the constructor sets them, so that V8 lays the fields out for doubles. */
  firstPacket = NaN;
  lastPacket = NaN;
  firstFrame: number;
  lastFrame: number;
  retransmits = 0;
  fastRetransmits = 0;
  zeroWindows = 0;
  keepAlives = 0;
  outOfOrder = 0;
  /**
   * The longest gap between two packets of the connection: when it began and how long it was
   * (NaN until there is one). Two number fields rather than an object made anew each time the gap
   * grows: no allocation, and no object whose first start (0, a small integer) would give its
   * field a layout the next start (a fraction) changes.
   */
  private idleStart = NaN;
  private idleSeconds = NaN;

  /** Handshake RTT (SYN → client ACK of the SYN-ACK), once known. */
  private rtt: number | null = null;
  private synAckSeq: number | null = null;
  private closedAt: number | null = null;
  /** The highest server sequence number the client acknowledged (NO_SEQ before its first ACK). */
  private ackedServer = NO_SEQ;
  /** Server bytes the client acknowledged that the capture does not hold (see `unseen`). */
  private unseenBytes = 0;
  private unseenLast = NaN;

  constructor(
    readonly index: number,
    srcIp: Uint8Array,
    srcPort: number,
    dstIp: Uint8Array,
    dstPort: number,
    seg: TcpSegment,
    t: number,
    frame: number,
  ) {
    // Roles: the SYN's sender is the client; a SYN-ACK's sender the server; otherwise guess from
    // ports (the lower port is the server's, as well-known ports are low).
    const syn = (seg.flags & TCP_SYN) !== 0;
    const ack = (seg.flags & TCP_ACK) !== 0;
    let senderIsClient: boolean;
    if (syn) senderIsClient = !ack;
    else senderIsClient = srcPort > dstPort || (srcPort === dstPort && compareBytes(srcIp, dstIp) > 0);
    this.rolesGuessed = !syn;
    const client = senderIsClient ? srcIp : dstIp;
    const ips = new Uint8Array(srcIp.length + dstIp.length);
    ips.set(client, 0);
    ips.set(senderIsClient ? dstIp : srcIp, client.length);
    this.ips = ips;
    this.split = client.length;
    this.clientPort = senderIsClient ? srcPort : dstPort;
    this.serverPort = senderIsClient ? dstPort : srcPort;
    this.firstPacket = this.lastPacket = t;
    this.firstFrame = this.lastFrame = frame;
  }

  /** The client's address (a copy). */
  get clientIp(): Uint8Array {
    return this.ips.slice(0, this.split);
  }

  get serverIp(): Uint8Array {
    return this.ips.slice(this.split);
  }

  /** 0 when src is the client, 1 when src is the server, -1 when this is another 4-tuple. */
  direction(srcIp: Uint8Array, srcPort: number, dstIp: Uint8Array, dstPort: number): -1 | Dir {
    const ips = this.ips;
    const split = this.split;
    const cn = split;
    const sn = ips.length - split;
    if (srcPort === this.clientPort && dstPort === this.serverPort && srcIp.length === cn && dstIp.length === sn &&
      sameAt(srcIp, 0, ips, 0, cn) && sameAt(dstIp, 0, ips, split, sn)) return 0;
    if (srcPort === this.serverPort && dstPort === this.clientPort && srcIp.length === sn && dstIp.length === cn &&
      sameAt(srcIp, 0, ips, split, sn) && sameAt(dstIp, 0, ips, 0, cn)) return 1;
    return -1;
  }

  /** The state of what one direction sent: 0 the client's, 1 the server's. */
  sent(dir: Dir): DirectionState {
    return dir === 0 ? this.fromClient : this.fromServer;
  }

  stream(dir: Dir): StreamReassembler | null {
    return dir === 0 ? this.clientStream : this.serverStream;
  }

  private setStream(dir: Dir, s: StreamReassembler | null): void {
    if (dir === 0) this.clientStream = s;
    else this.serverStream = s;
  }

  /**
   * `direction` with the addresses read in place: source at sb[so..so+n), destination at
   * db[dOff..dOff+n); `n` < 0 means sb and db are the whole addresses, of different lengths.
   */
  directionAt(sb: Uint8Array, so: number, db: Uint8Array, dOff: number, n: number, srcPort: number, dstPort: number): -1 | Dir {
    if (n < 0) return this.direction(sb, srcPort, db, dstPort);
    const ips = this.ips;
    if (n !== this.split || ips.length !== n + n) return -1;
    if (srcPort === this.clientPort && dstPort === this.serverPort &&
      sameAt(sb, so, ips, 0, n) && sameAt(db, dOff, ips, n, n)) return 0;
    if (srcPort === this.serverPort && dstPort === this.clientPort &&
      sameAt(sb, so, ips, n, n) && sameAt(db, dOff, ips, 0, n)) return 1;
    return -1;
  }

  /** Handshake round-trip time (SYN to the client's ACK of the SYN-ACK), when seen. */
  get handshakeRtt(): number | null {
    return this.rtt;
  }

  get closed(): number | null {
    return this.closedAt;
  }

  /** The longest gap between two packets, when there was one. */
  get longestIdle(): { start: number; seconds: number } | null {
    return this.idleSeconds === this.idleSeconds ? { start: this.idleStart, seconds: this.idleSeconds } : null;
  }

  /** Closed by RST, or both sides sent FIN. */
  get isClosed(): boolean {
    return this.closedAt !== null;
  }

  /** Attach a parser to each direction's ordered byte stream; `budget` is shared by all streams. */
  attach(client: StreamSink | null, server: StreamSink | null, budget?: BufferBudget): void {
    this.clientStream = this.reassembler(0, client, budget);
    this.serverStream = this.reassembler(1, server, budget);
  }

  /** A reassembler feeding `sink` (none without one), started at the ISN when the SYN was seen. */
  private reassembler(dir: Dir, sink: StreamSink | null, budget?: BufferBudget): StreamReassembler | null {
    if (sink === null) return null;
    const s = new StreamReassembler(sink, undefined, budget);
    const isn = this.sent(dir).isn;
    if (isn !== null) s.start(seqAdd(isn, 1));
    return s;
  }

  /** Stop reassembling one direction (its parser needs nothing more). */
  detach(dir: Dir): void {
    this.stream(dir)?.release();
    this.setStream(dir, null);
  }

  /** Would this segment start a new connection on the same 4-tuple (port reuse)? */
  startsNew(seg: TcpSegment, dir: Dir): boolean {
    if ((seg.flags & (TCP_SYN | TCP_ACK | TCP_RST)) !== TCP_SYN) return false;
    if (this.closedAt !== null) return true;
    const bytes = this.fromClient.bytes + this.fromServer.bytes;
    if (dir === 1) return bytes > 0 || this.syns.length > 0;
    const isn = this.fromClient.isn;
    if (isn !== null) return isn !== seg.seq;
    return bytes > 0;
  }

  add(seg: TcpSegment, dir: Dir, t: number, frame: number): void {
    const fromClient = dir === 0;
    const gap = t - this.lastPacket;
    if (gap > 0 && !(gap <= this.idleSeconds)) { // (no gap yet: idleSeconds is NaN)
      this.idleStart = this.lastPacket;
      this.idleSeconds = gap;
    }
    if (t > this.lastPacket) this.lastPacket = t;
    if (t < this.firstPacket) this.firstPacket = t;
    this.lastFrame = frame;

    const flags = seg.flags;
    const syn = (flags & TCP_SYN) !== 0;
    const ack = (flags & TCP_ACK) !== 0;
    const rst = (flags & TCP_RST) !== 0;
    const fin = (flags & TCP_FIN) !== 0;
    const fwd = fromClient ? this.fromClient : this.fromServer;
    const rev = fromClient ? this.fromServer : this.fromClient;

    if (syn && !ack && fromClient) {
      this.synCount++;
      if (this.syns.length < MAX_SYNS) this.syns.push(t);
      this.history.add(true, HistoryEvent.Syn);
    } else if (syn && ack && !fromClient) {
      if (this.synAck === null) this.synAck = t;
      this.synAckSeq = seg.seq;
      this.history.add(false, HistoryEvent.SynAck);
    } else if (syn) {
      this.history.add(fromClient, ack ? HistoryEvent.SynAck : HistoryEvent.Syn);
    }
    if (fromClient && ack && !syn && this.established === null && this.synAckSeq !== null &&
      seg.ack === seqAdd(this.synAckSeq, 1)) {
      this.established = t;
      if (this.syns.length > 0) this.rtt = t - this.syns[this.syns.length - 1];
    }
    if (fromClient && ack && !syn && !rst) this.clientAck(seg.ack, t);

    const acked = fwd.lastAck;
    const label = fwd.inOrder(flags, seg.seq, seg.ack, seg.window, seg.payloadLength, rev.window, t) ? SegmentLabel.None
      : fwd.analyze(flags, seg.seq, seg.ack, seg.window, seg.payloadLength, rev, t, this.rtt !== null && this.rtt > 0 ? this.rtt : OOO_THRESHOLD);
    const newBytes = fwd.newBytes;
    if (fwd.lastAck !== acked) acknowledged(rev, acked, fwd.lastAck, t);
    if (isRetransmission(label)) {
      this.retransmits++;
      if (label === SegmentLabel.FastRetransmission) this.fastRetransmits++;
      if (seg.payloadLength > 0) {
        this.history.add(fromClient, HistoryEvent.Retransmit);
        if (label !== SegmentLabel.SpuriousRetransmission) fwd.resends++;
      }
    } else if (label === SegmentLabel.KeepAlive) this.keepAlives++;
    else if (label === SegmentLabel.OutOfOrder) this.outOfOrder++;
    if (seg.window === 0 && !syn && !fin && !rst) {
      this.zeroWindows++;
      this.history.add(fromClient, HistoryEvent.ZeroWindow);
    }

    if (seg.payloadLength > 0) {
      this.history.add(fromClient, HistoryEvent.Data);
      // Parsers first: what they see (e.g. the end of the TLS handshake) decides whether this
      // segment already counts for the waits.
      const stream = fromClient ? this.clientStream : this.serverStream;
      this.waits.resetMarks();
      if (stream) {
        if (syn && fwd.isn === seg.seq) stream.start(seqAdd(seg.seq, 1));
        stream.push(syn ? seqAdd(seg.seq, 1) : seg.seq, seg.payload, seg.payloadLength, t, frame);
        if (!stream.isActive) this.setStream(dir, null);
      }
      if (newBytes > 0) {
        fwd.bytes += newBytes;
        if (fwd.firstPayload !== fwd.firstPayload) fwd.firstPayload = t; // NaN: none yet
        if (fwd.unackedSince !== fwd.unackedSince) fwd.unackedSince = t;
        fwd.lastPayload = t;
        this.waits.payload(fromClient, t, newBytes);
      }
    } else if (ack && !syn && !fin && !rst) {
      this.history.add(fromClient, HistoryEvent.Ack);
    }
    if (syn && fwd.isn === seg.seq) this.stream(dir)?.start(seqAdd(seg.seq, 1));

    if (fin) {
      if (!fromClient) this.waits.serverDone = true;
      this.history.add(fromClient, HistoryEvent.Fin);
      if (fromClient) {
        if (this.clientFin !== this.clientFin) this.clientFin = t; // (NaN: the first)
      } else if (this.serverFin !== this.serverFin) this.serverFin = t;
      this.stream(dir)?.end(t);
      if (this.clientFin === this.clientFin && this.serverFin === this.serverFin && this.closedAt === null) {
        this.closedAt = Math.max(this.clientFin, this.serverFin);
        this.release();
      }
    }
    if (rst) {
      this.history.add(fromClient, HistoryEvent.Rst);
      this.waits.serverDone = true;
      if (this.reset === null) {
        this.reset = { t, by: fromClient ? 'client' : 'server' };
        if (this.closedAt === null) this.closedAt = t;
        this.release();
      }
    }
  }

  /**
   * A client ACK. After a SYN whose SYN-ACK the capture missed, the first one shows the connection
   * set up: it is `established` (synAck stays null, the handshake RTT unknown). An ACK beyond the
   * server bytes seen acknowledges bytes the capture missed (one direction captured, or packets
   * lost by the capture): they answer an open wait (docs/tcp-analysis.md, "Connections").
   */
  private clientAck(ack: number, t: number): void {
    if (this.established === null && this.synAckSeq === null && this.syns.length > 0) this.established = t;
    const seen = this.fromServer.nextSeq;
    const prev = this.ackedServer;
    this.ackedServer = prev === NO_SEQ ? ack : seqMax(prev, ack);
    // Where the server's stream stood: its bytes seen, else the first ACK (the server's ISN + 1).
    const from = seen === NO_SEQ ? prev : prev === NO_SEQ ? seen : seqMax(prev, seen);
    if (from === NO_SEQ) return;
    const missed = seqDiff(ack, from);
    // One sequence number may be a FIN the capture missed, not data.
    if (missed <= 1) return;
    this.unseenBytes += missed;
    this.unseenLast = t;
    this.waits.payload(false, t, missed);
  }

  /** Flush and drop the reassembly buffers (connection closed or capture ended). */
  release(): void {
    const c = this.clientStream;
    const s = this.serverStream;
    this.clientStream = this.serverStream = null;
    if (c) {
      c.flush();
      c.release();
    }
    if (s) {
      s.flush();
      s.release();
    }
  }

  /** When an unanswered request stopped waiting: the first FIN or RST from either side, or `end`. */
  private waitEnd(end: number): number {
    let e = end;
    if (this.clientFin < e) e = this.clientFin; // (false for NaN)
    if (this.serverFin < e) e = this.serverFin;
    if (this.reset !== null && this.reset.t < e) e = this.reset.t;
    return e;
  }

  toRecord(uid: string, end: number, extra: Pick<ConnectionRecord, 'tls' | 'http' | 'proxyConnect'>): ConnectionRecord {
    // Nested objects made apart from the record's literal (V8's baseline code copies a literal
    // with nested literals by a slow runtime walk; this runs once per connection).
    const c = this.fromClient;
    const s = this.fromServer;
    const bytes = { client: c.bytes, server: s.bytes };
    const firstPayload = { client: timeOrNull(c.firstPayload), server: timeOrNull(s.firstPayload) };
    const lastPayload = { client: timeOrNull(c.lastPayload), server: timeOrNull(s.lastPayload) };
    const frames = { first: this.firstFrame, last: this.lastFrame };
    const record: ConnectionRecord = {
      uid,
      client: formatEndpointAt(this.ips, 0, this.split, this.clientPort),
      server: formatEndpointAt(this.ips, this.split, this.ips.length - this.split, this.serverPort),
      ipVersion: this.split === 16 ? 6 : 4,
      rolesGuessed: this.rolesGuessed,
      syns: this.syns.slice(),
      synAck: this.synAck,
      established: this.established,
      reset: this.reset,
      closed: this.closedAt,
      firstPacket: this.firstPacket,
      lastPacket: this.lastPacket,
      retransmits: this.retransmits,
      fastRetransmits: this.fastRetransmits,
      zeroWindows: this.zeroWindows,
      keepAlives: this.keepAlives,
      longestIdle: this.longestIdle,
      bytes,
      firstPayload,
      lastPayload,
      history: this.history.toString(),
      state: connState(this.history),
      tls: extra.tls,
      http: extra.http,
      proxyConnect: extra.proxyConnect,
      waits: this.waits.finish(this.waitEnd(end)),
      frames,
    };
    if (this.unseenBytes > 0) record.ackedUnseen = { bytes: this.unseenBytes, last: this.unseenLast };
    const unacked = unackedRecord(this.fromClient, this.fromServer);
    if (unacked) record.unacked = unacked;
    return record;
  }
}

function timeOrNull(t: number): number | null {
  return Number.isNaN(t) ? null : t;
}

/** Do b[o..o+n) and ips[io..io+n) hold the same bytes? */
function sameAt(b: Uint8Array, o: number, ips: Uint8Array, io: number, n: number): boolean {
  for (let i = n - 1; i >= 0; i--) if (b[o + i] !== ips[io + i]) return false;
  return true;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length && i < b.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}
