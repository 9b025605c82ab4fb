/**
 * HTTP/1.x on one connection, walked to decide what a shared capture keeps: request and status
 * lines and header blocks (credential values starred, same length), chunk-size lines; bodies are
 * cut — Content-Length bodies entirely (the analyzer counts them as a gap), read-until-close
 * bodies, chunk data and trailer fields zeroed in place (the analyzer needs the chunk framing to find the
 * end of the body). A header line is kept once its end is seen: one never seen to end (the capture
 * stopped, the connection was reset, a segment is missing) is zeroed, so a head cut anywhere keeps
 * no credential.
 * A CONNECT answered 2xx turns both directions into TLS walks, as src/protocols/http.ts does.
 */
import type { StreamPlan } from './plan.js';
import type { OffsetSink } from './sink.js';
import { TlsWalk } from './tls-walk.js';
import { maskHeaderBlock } from './mask.js';
import { HeaderBlock, parseHeaderBlock, parseRequestLine } from '../protocols/http-header.js';
import { latin1 } from '../protocols/text.js';

/** Longest chunk-size line read (src/protocols/http.ts reads as far). */
const MAX_CHUNK_LINE = 1024;
/** Client bytes sent after a CONNECT before its answer, held up to this size. */
const MAX_EARLY = 64 * 1024;
/** What an unfinished start line keeps: a method (as parseRequestLine takes it) and its space, or a status line's `HTTP/1.x `. */
const START_WORD = /^(?:[A-Z][A-Z-]{0,19} |HTTP\/1\.(?:\d )?)/;

const enum Body { None, Length, Chunked, UntilClose }
const enum Chunk { Size, Data, DataEnd, Trailer }

export class HttpWalk {
  readonly client: HttpDirectionWalk;
  readonly server: HttpDirectionWalk;
  /** Methods of requests not answered yet, oldest first. */
  readonly pending: string[] = [];
  awaitingTunnel = false;
  early: Array<{ b: Uint8Array; off: number }> = [];
  earlyBytes = 0;

  constructor(clientPlan: StreamPlan, serverPlan: StreamPlan) {
    this.client = new HttpDirectionWalk(this, clientPlan, true);
    this.server = new HttpDirectionWalk(this, serverPlan, false);
  }

  /** A CONNECT was answered: 2xx opens the tunnel, anything else makes held bytes HTTP again. */
  tunnelAnswered(ok: boolean): void {
    this.awaitingTunnel = false;
    const early = this.early;
    this.early = [];
    this.earlyBytes = 0;
    if (ok) {
      this.client.tunnelTo(new TlsWalk(this.client.plan, true));
      this.server.tunnelTo(new TlsWalk(this.server.plan, false));
    }
    for (const e of early) this.client.data(e.b, e.off);
  }
}

class HttpDirectionWalk implements OffsetSink {
  private readonly header = new HeaderBlock();
  /** Stream offsets of the current block's first byte and of its line not ended yet. */
  private headerStart = 0;
  private lineStart = 0;
  /** The block's last line ended was a credential header's: a folded line after it is more of its value. */
  private readonly fold = { inCredential: false };
  /** No block of this direction ended yet. */
  private firstBlock = true;
  private inBody = false;
  private body = Body.None;
  private left = 0;
  private chunk = Chunk.Size;
  private line = '';
  private stopped = false;
  private tunnel: OffsetSink | null = null;

  constructor(private readonly s: HttpWalk, readonly plan: StreamPlan, private readonly fromClient: boolean) {}

  tunnelTo(sink: OffsetSink): void {
    this.tunnel = sink;
  }

  gap(length: number, off: number): boolean {
    if (this.tunnel) return this.tunnel.gap(length, off);
    if (this.inBody && this.body === Body.Length && length <= this.left) {
      this.left -= length;
      if (this.left === 0) this.inBody = false;
      return true;
    }
    if (this.inBody && this.body === Body.UntilClose) return true;
    this.stopped = true;
    return false;
  }

  data(b: Uint8Array, off: number): boolean {
    if (this.stopped) return false;
    const more = this.read(b, off);
    // Stopped inside this piece: what follows is zeroed, not cut, up to one byte into the next
    // piece, so that the analyzer (whose parser stops at the same byte) is handed data, not a gap
    // it would report as an anomaly.
    if (this.stopped && !this.tunnel) this.plan.zero(off + this.stopAt, off + b.length + 1);
    return more;
  }

  /** Where in the current piece the walk stopped. */
  private stopAt = 0;

  private read(b: Uint8Array, off: number): boolean {
    let pos = 0;
    while (pos < b.length) {
      if (this.tunnel) return this.tunnel.data(b.subarray(pos), off + pos);
      if (this.fromClient && this.s.awaitingTunnel) {
        const rest = b.subarray(pos);
        if (this.s.earlyBytes + rest.length > MAX_EARLY) {
          this.stopped = true;
          this.stopAt = pos;
          return false;
        }
        // Held by the analyzer as data until the CONNECT is answered: zeroed until then (the walk
        // decides again when they are replayed).
        this.plan.zero(off + pos, off + b.length);
        this.s.early.push({ b: rest.slice(), off: off + pos });
        this.s.earlyBytes += rest.length;
        return true;
      }
      if (this.inBody) {
        pos = this.bodyBytes(b, pos, off);
        continue;
      }
      if (this.header.empty) {
        // Stray CRLFs between messages are kept (they are framing).
        const from = pos;
        while (pos < b.length && (b[pos] === 0x0d || b[pos] === 0x0a)) pos++;
        this.plan.keep(off + from, off + pos);
        if (pos >= b.length) break;
        this.headerStart = off + pos;
        this.lineStart = off + pos;
        this.fold.inCredential = false;
      }
      // A line is kept once its end was seen, credentials starred; what the block skips (the rest
      // of an over-long line, the lines past its size) is zeroed but for the CRs: with the LFs,
      // they are what ends the block.
      const end = this.header.append(b, pos, (from, to) => this.skip(b, off, from, to), (lf, kept) => this.lineEnd(off + lf, kept));
      if (end < 0) {
        this.openLine(off + b.length);
        break;
      }
      pos = end;
      if (!this.headerBlock()) {
        this.stopped = true;
        this.stopAt = pos;
        return false;
      }
    }
    return true;
  }

  /** Zero b[from..to) (at stream offset `off`) but keep its CRs. */
  private skip(b: Uint8Array, off: number, from: number, to: number): void {
    let z = from;
    for (let i = from; i < to; i++) {
      if (b[i] !== 0x0d) continue;
      this.plan.zero(off + z, off + i);
      this.plan.keep(off + i, off + i + 1);
      z = i + 1;
    }
    this.plan.zero(off + z, off + to);
  }

  /**
   * A line of the block ended with the LF at stream offset `lf`: what the block kept of it (its
   * first bytes, from lineStart on) is kept with its credentials starred, and the LF. A line cut
   * short (its rest zeroed) has a credential that runs into the cut starred to it.
   */
  private lineEnd(lf: number, kept: Uint8Array): void {
    this.plan.keep(this.lineStart, this.lineStart + kept.length);
    this.plan.keep(lf, lf + 1);
    const cut = lf - this.lineStart > kept.length;
    for (const [at, bytes] of maskHeaderBlock(kept, cut, this.fold)) this.plan.mask(this.lineStart + at, bytes);
    this.lineStart = lf + 1;
  }

  /**
   * The block goes on past stream offset `to`: its line not ended yet is zeroed up to there (kept
   * if its end comes; if it never does — the capture stops, a reset, a missing segment — nothing
   * of it is readable, since a credential cut short is not recognised). An unfinished start line
   * keeps its method or version, or else (the direction's first) its first byte: what the
   * analyzer's sniffer decides a stream's protocol on.
   */
  private openLine(to: number): void {
    this.plan.zero(this.lineStart, to);
    if (this.lineStart !== this.headerStart) return;
    const line = this.header.openLine;
    const word = START_WORD.exec(latin1(line, 0, Math.min(line.length, 21)));
    const keep = word ? word[0].length : this.firstBlock ? 1 : 0;
    this.plan.keep(this.headerStart, this.headerStart + keep);
  }

  private headerBlock(): boolean {
    this.firstBlock = false;
    const { first, firstCut, headers } = parseHeaderBlock(this.header.take());
    if (this.fromClient) {
      const line = parseRequestLine(first, firstCut);
      if (!line) return false;
      this.s.pending.push(line.method);
      if (line.method === 'CONNECT') {
        this.s.awaitingTunnel = true;
        return true;
      }
      const te = headers.get('transfer-encoding');
      if (te && /chunked\s*$/i.test(te)) return this.startBody(Body.Chunked, 0);
      const n = contentLength(headers);
      if (n !== null && n > 0) return this.startBody(Body.Length, n);
      return true;
    }
    const m = /^HTTP\/\d\.\d (\d{3})(?: (.*))?$/.exec(first);
    if (!m) return false;
    const status = Number(m[1]);
    const interim = status >= 100 && status < 200 && status !== 101;
    const method = (interim ? this.s.pending[0] : this.s.pending.shift()) ?? '';
    if (interim) return true;
    if (method === 'CONNECT') {
      this.s.tunnelAnswered(status >= 200 && status < 300);
      if (status >= 200 && status < 300) return true;
    }
    if (status === 101) return this.startBody(Body.UntilClose, 0);
    if (method === 'HEAD' || status === 204 || status === 304) return true;
    const te = headers.get('transfer-encoding');
    if (te && /chunked\s*$/i.test(te)) return this.startBody(Body.Chunked, 0);
    const n = contentLength(headers);
    if (n !== null) return n > 0 ? this.startBody(Body.Length, n) : true;
    return method === 'CONNECT' ? true : this.startBody(Body.UntilClose, 0);
  }

  private startBody(kind: Body, left: number): boolean {
    this.inBody = true;
    this.body = kind;
    this.left = left;
    this.chunk = Chunk.Size;
    this.line = '';
    return true;
  }

  /** Body bytes from b[pos..] (b starts at stream offset `off`); returns the new position. */
  private bodyBytes(b: Uint8Array, pos: number, off: number): number {
    if (this.body === Body.UntilClose) {
      // Zeroed, not cut: the analyzer counts a read-until-close body's bytes only as data.
      this.plan.zero(off + pos, off + b.length);
      return b.length;
    }
    if (this.body === Body.Length) {
      const n = Math.min(this.left, b.length - pos);
      this.left -= n;
      if (this.left === 0) this.inBody = false;
      return pos + n;
    }
    while (pos < b.length) {
      if (this.chunk === Chunk.Data) {
        const n = Math.min(this.left, b.length - pos);
        this.plan.zero(off + pos, off + pos + n);
        this.left -= n;
        pos += n;
        if (this.left === 0) this.chunk = Chunk.DataEnd;
        continue;
      }
      const c = b[pos++];
      // Chunk-size lines and line ends are framing (kept); trailer fields are data (zeroed: the
      // analyzer still needs their line ends to find the end of the body).
      if (this.chunk === Chunk.Trailer && c !== 0x0a && c !== 0x0d) this.plan.zero(off + pos - 1, off + pos);
      else this.plan.keep(off + pos - 1, off + pos);
      if (c !== 0x0a) {
        if (c !== 0x0d && this.line.length < MAX_CHUNK_LINE) this.line += String.fromCharCode(c);
        continue;
      }
      const line = this.line;
      this.line = '';
      if (this.chunk === Chunk.DataEnd) this.chunk = Chunk.Size;
      else if (this.chunk === Chunk.Size) {
        const size = parseInt(line.split(';')[0].trim(), 16);
        if (!Number.isFinite(size) || size < 0) {
          this.stopped = true;
          this.stopAt = pos;
          return b.length;
        }
        if (size === 0) this.chunk = Chunk.Trailer;
        else {
          this.left = size;
          this.chunk = Chunk.Data;
        }
      } else if (line === '') {
        this.inBody = false;
        return pos;
      }
    }
    return pos;
  }
}

function contentLength(headers: Map<string, string>): number | null {
  const cl = headers.get('content-length');
  if (cl === undefined) return null;
  const n = Number(cl.trim());
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}
