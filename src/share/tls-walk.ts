/**
 * One direction of TLS, walked record by record to decide what a shared capture keeps: every
 * 5-byte record header; ChangeCipherSpec and alert records whole; handshake records whole while
 * they are plaintext (ClientHello, ServerHello, HelloRetryRequest, and TLS ≤ 1.2's Certificate
 * and key exchange, which are public); everything encrypted (application data, encrypted
 * handshake, heartbeat) cut to its header. A record that does not parse ends the walk: the rest
 * of the direction is cut.
 */
import type { StreamPlan } from './plan.js';
import type { OffsetSink } from './sink.js';

const CT_CCS = 20;
const CT_ALERT = 21;
const CT_HANDSHAKE = 22;
const CT_HEARTBEAT = 24;
/** Largest record body TLS allows (2^14 plus expansion), as src/protocols/tls.ts. */
const MAX_RECORD = 16384 + 2048;

const enum St { Header, Peek, Body, Stopped }

export class TlsWalk implements OffsetSink {
  private st = St.Header;
  private readonly hdr = new Uint8Array(5);
  private hdrFill = 0;
  private recType = 0;
  private bodyStart = 0;
  private bodyEnd = 0;
  private readonly peek = new Uint8Array(4);
  private peekFill = 0;
  /** This direction has not sent ChangeCipherSpec yet. */
  private plaintext = true;
  private first = true;
  /** Records walked (for tests and statistics). */
  records = 0;

  constructor(private readonly plan: StreamPlan, private readonly fromClient: boolean) {}

  data(b: Uint8Array, off: number): boolean {
    if (this.st === St.Stopped) return false;
    if (this.first) {
      this.first = false;
      // SSLv2-style hello (high bit set, CLIENT-HELLO or SERVER-HELLO), as src/protocols/tls.ts
      // tells it: keep its short header and stop.
      if (b.length >= 3 && (b[0] & 0x80) !== 0 && (b[2] === 1 || b[2] === 4)) {
        this.plan.keep(off, off + Math.min(b.length, 32));
        this.plan.zero(off, off + b.length + 1);
        this.st = St.Stopped;
        return false;
      }
    }
    let pos = 0;
    while (pos < b.length) {
      const at = off + pos;
      if (this.st === St.Header) {
        const n = Math.min(5 - this.hdrFill, b.length - pos);
        this.hdr.set(b.subarray(pos, pos + n), this.hdrFill);
        this.plan.keep(at, at + n);
        this.hdrFill += n;
        pos += n;
        if (this.hdrFill < 5) break;
        this.hdrFill = 0;
        if (!this.header(off + pos)) {
          // Zeroed, not cut, to one byte into the next piece: the analyzer stops here too and
          // must be handed data rather than a gap.
          this.plan.zero(off + pos, off + b.length + 1);
          return false;
        }
        continue;
      }
      if (this.st === St.Peek) {
        const n = Math.min(4 - this.peekFill, this.bodyEnd - at, b.length - pos);
        this.peek.set(b.subarray(pos, pos + n), this.peekFill);
        this.peekFill += n;
        pos += n;
        if (this.peekFill === 4 || off + pos >= this.bodyEnd) this.decideHandshake();
        if (off + pos >= this.bodyEnd) this.st = St.Header;
        continue;
      }
      // Body: the plan for it was set when the header was read.
      const n = Math.min(this.bodyEnd - at, b.length - pos);
      pos += n;
      if (off + pos >= this.bodyEnd) this.st = St.Header;
    }
    return true;
  }

  gap(length: number, off: number): boolean {
    if (this.st === St.Peek) this.decideHandshake();
    if (this.st === St.Body && off + length <= this.bodyEnd) {
      if (off + length === this.bodyEnd) this.st = St.Header;
      return true;
    }
    this.st = St.Stopped;
    return false;
  }

  private header(bodyStart: number): boolean {
    const type = this.hdr[0];
    const len = (this.hdr[3] << 8) | this.hdr[4];
    if (type < CT_CCS || type > CT_HEARTBEAT || this.hdr[1] !== 3 || len > MAX_RECORD) {
      this.st = St.Stopped;
      return false;
    }
    this.records++;
    this.recType = type;
    this.bodyStart = bodyStart;
    this.bodyEnd = bodyStart + len;
    if (len === 0) return true;
    if (type === CT_CCS || type === CT_ALERT) {
      this.plan.keep(bodyStart, this.bodyEnd);
      if (type === CT_CCS) this.plaintext = false;
      this.st = St.Body;
    } else if (type === CT_HANDSHAKE && this.plaintext) {
      this.plan.keep(bodyStart, this.bodyEnd);
      this.st = St.Body;
    } else if (type === CT_HANDSHAKE) {
      // After ChangeCipherSpec: encrypted Finished, or (TLS 1.3 after a HelloRetryRequest with
      // the middlebox-compatibility CCS) a second plaintext ClientHello. Look at its first bytes.
      this.peekFill = 0;
      this.st = St.Peek;
    } else {
      this.firstBodyByte(bodyStart);
      this.st = St.Body;
    }
    return true;
  }

  /**
   * A cut body keeps its first byte, zeroed: the analyzer notices the end of a handshake (and
   * stops reading the direction) only when a record hands it body bytes, not a gap.
   */
  private firstBodyByte(bodyStart: number): void {
    this.plan.zero(bodyStart, bodyStart + 1);
  }

  private decideHandshake(): void {
    const p = this.peek;
    const len = (p[1] << 16) | (p[2] << 8) | p[3];
    const hello = this.peekFill === 4 && p[0] === (this.fromClient ? 1 : 2) && len + 4 <= this.bodyEnd - this.bodyStart;
    if (hello) this.plan.keep(this.bodyStart, this.bodyEnd);
    else this.firstBodyByte(this.bodyStart);
    this.st = St.Body;
  }
}
