import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../decode/types.js';
import { seqAdd, seqDiff } from './seq.js';

/**
 * Per-direction TCP sequence analysis after Wireshark's definitions (docs/tcp-analysis.md).
 * One label per segment; the order of the checks below is the order of precedence.
 */
export const enum SegmentLabel {
  None = 0,
  KeepAlive = 1,
  ZeroWindowProbe = 2,
  FastRetransmission = 3,
  OutOfOrder = 4,
  SpuriousRetransmission = 5,
  Retransmission = 6,
}

/**
 * No sequence number yet: one past the largest (sequence numbers are 0 … 2^32 − 1), so it equals
 * none of them. Not a small integer either, on purpose: a field V8 first sees holding a small
 * integer is laid out for small integers, and the first sequence number above 2^31 then changes
 * its layout, which throws away the optimised code of everything that reads it.
 */
export const NO_SEQ = 2 ** 32;

/** Out-of-order threshold without a measured handshake RTT (Wireshark's default): 3 ms. */
export const OOO_THRESHOLD = 0.003;
/** Fast retransmission must follow the last duplicate ACK within 20 ms. */
export const FAST_RETRANS_WINDOW = 0.02;
/** Holes remembered per direction for counting new bytes; older holes are forgotten. */
const MAX_HOLES = 16;
/** The holes of a direction that has none (see `holes`). */
const NO_HOLES: number[] = [];

export class DirectionState {
  /**
   * Highest seq + length seen (Wireshark's "next expected sequence number"); NO_SEQ until data.
   * (NO_SEQ rather than null keeps this and `lastAck` plain number fields, which V8 updates in
   * place: a field that may hold null boxes every sequence number above 2^30 in a new heap object,
   * one or two per packet.)
   */
  nextSeq = NO_SEQ;
  /** Capture times (NaN before the first): never a small integer, for the same reason as NO_SEQ. */
  nextSeqTime = NaN;
  /** The last acknowledgement number sent in this direction; NO_SEQ before the first ACK. */
  lastAck = NO_SEQ;
  lastAckTime = NaN;
  dupAcks = 0;
  window = -1;
  /** Sequence of the SYN, when seen. */
  isn: number | null = null;
  /** Sequence number of the FIN, when seen. */
  finSeq: number | null = null;
  /** Payload bytes of the last analysed segment that were new (not seen before). */
  newBytes = 0;
  /**
   * The connection's accounting of this direction (TcpConnection): new payload bytes, and the
   * capture times of the first and last of them (NaN before any: plain double fields, updated in place).
   */
  bytes = 0;
  firstPayload = NaN;
  lastPayload = NaN;
  /** Payload the other side has not acknowledged: since when (NaN: none), and re-sends since its ACK last moved (flow/unacked.ts). */
  unackedSince = NaN;
  resends = 0;
  /**
   * Holes [start, end) below nextSeq not yet filled, as a flat array of pairs; NO_HOLES (shared,
   * never added to) until the first, as most directions never have one.
   */
  private holes: number[] = NO_HOLES;

  /**
   * `analyze` for nearly every segment, in fewer steps: one without SYN, FIN or RST that starts where
   * this direction's data left off (in-order data, or a pure ACK). Such a segment gets no label and
   * all of its payload is new. Returns false, changing nothing, for any other segment (a 1-byte
   * segment into a zero window is a probe): call `analyze`. `revWindow` is the other direction's
   * `window`. (Small enough for V8 to inline into the connection's per-packet code, and quick in
   * the interpreter and baseline code that run the first packets of every capture.)
   */
  inOrder(flags: number, seq: number, ack: number, window: number, len: number, revWindow: number, t: number): boolean {
    // The other direction's window is read and compared on every segment, not only on the rare
    // 1-byte one: V8 optimises the connection's per-packet code with this inlined long before a
    // 1-byte segment comes, and a read or comparison it had never seen run threw that code away
    // (a deoptimisation, then thousands of packets in baseline code until it was compiled again).
    const closed = revWindow === 0;
    if ((flags & (TCP_SYN | TCP_FIN | TCP_RST)) !== 0 || seq !== this.nextSeq || (len === 1 && closed)) return false;
    if (len > 0) {
      this.nextSeq = (seq + len) >>> 0;
      this.nextSeqTime = t;
    }
    if ((flags & TCP_ACK) !== 0) this.acknowledge(ack, window, len === 0, t);
    this.window = window;
    this.newBytes = len;
    return true;
  }

  /**
   * Classify a segment sent in this direction (`rev` is the other direction), update state, and
   * return the label; `newBytes` is set to how many payload bytes were new (not seen before).
   * `len` is the payload length on the wire.
   */
  analyze(flags: number, seq: number, ack: number, window: number, len: number, rev: DirectionState, t: number,
    oooThreshold = OOO_THRESHOLD): SegmentLabel {
    const syn = (flags & TCP_SYN) !== 0;
    const fin = (flags & TCP_FIN) !== 0;
    const rst = (flags & TCP_RST) !== 0;
    const seglen = len + (syn ? 1 : 0) + (fin ? 1 : 0);
    let label = SegmentLabel.None;
    let newBytes = 0;

    if (syn && this.isn === null) this.isn = seq;
    if (fin) this.finSeq = seqAdd(seq, len);

    const next = this.nextSeq;
    if (next !== NO_SEQ) {
      if (len === 1 && seq === next && rev.window === 0 && !syn && !fin && !rst) {
        label = SegmentLabel.ZeroWindowProbe;
      } else if (seglen <= 1 && !syn && !fin && !rst && seq === seqAdd(next, -1)) {
        label = SegmentLabel.KeepAlive;
      } else if (seglen > 0 && seqDiff(seq, next) < 0) {
        if (rev.dupAcks >= 2 && rev.lastAck === seq && t - rev.lastAckTime < FAST_RETRANS_WINDOW) {
          label = SegmentLabel.FastRetransmission;
        } else if (t - this.nextSeqTime < oooThreshold && seqAdd(seq, seglen) !== next) {
          label = SegmentLabel.OutOfOrder;
        } else if (rev.lastAck !== NO_SEQ && seqDiff(seqAdd(seq, seglen), rev.lastAck) <= 0 && len > 0) {
          label = SegmentLabel.SpuriousRetransmission;
        } else {
          label = SegmentLabel.Retransmission;
        }
      }
    }

    // New payload bytes: beyond nextSeq, or filling a remembered hole.
    if (len > 0) {
      const dataStart = syn ? seqAdd(seq, 1) : seq;
      const dataEnd = seqAdd(dataStart, len);
      if (next === NO_SEQ) newBytes = len;
      else {
        const beyond = seqDiff(dataEnd, next);
        if (beyond > 0) newBytes += Math.min(beyond, len);
        if (this.holes.length > 0) newBytes += this.fillHoles(dataStart, seqDiff(dataEnd, next) > 0 ? next : dataEnd);
        if (seqDiff(dataStart, next) > 0) this.addHole(next, dataStart);
      }
    } else if (next !== NO_SEQ && seglen > 0 && seqDiff(seq, next) > 0) {
      this.addHole(next, seq);
    }

    if (seglen > 0 && (next === NO_SEQ || seqDiff(seqAdd(seq, seglen), next) > 0)) {
      this.nextSeq = seqAdd(seq, seglen);
      this.nextSeqTime = t;
    }

    if ((flags & TCP_ACK) !== 0) {
      this.acknowledge(ack, window, seglen === 0 && !syn && !fin && !rst && (this.nextSeq === NO_SEQ || seq === this.nextSeq), t);
    }
    this.window = window;
    this.newBytes = newBytes;
    return label;
  }

  /**
   * The ACK field of a segment sent in this direction. `couldBeDup`: the segment carries nothing
   * (no payload, SYN, FIN or RST) and starts at next-expected, so it is a duplicate ACK when its
   * ACK and its non-zero window are the same as the last.
   */
  private acknowledge(ack: number, window: number, couldBeDup: boolean, t: number): void {
    if (couldBeDup && this.lastAck === ack && window !== 0 && window === this.window) this.dupAcks++;
    else if (this.lastAck !== ack) this.dupAcks = 0;
    this.lastAck = ack;
    this.lastAckTime = t;
  }

  private addHole(start: number, end: number): void {
    if (this.holes === NO_HOLES) this.holes = [];
    else if (this.holes.length >= MAX_HOLES * 2) this.holes.splice(0, 2);
    this.holes.push(start, end);
  }

  /** Remove [start, end) from the holes; return how many hole bytes it covered. */
  private fillHoles(start: number, end: number): number {
    let filled = 0;
    const out: number[] = [];
    for (let i = 0; i < this.holes.length; i += 2) {
      const hs = this.holes[i];
      const he = this.holes[i + 1];
      const os = seqDiff(start, hs) > 0 ? start : hs;
      const oe = seqDiff(end, he) < 0 ? end : he;
      if (seqDiff(oe, os) <= 0) {
        out.push(hs, he);
        continue;
      }
      filled += seqDiff(oe, os);
      if (seqDiff(os, hs) > 0) out.push(hs, os);
      if (seqDiff(he, oe) > 0) out.push(oe, he);
    }
    this.holes = out.length > 0 ? out : NO_HOLES;
    return filled;
  }
}

/** Labels that count as retransmissions in `retransmits` (what tshark's filter counts too). */
export function isRetransmission(label: SegmentLabel): boolean {
  return label === SegmentLabel.Retransmission || label === SegmentLabel.SpuriousRetransmission ||
    label === SegmentLabel.FastRetransmission;
}
