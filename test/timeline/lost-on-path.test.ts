/**
 * Data one side re-sends, with the retransmission timer doubling, that the other side never
 * acknowledges: lost on the path (an MTU black hole, a middlebox dropping one direction, a dead
 * peer). Each capture is written by the test and analyzed whole.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../src/timeline/analyze.js';
import type { Lang } from '../../src/timeline/hints.js';
import { CaptureBuilder, frameFor } from '../share/build.js';
import { ACK, FIN, PSH, SYN, tcp } from '../capture/fixtures/frames.js';
import { clientHelloBody, handshake, records, text } from '../protocols/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'gomod-trace-lost-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CLIENT = '10.0.0.2';
const SERVER = '10.9.9.9';
const CISN = 1000;
const SISN = 500000;

/** One TCP connection written segment by segment, sequence numbers chosen by the test. */
class Wire {
  readonly b = new CaptureBuilder();
  constructor(readonly serverPort: number) {}

  seg(fromClient: boolean, seq: number, ack: number, flags: number, payload?: Uint8Array): this {
    const [src, sport, dst, dport] = fromClient ? [CLIENT, 40000, SERVER, this.serverPort] : [SERVER, this.serverPort, CLIENT, 40000];
    this.b.raw(frameFor('ether4', src, dst, 6, tcp(sport, dport, { seq, ack, flags, payload })));
    return this;
  }

  open(): this {
    return this.seg(true, CISN - 1, 0, SYN).seg(false, SISN - 1, CISN, SYN | ACK).seg(true, CISN, SISN, ACK);
  }

  /** The same segment again after each of the retransmission timer's doubling waits (0.2 s, 0.4 s, …). */
  resend(times: number, fromClient: boolean, seq: number, ack: number, payload: Uint8Array): this {
    for (let i = 0, wait = 0.2; i < times; i++, wait *= 2) {
      this.b.idle(wait);
      this.seg(fromClient, seq, ack, ACK | PSH, payload);
    }
    return this;
  }

  async analyze(name: string, lang: Lang = 'en') {
    const path = join(dir, `${name}.pcap`);
    writeFileSync(path, this.b.pcap());
    return analyze({ capture: path }, { lang });
  }
}

const bytes = (n: number, c = 'y') => text(c.repeat(n));

describe('data re-sent and never acknowledged is lost on the path', () => {
  it('a capture that began mid-connection: the server re-sends its data with backoff, the client never acknowledges it', async () => {
    // No handshake: the client's request, the server's ACK of it, then 2 full-size segments the
    // client never acknowledges and the first of them re-sent 5 times.
    const w = new Wire(443)
      .seg(true, CISN, SISN, ACK | PSH, bytes(200, 'x'))
      .seg(false, SISN, CISN + 200, ACK)
      .seg(false, SISN, CISN + 200, ACK | PSH, bytes(1448))
      .seg(false, SISN + 1448, CISN + 200, ACK | PSH, bytes(1448))
      .resend(5, false, SISN, CISN + 200, bytes(1448));
    const r = await w.analyze('mid-stream');
    expect(r.connections[0]).toMatchObject({ rolesGuessed: true, unacked: { by: 'server', resends: 5, bytes: 2896 } });
    expect(r.verdict).toMatchObject({ stage: 'transfer', state: 'stalled', address: `${SERVER}:443` });
    expect(r.verdict.summary).toBe(
      `Packets between the client and ${SERVER}:443 are lost on the path: 2896 bytes of the server's data were never acknowledged by the client, re-sent 5 times in 6.2 s.`);
    expect(r.verdict.waited).toBeCloseTo(6.205, 2);
    const hints = r.verdict.hints.join('\n');
    // 2896 bytes: large enough for the MTU, which comes first.
    expect(hints).toMatch(/MTU black hole.*ping -M do -s 1472 10\.9\.9\.9.*net\.ipv4\.tcp_mtu_probing=1/);
    expect(hints.indexOf('MTU black hole')).toBeLessThan(hints.indexOf('firewall or middlebox'));
    expect(hints).not.toMatch(/GODEBUG/);
  });

  it("the client's large ClientHello, re-sent and never acknowledged after the TCP handshake: stalled at tls, go's key share named", async () => {
    const hello = records(22, handshake(1, clientHelloBody({
      sni: 'proxy.golang.org', alpn: ['h2', 'http/1.1'], versions: [0x0304, 0x0303],
      // A ClientHello of over 1,700 bytes, as go's with a post-quantum key share.
      ciphers: Array.from({ length: 820 }, (_, i) => 0x0a0a + i),
    })));
    expect(hello.length).toBeGreaterThan(1700);
    const first = hello.subarray(0, 1448);
    const w = new Wire(443).open()
      .seg(true, CISN, SISN, ACK | PSH, first)
      .seg(true, CISN + 1448, SISN, ACK | PSH, hello.subarray(1448))
      // Only the small second segment arrives: the server's duplicate ACK still asks for the first.
      .seg(false, SISN, CISN, ACK)
      .resend(5, true, CISN, SISN, first);
    const r = await w.analyze('client-hello');
    expect(r.connections[0].unacked).toMatchObject({ by: 'client', resends: 5, bytes: hello.length });
    expect(r.verdict).toMatchObject({ stage: 'tls', state: 'stalled', host: 'proxy.golang.org', address: `${SERVER}:443` });
    expect(r.verdict.summary).toBe(
      `Packets between the client and proxy.golang.org (${SERVER}:443) are lost on the path: ${hello.length} bytes of the ClientHello were never acknowledged by the server, re-sent 5 times in 6.2 s.`);
    expect(r.verdict.hints[0]).toBe(
      `This ClientHello is ${hello.length} bytes, more than one packet: go 1.23 and later add a post-quantum key share to it, which some paths and middleboxes drop. Try go with the classic key share: GODEBUG=tlsmlkem=0 (go 1.24 and later) or GODEBUG=tlskyber=0 (go 1.23).`);
    expect(r.verdict.hints[1]).toMatch(/ping -M do -s 1472 10\.9\.9\.9/);
    // Then the TLS stage's own hints (a ClientHello dropped is what SNI filters do too).
    expect(r.verdict.hints.join('\n')).toMatch(/filtering by SNI/);

    const zh = await w.analyze('client-hello-zh', 'zh-CN');
    expect(zh.verdict.summary).toBe(
      `客户端与 proxy.golang.org（${SERVER}:443）之间的数据包在路上丢失：ClientHello 的 ${hello.length} 字节在 6.2 秒内重发了 5 次，服务器始终没有确认。`);
    expect(zh.verdict.hints[0]).toMatch(/GODEBUG=tlsmlkem=0（go 1\.24 及以后）或 GODEBUG=tlskyber=0（go 1\.23）/);
  });

  it('a plain-HTTP response the capture holds but the client never acknowledged: stalled waiting for the response, not a trickle', async () => {
    const req = text('GET /golang.org/x/mod/@v/list HTTP/1.1\r\nHost: goproxy.example\r\n\r\n');
    const resp = text(`HTTP/1.1 200 OK\r\nContent-Length: 4000\r\n\r\n${'v'.repeat(4000)}`);
    const w = new Wire(80).open()
      .seg(true, CISN, SISN, ACK | PSH, req)
      .seg(false, SISN, CISN + req.length, ACK);
    for (let off = 0; off < resp.length; off += 1448) w.seg(false, SISN + off, CISN + req.length, ACK | PSH, resp.subarray(off, off + 1448));
    w.resend(4, false, SISN, CISN + req.length, resp.subarray(0, 1448));
    const r = await w.analyze('http-response');
    expect(r.verdict).toMatchObject({ stage: 'proxy-response', state: 'stalled', host: 'goproxy.example' });
    expect(r.verdict.summary).toMatch(new RegExp(`lost on the path: ${resp.length} bytes of the response were never acknowledged by the client, re-sent 4 times in 3\\.0 s`));
    expect(r.verdict.hints.join('\n')).toMatch(/GOPROXY/);
  });

  it('re-sent data the other side acknowledged later is no stall', async () => {
    const req = text('GET /golang.org/x/mod/@v/list HTTP/1.1\r\nHost: goproxy.example\r\n\r\n');
    const resp = text(`HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n${'v'.repeat(2000)}`);
    const end = SISN + resp.length;
    const w = new Wire(80).open()
      // The request is lost once, then acknowledged.
      .seg(true, CISN, SISN, ACK | PSH, req)
      .resend(2, true, CISN, SISN, req)
      .seg(false, SISN, CISN + req.length, ACK)
      .seg(false, SISN, CISN + req.length, ACK | PSH, resp.subarray(0, 1448))
      .seg(false, SISN + 1448, CISN + req.length, ACK | PSH, resp.subarray(1448))
      // The response's first segment is lost twice, then all of it is acknowledged.
      .resend(3, false, SISN, CISN + req.length, resp.subarray(0, 1448))
      .seg(true, CISN + req.length, end, ACK);
    w.b.idle(5);
    w.seg(true, CISN + req.length, end, ACK | FIN).seg(false, end, CISN + req.length + 1, ACK | FIN).seg(true, CISN + req.length + 1, end + 1, ACK);
    const r = await w.analyze('acknowledged');
    expect(r.connections[0].retransmits).toBe(5);
    expect(r.connections[0].unacked).toBeUndefined();
    expect(r.verdict).toMatchObject({ stage: 'none', state: 'ok' });
    expect([r.verdict, ...r.findings].map((f) => f.summary).join('\n')).not.toMatch(/lost on the path/);
  });
});
