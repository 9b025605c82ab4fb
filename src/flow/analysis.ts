import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../decode/types.js';
import type { TcpSegment } from '../decode/types.js';
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

/** No sequence number yet (sequence numbers are 0 … 2^32 − 1). */
export const NO_SEQ = -1;

/** Out-of-order threshold without a measured handshake RTT (Wireshark's default): 3 ms. */
export const OOO_THRESHOLD = 0.003;
/** Fast retransmission must follow the last duplicate ACK within 20 ms. */
export const FAST_RETRANS_WINDOW = 0.02;
/** Holes remembered per direction for counting new bytes; older holes are forgotten. */
const MAX_HOLES = 16;

export class DirectionState {
  /**
   * Highest seq + length seen (Wireshark's "next expected sequence number"); NO_SEQ until data.
   * (NO_SEQ rather than null keeps this and `lastAck` plain number fields, which V8 updates in
   * place: a field that may hold null boxes every sequence number above 2^30 in a new heap object,
   * one or two per packet.)
   */
  nextSeq = NO_SEQ;
  nextSeqTime = 0;
  /** The last acknowledgement number sent in this direction; NO_SEQ before the first ACK. */
  lastAck = NO_SEQ;
  lastAckTime = 0;
  dupAcks = 0;
  window = -1;
  /** Sequence of the SYN, when seen. */
  isn: number | null = null;
  /** Sequence number of the FIN, when seen. */
  finSeq: number | null = null;
  /** Payload bytes of the last analysed segment that were new (not seen before). */
  newBytes = 0;
  /** Holes [start, end) below nextSeq not yet filled, as a flat array of pairs. */
  private holes: number[] = [];

  /**
   * Classify a segment sent in this direction (`rev` is the other direction), update state, and
   * return the label; `newBytes` is set to how many payload bytes were new (not seen before).
   */
  analyze(seg: TcpSegment, rev: DirectionState, t: number, oooThreshold = OOO_THRESHOLD): SegmentLabel {
    const flags = seg.flags;
    const syn = (flags & TCP_SYN) !== 0;
    const fin = (flags & TCP_FIN) !== 0;
    const rst = (flags & TCP_RST) !== 0;
    const len = seg.payloadLength;
    const seglen = len + (syn ? 1 : 0) + (fin ? 1 : 0);
    const seq = seg.seq;
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
      const isDup =
        seglen === 0 && !syn && !fin && !rst && this.lastAck === seg.ack && seg.window !== 0 &&
        seg.window === this.window &&
        (this.nextSeq === NO_SEQ || seq === this.nextSeq);
      if (isDup) this.dupAcks++;
      else if (this.lastAck !== seg.ack) this.dupAcks = 0;
      this.lastAck = seg.ack;
      this.lastAckTime = t;
    }
    this.window = seg.window;
    this.newBytes = newBytes;
    return label;
  }

  private addHole(start: number, end: number): void {
    if (this.holes.length >= MAX_HOLES * 2) this.holes.splice(0, 2);
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
    this.holes = out;
    return filled;
  }
}

/** Labels that count as retransmissions in `retransmits` (what tshark's filter counts too). */
export function isRetransmission(label: SegmentLabel): boolean {
  return label === SegmentLabel.Retransmission || label === SegmentLabel.SpuriousRetransmission ||
    label === SegmentLabel.FastRetransmission;
}
