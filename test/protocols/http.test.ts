import { describe, expect, it } from 'vitest';
import { ConversationBuilder } from '../../src/protocols/conversations.js';
import type { DecodedPacket } from '../../src/decode/types.js';
import { T0, TcpConversation, clientHelloBody, concat, handshake, records, serverHelloBody, text } from './helpers.js';

const C = '10.4.0.2:42000';
const S = '10.4.0.9:8080';

function build(packets: DecodedPacket[]) {
  const b = new ConversationBuilder({ t0: T0 });
  for (const p of packets) b.add(p);
  return b.finish();
}

describe('HTTP/1.x', () => {
  it('reads request, status, first byte and end of a Content-Length body; keep-alive reuse', () => {
    const c = new TcpConversation(C, S);
    const r = build([
      ...c.handshake(0),
      ...c.send(true, text('GET /github.com/x/y/@v/list HTTP/1.1\r\nHost: proxy.example\r\nUser-Agent: Go\r\n\r\n'), 0.01),
      ...c.send(false, text('HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nv1.0'), 0.2),
      ...c.send(false, text('.0\nv1.1'), 0.3),
      ...c.send(true, text('GET /github.com/x/y/@v/v1.1.0.zip HTTP/1.1\r\nHost: proxy.example\r\n\r\n'), 0.4),
      ...c.send(false, text('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'), 0.45),
    ]);
    const http = r.connections[0].http;
    expect(http.map((h) => [h.method, h.target, h.host, h.status, h.reason])).toEqual([
      ['GET', '/github.com/x/y/@v/list', 'proxy.example', 200, 'OK'],
      ['GET', '/github.com/x/y/@v/v1.1.0.zip', 'proxy.example', 404, 'Not Found'],
    ]);
    expect(http[0]).toMatchObject({ request: expect.closeTo(0.01, 6), firstByte: expect.closeTo(0.2, 6), end: expect.closeTo(0.3, 6), contentLength: 11, bodyBytes: 11 });
    expect(http[1].end).toBeCloseTo(0.45, 6);
    expect(r.connections[0].waits.map((w) => w.seconds.toFixed(2))).toEqual(['0.19', '0.05']);
  });

  it('follows a chunked body split anywhere, and pipelined requests in order', () => {
    const c = new TcpConversation(C, S);
    const body = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n';
    const second = 'HTTP/1.1 204 No Content\r\n\r\n';
    const r = build([
      ...c.handshake(0),
      ...c.send(true, text('GET /a HTTP/1.1\r\nHost: h\r\n\r\nHEAD /b HTTP/1.1\r\nHost: h\r\n\r\n'), 0.01),
      ...c.send(false, text(body + second), 0.1, 7),
    ]);
    const http = r.connections[0].http;
    expect(http.map((h) => [h.method, h.status, h.bodyBytes])).toEqual([['GET', 200, 11], ['HEAD', 204, 0]]);
    expect(http.every((h) => h.end !== null)).toBe(true);
    expect(r.stats.http).toEqual({ requests: 2, responses: 2 });
  });

  it('a body without length ends when the server closes', () => {
    const c = new TcpConversation(C, S);
    const r = build([
      ...c.handshake(0),
      ...c.send(true, text('GET /old HTTP/1.0\r\nHost: h\r\n\r\n'), 0.01),
      ...c.send(false, text('HTTP/1.0 200 OK\r\n\r\nsome body'), 0.1),
      ...c.send(false, text(' more'), 0.2),
      c.fin(false, 0.3),
    ]);
    expect(r.connections[0].http[0]).toMatchObject({ status: 200, bodyBytes: 14, end: expect.closeTo(0.3, 6) });
  });

  it('a request never answered keeps firstByte null', () => {
    const c = new TcpConversation(C, S);
    const r = build([...c.handshake(0), ...c.send(true, text('GET /x HTTP/1.1\r\nHost: h\r\n\r\n'), 1), c.ack(false, 1.01), c.ack(true, 61)]);
    const k = r.connections[0];
    expect(k.http[0].firstByte).toBeNull();
    expect(k.waits).toEqual([{ request: 1, firstByte: null, seconds: 60, requestBytes: 28 }]);
  });

  it('names a header block that never ends', () => {
    const c = new TcpConversation(C, S);
    const r = build([...c.handshake(0), ...c.send(true, text(`GET / HTTP/1.1\r\nX: ${'a'.repeat(20000)}`), 0.1)]);
    expect(r.anomalies.map((a) => a.name)).toContain('HTTP_header_too_long');
  });
});

describe('CONNECT through a forward proxy', () => {
  const P = '10.4.0.1:3128';
  const connect = text('CONNECT goproxy.example:443 HTTP/1.1\r\nHost: goproxy.example:443\r\n\r\n');

  it('after 200 the tunnel is read as TLS on the same connection', () => {
    const c = new TcpConversation(C, P);
    const hello = records(22, handshake(1, clientHelloBody({ sni: 'goproxy.example', alpn: ['h2'] })));
    const r = build([
      ...c.handshake(0),
      ...c.send(true, connect, 0.01),
      ...c.send(false, text('HTTP/1.1 200 Connection established\r\n\r\n'), 0.3),
      ...c.send(true, hello, 0.31),
      ...c.send(false, records(22, handshake(2, serverHelloBody({ alpn: 'h2' }))), 0.4),
    ]);
    const k = r.connections[0];
    expect(k.proxyConnect).toEqual({ target: 'goproxy.example:443', request: expect.closeTo(0.01, 6), response: expect.closeTo(0.3, 6), status: 200, reason: 'Connection established', proxyAuthenticate: null });
    expect(k.tls).toMatchObject({ sni: 'goproxy.example', version: 'TLS 1.2', alpnChosen: 'h2' });
    expect(k.http).toEqual([]);
    expect(r.stats.http.requests).toBe(1);
  });

  it('records 407 with Proxy-Authenticate, and a CONNECT never answered', () => {
    const a = new TcpConversation(C, P);
    const b = new TcpConversation('10.4.0.2:42001', P);
    const r = build([
      ...a.handshake(0),
      ...a.send(true, connect, 0.01),
      ...a.send(false, text('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="corp"\r\nContent-Length: 4\r\n\r\ndeny'), 0.02),
      ...b.handshake(1),
      ...b.send(true, connect, 1.01),
    ]);
    expect(r.connections[0].proxyConnect).toMatchObject({ status: 407, proxyAuthenticate: 'Basic realm="corp"', response: expect.closeTo(0.02, 6) });
    expect(r.connections[0].tls).toBeNull();
    expect(r.connections[1].proxyConnect).toMatchObject({ status: null, response: null, request: expect.closeTo(1.01, 6) });
  });

  it('a client that sends its ClientHello before the 200 still gets it read as TLS', () => {
    const c = new TcpConversation(C, P);
    const hello = records(22, handshake(1, clientHelloBody({ sni: 'sumdb.example' })));
    const r = build([
      ...c.handshake(0),
      ...c.send(true, concat(connect, hello), 0.01),
      ...c.send(false, text('HTTP/1.1 200 OK\r\n\r\n'), 0.2),
    ]);
    expect(r.connections[0].tls?.sni).toBe('sumdb.example');
    expect(r.connections[0].tls?.clientHello).toBeCloseTo(0.01, 6);
  });
});

describe('HTTP over any segmentation', () => {
  it('reads the same exchanges however the bytes are split into segments', async () => {
    const fc = (await import('fast-check')).default;
    const req = text('GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n');
    const res = text('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nnop');
    const split = (b: Uint8Array, cuts: number[]) => {
      const pts = [...new Set(cuts.map((x) => 1 + (x % (b.length - 1))))].sort((x, y) => x - y);
      const out: Uint8Array[] = [];
      let prev = 0;
      for (const p of [...pts, b.length]) { out.push(b.subarray(prev, p)); prev = p; }
      return out;
    };
    fc.assert(fc.property(fc.array(fc.nat(), { maxLength: 10 }), fc.array(fc.nat(), { maxLength: 20 }), (qc, rc) => {
      const c = new TcpConversation(C, S);
      const pk = [...c.handshake(0)];
      for (const part of split(req, qc)) pk.push(c.segment(true, part, 0.01));
      for (const part of split(res, rc)) pk.push(c.segment(false, part, 0.02));
      const http = build(pk).connections[0].http;
      return http.map((h) => `${h.target} ${h.status} ${h.bodyBytes} ${h.end !== null}`).join('|') === '/a 200 19 true|/b 404 3 true';
    }), { numRuns: 300 });
  });
});
