import { describe, expect, it } from 'vitest';
import { ConversationBuilder } from '../../src/protocols/conversations.js';
import type { DecodedPacket } from '../../src/decode/types.js';
import { HeaderBlock, MAX_HEADER } from '../../src/protocols/http-header.js';
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

});

describe('HTTP lines and header blocks longer than kept', () => {
  const anomalies = (r: ReturnType<typeof build>) => r.anomalies.map((a) => `${a.name}: ${a.detail}`);

  it('a request line over 8 KiB is a request with its target cut short; its wait counts, the stream reads on', () => {
    const c = new TcpConversation(C, S);
    const target = `/x/@v/${'a'.repeat(40_000)}.info`;
    const r = build([
      ...c.handshake(0),
      ...c.send(true, text(`GET ${target} HTTP/1.1\r\nHost: proxy.example\r\n\r\n`), 1),
      ...c.send(false, text('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'), 3),
      ...c.send(true, text('GET /x/@v/list HTTP/1.1\r\nHost: proxy.example\r\n\r\n'), 4),
      c.ack(false, 4.01), c.ack(true, 20),
    ]);
    const [long, next] = r.connections[0].http;
    expect(long).toMatchObject({ method: 'GET', host: 'proxy.example', request: 1, firstByte: 3, status: 200, end: 3 });
    expect(long.target).toBe(`${target.slice(0, 2048)}…`);
    expect(next).toMatchObject({ target: '/x/@v/list', request: 4, firstByte: null });
    expect(r.connections[0].waits).toEqual([
      expect.objectContaining({ request: 1, firstByte: 3 }),
      expect.objectContaining({ request: 4, firstByte: null, seconds: 16 }),
    ]);
    expect(anomalies(r)).toEqual(['HTTP_line_too_long: request line longer than 8192 bytes: the target is cut short']);
  });

  it('a header line over 8 KiB is left out, the lines around it read', () => {
    const c = new TcpConversation(C, S);
    const r = build([
      ...c.handshake(0),
      ...c.send(true, text(`POST /upload HTTP/1.1\r\nCookie: ${'c'.repeat(10_000)}\r\nContent-Length: 1\r\nHost: h\r\n\r\nxGET /after HTTP/1.1\r\n\r\n`), 1),
    ]);
    expect(r.connections[0].http.map((h) => [h.method, h.target, h.host])).toEqual([['POST', '/upload', 'h'], ['GET', '/after', null]]);
    expect(anomalies(r)).toEqual(['HTTP_line_too_long: line 2 of the header block longer than 8192 bytes: that header left out']);
  });

  it('a header block over 16 KiB is a request; the lines past 16 KiB are skipped to its end', () => {
    const c = new TcpConversation(C, S);
    const lines = Array.from({ length: 40 }, (_, i) => `X-Filler-${i}: ${'f'.repeat(1000)}\r\n`).join('');
    const r = build([
      ...c.handshake(0),
      ...c.send(true, text(`GET /big HTTP/1.1\r\nHost: h\r\n${lines}\r\nGET /after HTTP/1.1\r\nHost: h\r\n\r\n`), 1),
      c.ack(false, 1.01), c.ack(true, 30),
    ]);
    expect(r.connections[0].http.map((h) => [h.target, h.host, h.request])).toEqual([['/big', 'h', 1], ['/after', 'h', 1]]);
    expect(r.connections[0].waits).toEqual([expect.objectContaining({ request: 1, firstByte: null, seconds: 29 })]);
    expect(anomalies(r)).toEqual(['HTTP_header_too_long: header block longer than 16384 bytes: the lines after them skipped']);
  });

  it('keeps at most 16 KiB of a block that never ends', () => {
    const h = new HeaderBlock();
    const chunk = text(`X: ${'a'.repeat(100_000)}\r\n`);
    expect(h.append(text('GET / HTTP/1.1\r\n'), 0)).toBe(-1);
    for (let i = 0; i < 50; i++) expect(h.append(chunk, 0)).toBe(-1);
    expect(h.longLines).toEqual([1]);
    expect(h.full).toBe(true);
    const block = h.take();
    expect(block.bytes.length).toBeLessThanOrEqual(MAX_HEADER);
    expect(block.cut).toEqual([1, 2]);
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

  it('cuts long lines and blocks the same way however the bytes are split', async () => {
    const fc = (await import('fast-check')).default;
    const req = text(`GET /${'a'.repeat(9000)} HTTP/1.1\r\nHost: h\r\nX: x\r\n\r\n` +
      `GET /b HTTP/1.1\r\n${`Y: ${'y'.repeat(6000)}\r\n`.repeat(4)}Host: late\r\n\r\nGET /c HTTP/1.1\r\n\r\n`);
    // Cuts anywhere, and around every line end (where a block's end or a line's cut may straddle segments).
    const ends = [...req.keys()].filter((i) => req[i] === 0x0a).flatMap((i) => [i - 1, i, i + 1]).filter((i) => i > 0 && i < req.length);
    const cut = fc.oneof(fc.integer({ min: 1, max: req.length - 1 }), fc.constantFrom(...ends));
    fc.assert(fc.property(fc.array(cut, { maxLength: 30 }), (cuts) => {
      const c = new TcpConversation(C, S);
      const pk = [...c.handshake(0)];
      let prev = 0;
      for (const p of [...new Set(cuts)].sort((x, y) => x - y).concat(req.length)) {
        pk.push(c.segment(true, req.subarray(prev, p), 0.01));
        prev = p;
      }
      const r = build(pk);
      const http = r.connections[0].http.map((h) => `${h.target.length} ${h.host}`).join('|');
      return http === '2049 h|2 null|2 null' && r.anomalies.map((a) => a.name).join() === 'HTTP_line_too_long,HTTP_header_too_long';
    }), { numRuns: 200 });
  });
});
