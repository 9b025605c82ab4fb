/**
 * Zeek conn.log `history` and `conn_state` (docs/tcp-analysis.md). Letters: s SYN, h SYN-ACK,
 * a pure ACK, d data, f FIN, r RST, t retransmitted data, w zero window; upper case from the
 * client (originator). s h a d f r appear once per direction; t and w are repeated on a log scale
 * (at the 1st, 10th, 100th, … occurrence).
 */

export const enum HistoryEvent {
  Syn = 0,
  SynAck = 1,
  Ack = 2,
  Data = 3,
  Fin = 4,
  Rst = 5,
  Retransmit = 6,
  ZeroWindow = 7,
}

const LETTERS = 'shadfrtw';
const UPPER = LETTERS.toUpperCase();

/** The event's letter (upper case from the client); built only when it is appended. */
function letterOf(fromClient: boolean, ev: HistoryEvent): string {
  return fromClient ? UPPER[ev] : LETTERS[ev];
}

export class History {
  private text = '';
  /** Bit per (direction, event) for the once-only letters. */
  private seen = 0;
  /**
   * How often t and w happened per direction. Four small-integer fields rather than an array: one
   * History is made per connection, and an array is two more objects for the young generation to
   * copy while the connection lives.
   */
  private clientRetransmits = 0;
  private clientZeroWindows = 0;
  private serverRetransmits = 0;
  private serverZeroWindows = 0;

  add(fromClient: boolean, ev: HistoryEvent): void {
    if (ev === HistoryEvent.Retransmit || ev === HistoryEvent.ZeroWindow) {
      let n: number;
      if (ev === HistoryEvent.Retransmit) {
        if (fromClient) n = ++this.clientRetransmits;
        else n = ++this.serverRetransmits;
      } else if (fromClient) n = ++this.clientZeroWindows;
      else n = ++this.serverZeroWindows;
      if (isPowerOfTen(n)) this.text += letterOf(fromClient, ev);
      return;
    }
    const bit = 1 << (ev + (fromClient ? 0 : 8));
    if (this.seen & bit) return;
    this.seen |= bit;
    this.text += letterOf(fromClient, ev);
  }

  has(fromClient: boolean, ev: HistoryEvent): boolean {
    return (this.seen & (1 << (ev + (fromClient ? 0 : 8)))) !== 0;
  }

  toString(): string {
    return this.text;
  }
}

/** 1, 10, 100, …: the occurrences of t and w that get a letter. */
function isPowerOfTen(n: number): boolean {
  while (n >= 10 && n % 10 === 0) n /= 10;
  return n === 1;
}

/** Zeek-style conn_state from what each side sent. */
export function connState(h: History): string {
  const cSyn = h.has(true, HistoryEvent.Syn);
  const sSynAck = h.has(false, HistoryEvent.SynAck);
  const cFin = h.has(true, HistoryEvent.Fin);
  const sFin = h.has(false, HistoryEvent.Fin);
  const cRst = h.has(true, HistoryEvent.Rst);
  const sRst = h.has(false, HistoryEvent.Rst);
  const sAny = sSynAck || h.has(false, HistoryEvent.Ack) || h.has(false, HistoryEvent.Data) || sFin || sRst;
  const established = cSyn && sSynAck;
  if (cSyn && !sSynAck) {
    if (sRst) return 'REJ';
    if (cRst) return 'RSTOS0';
    if (cFin) return 'SH';
    if (!sAny) return 'S0';
  }
  if (!cSyn && sSynAck) {
    if (sRst) return 'RSTRH';
    if (sFin) return 'SHR';
  }
  if (established || (cSyn && sAny) || (!cSyn && sSynAck)) {
    if (cRst) return 'RSTO';
    if (sRst) return 'RSTR';
    if (cFin && sFin) return 'SF';
    if (cFin) return 'S2';
    if (sFin) return 'S3';
    return established ? 'S1' : 'OTH';
  }
  if (cRst) return 'RSTO';
  if (sRst) return 'RSTR';
  return 'OTH';
}
