import type { StreamSink } from '../flow/reassembly.js';

/** Largest DNS-over-TCP message (the 2-byte length prefix) — the buffer never grows past it. */
const MAX_MESSAGE = 0xffff;

/**
 * DNS over TCP (RFC 1035 4.2.2, RFC 7766): each message is preceded by a 2-byte length. Messages
 * are put back together across segments and handed to `onMessage` with the time and frame of the
 * segment that completed them.
 */
export class DnsTcpStream implements StreamSink {
  private lenBytes: number[] = [];
  private msg: Uint8Array | null = null;
  private fill = 0;

  constructor(private readonly onMessage: (msg: Uint8Array, t: number, frame: number) => void) {}

  data(b: Uint8Array, t: number, frame: number): boolean {
    let pos = 0;
    while (pos < b.length) {
      if (this.msg === null) {
        this.lenBytes.push(b[pos++]);
        if (this.lenBytes.length < 2) continue;
        const len = (this.lenBytes[0] << 8) | this.lenBytes[1];
        this.lenBytes = [];
        if (len === 0) continue;
        this.msg = new Uint8Array(Math.min(len, MAX_MESSAGE));
        this.fill = 0;
        continue;
      }
      const n = Math.min(this.msg.length - this.fill, b.length - pos);
      this.msg.set(b.subarray(pos, pos + n), this.fill);
      this.fill += n;
      pos += n;
      if (this.fill === this.msg.length) {
        const m = this.msg;
        this.msg = null;
        this.onMessage(m, t, frame);
      }
    }
    return true;
  }

  /** A hole in the stream: the message in progress is lost and the framing with it. */
  gap(): boolean {
    this.msg = null;
    return false;
  }
}
