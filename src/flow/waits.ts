import type { ResponseWait } from '../report/schema.js';

/** Keep at most this many waits per connection; past it, a new wait replaces the shortest kept one. */
const MAX_WAITS = 64;
/** Client segments this close together are one send: the request time moves to the last of them. */
const BURST_GAP = 0.2;
/** The waits of a connection that has none yet: most connections' first wait comes late or never. */
const NO_WAITS: ResponseWait[] = [];

/**
 * The exchange pattern of application data on one connection (docs/tcp-analysis.md, "Waits").
 * A client burst of new payload opens a wait; the first new server payload after it closes the wait.
 * Only runs once `enabled` (after the TLS handshake, or from the first plain HTTP request).
 */
export class WaitTracker {
  enabled = false;
  /** Set when the server has sent FIN or either side RST: client data no longer asks for anything. */
  serverDone = false;
  /** Answered waits kept (NO_WAITS, shared and never added to, until the first). */
  private waits: ResponseWait[] = NO_WAITS;
  private open: ResponseWait | null = null;
  private lastClient = -Infinity;
  private controlMarked = false;
  private dataMarked = false;

  /**
   * What a parser saw in the segment being added: control records (TLS 1.3 session tickets,
   * HTTP/2 control frames) or request/response data. A server segment holding only control records
   * does not end a wait; a client one does not start a wait (nor move its request time).
   */
  mark(control: boolean): void {
    if (control) this.controlMarked = true;
    else this.dataMarked = true;
  }

  /** Called before each segment is parsed. */
  resetMarks(): void {
    this.controlMarked = false;
    this.dataMarked = false;
  }

  /** New (not retransmitted) payload in one direction, `t` in seconds since t0. */
  payload(fromClient: boolean, t: number, bytes: number): void {
    const controlOnly = this.controlMarked && !this.dataMarked;
    this.resetMarks();
    if (!this.enabled || bytes <= 0) return;
    if (fromClient) {
      if (this.serverDone) return;
      if (controlOnly) {
        if (this.open) this.open.requestBytes += bytes;
        return;
      }
      if (this.open) {
        // A continuous send moves the request time on; later client data (a close_notify after a
        // long wait, an HTTP/2 WINDOW_UPDATE) adds bytes but keeps when the wait began.
        if (t - this.lastClient <= BURST_GAP) this.open.request = t;
        this.open.requestBytes += bytes;
      } else {
        this.open = { request: t, firstByte: null, seconds: 0, requestBytes: bytes };
      }
      this.lastClient = t;
      return;
    }
    if (controlOnly || !this.open) return;
    this.open.firstByte = t;
    this.open.seconds = t - this.open.request;
    this.keep(this.open);
    this.open = null;
  }

  private keep(w: ResponseWait): void {
    if (this.waits === NO_WAITS) this.waits = [];
    if (this.waits.length < MAX_WAITS) {
      this.waits.push(w);
      return;
    }
    let min = 0;
    for (let i = 1; i < this.waits.length; i++) if (this.waits[i].seconds < this.waits[min].seconds) min = i;
    if (w.seconds > this.waits[min].seconds) {
      this.waits.splice(min, 1);
      this.waits.push(w);
    }
  }

  /**
   * Waits in time order; a request still unanswered comes last with firstByte null, its `seconds`
   * running to `end` (the end of the capture, or when either side closed or reset the connection).
   */
  finish(end: number): ResponseWait[] {
    const out = this.waits.slice();
    if (this.open) out.push({ ...this.open, seconds: Math.max(0, end - this.open.request) });
    return out;
  }
}
