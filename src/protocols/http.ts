import type { HttpExchangeRecord, ProxyConnectRecord } from '../report/schema.js';
import type { StreamSink } from '../flow/reassembly.js';
import type { AnomalySink } from '../flow/anomalies.js';
import { HeaderBlock, MAX_HEADER, MAX_LINE, parseHeaderBlock, parseRequestLine } from './http-header.js';

/** Longest chunk-size line accepted. */
const MAX_CHUNK_LINE = 1024;
/** At most this many exchanges are kept per connection. */
const MAX_EXCHANGES = 1000;
/** Client bytes sent after a CONNECT before its answer are held up to this size. */
const MAX_EARLY_TUNNEL = 64 * 1024;

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', 'PROPFIND'];

/** Does a client stream start with an HTTP/1.x request method and a space? */
export function looksLikeHttpRequest(b: Uint8Array): boolean {
  const head = Buffer.from(b.buffer, b.byteOffset, Math.min(b.length, 10)).toString('latin1');
  return METHODS.some((m) => head.startsWith(`${m} `));
}

export interface HttpCounters {
  requests: number;
  responses: number;
}

/** What to do with the bytes of a tunnel once a CONNECT is answered 2xx. */
export interface TunnelSinks {
  client: StreamSink;
  server: StreamSink;
}

const enum Body { None, Length, Chunked, UntilClose }
const enum Chunk { Size, Data, DataEnd, Trailer }

interface BodyState {
  kind: Body;
  left: number;
  chunk: Chunk;
  line: string;
}

/**
 * HTTP/1.x on one connection: requests (pipelined or kept alive) matched in order to responses,
 * bodies skipped by Content-Length or chunked framing without copying, and CONNECT to a forward
 * proxy (the tunnel's bytes go to `onTunnel`'s sinks after a 2xx).
 */
export class HttpSession {
  readonly client: StreamSink;
  readonly server: StreamSink;
  readonly exchanges: HttpExchangeRecord[] = [];
  proxyConnect: ProxyConnectRecord | null = null;
  /** Called once, when the first request (not CONNECT) was read. */
  onFirstRequest: ((method: string) => void) | null = null;
  /** Gives the sinks for a tunnel when a CONNECT is answered 2xx; null to stop reading. */
  onTunnel: ((t: number) => TunnelSinks | null) | null = null;

  private readonly pending: Array<{ ex: HttpExchangeRecord | null; method: string }> = [];
  private tunnel: TunnelSinks | null = null;
  private awaitingTunnel = false;
  private early: Array<{ b: Uint8Array; t: number; frame: number }> = [];
  private earlyBytes = 0;
  private sawRequest = false;

  constructor(private readonly anomalies: AnomalySink, private readonly counters: HttpCounters) {
    this.client = new HttpDirection(this, true);
    this.server = new HttpDirection(this, false);
  }

  // ---- used by the directions

  anomaly(name: string, t: number, frame: number, detail: string): void {
    this.anomalies.add(name, t, frame, detail);
  }

  get tunnelSinks(): TunnelSinks | null {
    return this.tunnel;
  }

  get holdingForTunnel(): boolean {
    return this.awaitingTunnel;
  }

  hold(b: Uint8Array, t: number, frame: number): boolean {
    if (this.earlyBytes + b.length > MAX_EARLY_TUNNEL) return false;
    this.early.push({ b: b.slice(), t, frame });
    this.earlyBytes += b.length;
    return true;
  }

  request(method: string, target: string, host: string | null, t: number): BodyState {
    this.counters.requests++;
    if (method === 'CONNECT') {
      if (this.proxyConnect === null) {
        this.proxyConnect = { target, request: t, response: null, status: null, reason: null, proxyAuthenticate: null };
      }
      this.pending.push({ ex: null, method });
      this.awaitingTunnel = true;
      return { kind: Body.None, left: 0, chunk: Chunk.Size, line: '' };
    }
    if (!this.sawRequest) {
      this.sawRequest = true;
      this.onFirstRequest?.(method);
    }
    let ex: HttpExchangeRecord | null = null;
    if (this.exchanges.length < MAX_EXCHANGES) {
      ex = { method, target, host, request: t, firstByte: null, status: null, reason: null, end: null, contentLength: null, bodyBytes: 0 };
      this.exchanges.push(ex);
    }
    this.pending.push({ ex, method });
    return { kind: Body.None, left: 0, chunk: Chunk.Size, line: '' };
  }

  /** A status line and headers from the server; returns how its body is framed. */
  response(status: number, reason: string, headers: Map<string, string>, firstByte: number, t: number, frame: number): { body: Body; ex: HttpExchangeRecord | null; tunnel: boolean } {
    this.counters.responses++;
    const interim = status >= 100 && status < 200 && status !== 101;
    const head = interim ? this.pending[0] : this.pending.shift();
    if (!head) this.anomaly('HTTP_response_without_request', t, frame, `status ${status} with no request outstanding`);
    const method = head?.method ?? '';
    if (method === 'CONNECT') {
      const pc = this.proxyConnect;
      if (pc && pc.response === null && !interim) {
        pc.response = firstByte;
        pc.status = status;
        pc.reason = reason;
        pc.proxyAuthenticate = headers.get('proxy-authenticate') ?? null;
      }
      if (!interim) {
        this.awaitingTunnel = false;
        if (status >= 200 && status < 300) {
          this.tunnel = this.onTunnel?.(t) ?? null;
          if (this.tunnel) for (const e of this.early) this.tunnel.client.data(e.b, e.t, e.frame);
          this.early = [];
          this.earlyBytes = 0;
          return { body: Body.None, ex: null, tunnel: true };
        }
        // Refused: what the client sent early is HTTP again.
        const early = this.early;
        this.early = [];
        this.earlyBytes = 0;
        for (const e of early) this.client.data(e.b, e.t, e.frame);
      }
    }
    const ex = head?.ex ?? null;
    if (ex && !interim) {
      ex.firstByte = firstByte;
      ex.status = status;
      ex.reason = reason;
    }
    if (interim) return { body: Body.None, ex: null, tunnel: false };
    if (status === 101) return { body: Body.UntilClose, ex, tunnel: false };
    if (method === 'HEAD' || status === 204 || status === 304) return { body: Body.None, ex, tunnel: false };
    const te = headers.get('transfer-encoding');
    if (te && /chunked\s*$/i.test(te)) return { body: Body.Chunked, ex, tunnel: false };
    const cl = headers.get('content-length');
    if (cl !== undefined) {
      const n = Number(cl.trim());
      if (Number.isSafeInteger(n) && n >= 0) {
        if (ex) ex.contentLength = n;
        return { body: n > 0 ? Body.Length : Body.None, ex, tunnel: false };
      }
      this.anomaly('HTTP_bad_content_length', t, frame, `Content-Length ${JSON.stringify(cl.slice(0, 40))}`);
    }
    return { body: method === 'CONNECT' ? Body.None : Body.UntilClose, ex, tunnel: false };
  }
}

/** One direction of HTTP/1.x: header blocks, then bodies skipped by their framing. */
class HttpDirection implements StreamSink {
  private readonly header = new HeaderBlock();
  private headerStart = 0;
  private inBody = false;
  private body: BodyState = { kind: Body.None, left: 0, chunk: Chunk.Size, line: '' };
  private ex: HttpExchangeRecord | null = null;
  private stopped = false;
  private tunnel = false;
  /** What of the current header block the anomalies have told already. */
  private longTold = 0;
  private fullTold = false;

  constructor(private readonly s: HttpSession, private readonly fromClient: boolean) {}

  /** FIN from this side: a body read to the end of the connection is complete. */
  end(t: number): void {
    if (this.tunnel) {
      const sink = this.s.tunnelSinks;
      (this.fromClient ? sink?.client : sink?.server)?.end?.(t);
      return;
    }
    if (this.inBody && this.body.kind === Body.UntilClose) this.endBody(t);
  }

  gap(length: number, t: number, frame: number): boolean {
    if (this.tunnel) {
      const sink = this.s.tunnelSinks;
      const ok = sink ? (this.fromClient ? sink.client : sink.server).gap(length, t, frame) : false;
      if (!ok) this.stopped = true;
      return ok;
    }
    if (this.inBody && this.body.kind === Body.Length && length <= this.body.left) {
      this.body.left -= length;
      if (this.ex) this.ex.bodyBytes += length;
      if (this.body.left === 0) this.endBody(t);
      return true;
    }
    if (this.inBody && this.body.kind === Body.UntilClose) return true;
    this.s.anomaly('HTTP_stream_gap', t, frame, `${length} bytes missing; stopped reading this direction`);
    this.stopped = true;
    return false;
  }

  data(b: Uint8Array, t: number, frame: number): boolean {
    if (this.stopped) return false;
    let pos = 0;
    while (pos < b.length) {
      if (this.tunnel) {
        const sink = this.s.tunnelSinks;
        const ok = sink ? (this.fromClient ? sink.client : sink.server).data(b.subarray(pos), t, frame) : false;
        if (!ok) this.stopped = true;
        return ok;
      }
      if (this.fromClient && this.s.holdingForTunnel) {
        if (!this.s.hold(b.subarray(pos), t, frame)) {
          this.stopped = true;
          return false;
        }
        return true;
      }
      if (this.inBody) {
        pos = this.bodyBytes(b, pos, t);
        continue;
      }
      // Header block: collect until an empty line.
      if (this.header.empty) {
        this.headerStart = t;
        // Tolerate stray CRLFs between messages.
        while (pos < b.length && (b[pos] === 0x0d || b[pos] === 0x0a)) pos++;
        if (pos >= b.length) break;
      }
      const endAt = this.header.append(b, pos);
      this.cutAnomalies(t, frame);
      if (endAt < 0) break;
      pos = endAt;
      if (!this.headerBlock(t, frame)) {
        this.stopped = true;
        return false;
      }
    }
    return true;
  }

  /** The anomalies for what the header block has cut short so far, each told once. */
  private cutAnomalies(t: number, frame: number): void {
    const h = this.header;
    for (; this.longTold < h.longLines.length; this.longTold++) {
      const line = h.longLines[this.longTold];
      this.s.anomaly('HTTP_line_too_long', t, frame, line > 0
        ? `line ${line + 1} of the header block longer than ${MAX_LINE} bytes: that header left out`
        : this.fromClient
          ? `request line longer than ${MAX_LINE} bytes: the target is cut short`
          : `status line longer than ${MAX_LINE} bytes: cut short`);
    }
    if (h.full && !this.fullTold) {
      this.fullTold = true;
      this.s.anomaly('HTTP_header_too_long', t, frame, `header block longer than ${MAX_HEADER} bytes: the lines after them skipped`);
    }
  }

  private headerBlock(t: number, frame: number): boolean {
    const { first, firstCut, headers } = parseHeaderBlock(this.header.take());
    this.longTold = 0;
    this.fullTold = false;
    if (this.fromClient) {
      const line = parseRequestLine(first, firstCut);
      if (!line) {
        this.s.anomaly('HTTP_bad_request_line', t, frame, clip(first));
        return false;
      }
      this.body = this.s.request(line.method, clip(line.target, line.cut), headers.has('host') ? clip(headers.get('host') as string) : null, this.headerStart);
      this.ex = null;
      this.requestBody(headers, t, frame);
      return true;
    }
    const m = /^HTTP\/\d\.\d (\d{3})(?: (.*))?$/.exec(first);
    if (!m) {
      this.s.anomaly('HTTP_bad_status_line', t, frame, clip(first));
      return false;
    }
    const r = this.s.response(Number(m[1]), clip(m[2] ?? ''), headers, this.headerStart, t, frame);
    this.ex = r.ex;
    if (r.tunnel) {
      this.tunnel = true;
      (this.s.client as HttpDirection).tunnel = true;
      return true;
    }
    this.body = { kind: r.body, left: r.body === Body.Length ? (r.ex?.contentLength ?? Number(headers.get('content-length'))) : 0, chunk: Chunk.Size, line: '' };
    if (r.body === Body.None) this.endBody(t);
    else this.inBody = true;
    return true;
  }

  private requestBody(headers: Map<string, string>, t: number, frame: number): void {
    const te = headers.get('transfer-encoding');
    if (te && /chunked\s*$/i.test(te)) {
      this.body = { kind: Body.Chunked, left: 0, chunk: Chunk.Size, line: '' };
      this.inBody = true;
      return;
    }
    const cl = headers.get('content-length');
    if (cl !== undefined) {
      const n = Number(cl.trim());
      if (!Number.isSafeInteger(n) || n < 0) {
        this.s.anomaly('HTTP_bad_content_length', t, frame, `Content-Length ${JSON.stringify(cl.slice(0, 40))}`);
        return;
      }
      if (n > 0) {
        this.body = { kind: Body.Length, left: n, chunk: Chunk.Size, line: '' };
        this.inBody = true;
      }
    }
  }

  /** Consume body bytes from b[pos..]; returns the new position. */
  private bodyBytes(b: Uint8Array, pos: number, t: number): number {
    const st = this.body;
    if (st.kind === Body.UntilClose) {
      if (this.ex) this.ex.bodyBytes += b.length - pos;
      return b.length;
    }
    if (st.kind === Body.Length) {
      const n = Math.min(st.left, b.length - pos);
      st.left -= n;
      if (this.ex) this.ex.bodyBytes += n;
      if (st.left === 0) this.endBody(t);
      return pos + n;
    }
    // chunked
    while (pos < b.length) {
      if (st.chunk === Chunk.Data) {
        const n = Math.min(st.left, b.length - pos);
        st.left -= n;
        if (this.ex) this.ex.bodyBytes += n;
        pos += n;
        if (st.left === 0) st.chunk = Chunk.DataEnd;
        continue;
      }
      // a line: chunk size, the CRLF after data, or a trailer line
      const c = b[pos++];
      if (c !== 0x0a) {
        if (c !== 0x0d && st.line.length < MAX_CHUNK_LINE) st.line += String.fromCharCode(c);
        continue;
      }
      const line = st.line;
      st.line = '';
      if (st.chunk === Chunk.DataEnd) {
        st.chunk = Chunk.Size;
      } else if (st.chunk === Chunk.Size) {
        const size = parseInt(line.split(';')[0].trim(), 16);
        if (!Number.isFinite(size) || size < 0) {
          this.s.anomaly('HTTP_bad_chunk_size', t, 0, clip(line));
          this.stopped = true;
          return b.length;
        }
        if (size === 0) st.chunk = Chunk.Trailer;
        else {
          st.left = size;
          st.chunk = Chunk.Data;
        }
      } else if (line === '') {
        this.endBody(t);
        return pos;
      }
    }
    return pos;
  }

  private endBody(t: number): void {
    this.inBody = false;
    if (!this.fromClient && this.ex && this.ex.end === null) this.ex.end = t;
    this.body = { kind: Body.None, left: 0, chunk: Chunk.Size, line: '' };
  }
}

/** Control characters as `?`, at most 2048 characters; `…` at the end when longer, or when `cut` short already. */
function clip(s: string, cut = false): string {
  // eslint-disable-next-line no-control-regex
  const c = s.replace(/[\u0000-\u001f\u007f]/g, '?');
  return c.length > 2048 || cut ? `${c.slice(0, 2048)}…` : c;
}
