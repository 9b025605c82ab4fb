/**
 * redactCapture on synthetic captures: what is cut (secrets in HTTP headers and bodies, TLS
 * application data, unknown TCP and UDP payloads), what is kept (DNS, TLS hellos, HTTP framing),
 * and that the analysis of the redacted capture is the analysis of the original — whatever the
 * segmentation (fast-check).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redactCapture, RedactError } from '../../src/share/index.js';
import { analyze } from '../../src/timeline/analyze.js';
import { readCaptureBytes } from '../../src/capture/reader.js';
import { CaptureBuilder, type Framing } from './build.js';
import { ether, ipv4, udp } from '../capture/fixtures/frames.js';
import { differences, containsBytes } from './compare.js';
import { clientHelloBody, serverHelloBody, handshake, records, concat, text, dnsQuery, dnsResponse } from '../protocols/helpers.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gomod-trace-share-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SECRETS = ['APPDATA-SECRET', 'dGVzdGVyOmh1bnRlcjI', 'COOKIE-SECRET', 'URLTOKEN-SECRET', 'CHUNK-SECRET', 'POST-SECRET', 'BODY-SECRET', 'cHVzZXI6UFJPWFlQQVNT', 'TUNNEL-SECRET', 'RAW-SECRET', 'UDP-SECRET', 'TRAILER-SECRET'];

function appData(marker: string, n: number): Uint8Array {
  return text(`${marker}${'x'.repeat(n)}`.slice(0, Math.max(n, marker.length)));
}

/** A capture with TLS, HTTP (chunked and Content-Length bodies), CONNECT, DNS, UDP and an unknown protocol. */
function scenario(sizes: number[], framing: Framing = 'ether4'): CaptureBuilder {
  const b = new CaptureBuilder(framing);
  b.udp('10.0.0.2', 40000, '10.0.0.53', 53, dnsQuery(7, 'proxy.golang.org'));
  b.udp('10.0.0.53', 53, '10.0.0.2', 40000, dnsResponse(7, 'proxy.golang.org', { answers: [{ type: 'A', name: 'proxy.golang.org', data: '10.9.9.9' }] }));
  b.udp('10.0.0.2', 40001, '10.0.0.7', 9999, text('UDP-SECRET payload'));

  // TLS 1.2: hellos, certificate, CCS, encrypted Finished, application data, alert.
  const tls = b.tcp('10.0.0.2', 50000, '10.9.9.9', 443).open();
  tls.send(true, records(22, handshake(1, clientHelloBody({ sni: 'proxy.golang.org', alpn: ['http/1.1'] }))), sizes);
  tls.send(false, concat(records(22, concat(handshake(2, serverHelloBody({ alpn: 'http/1.1' })), handshake(11, new Uint8Array(300).fill(3)), handshake(14, new Uint8Array(0))))), sizes);
  tls.send(true, concat(records(20, Uint8Array.of(1)), records(22, new Uint8Array(40).fill(0)), records(23, appData('APPDATA-SECRET', 300))), sizes);
  tls.send(false, concat(records(20, Uint8Array.of(1)), records(22, new Uint8Array(40).fill(0)), records(23, appData('APPDATA-SECRET', 2000), 700)), sizes);
  tls.send(false, records(21, Uint8Array.of(1, 0)), sizes);
  tls.close();

  // Plain HTTP: credentials in headers and the URL, chunked and Content-Length bodies, keep-alive.
  const http = b.tcp('10.0.0.2', 50001, '10.9.9.8', 80).open();
  http.send(true, text('GET /lab.example/m/@v/list?token=URLTOKEN-SECRET HTTP/1.1\r\nHost: 10.9.9.8\r\nAuthorization: Basic dGVzdGVyOmh1bnRlcjI=\r\nCookie: s=COOKIE-SECRET\r\n\r\n'), sizes);
  http.send(false, text('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nCHUNK-SECRET-abc\r\n5\r\nhello\r\n0\r\nX-Trailer: token=TRAILER-SECRET\r\n\r\n'), sizes);
  http.send(true, text('POST /upload HTTP/1.1\r\nHost: 10.9.9.8\r\nContent-Length: 20\r\n\r\nPOST-SECRET-12345678'), sizes);
  http.send(false, text('HTTP/1.1 200 OK\r\nContent-Length: 25\r\n\r\nBODY-SECRET-0123456789abc'), sizes);
  http.close();

  // CONNECT with Proxy-Authorization, then TLS in the tunnel.
  const proxy = b.tcp('10.0.0.2', 50002, '10.0.0.3', 3128).open();
  proxy.send(true, text('CONNECT proxy.golang.org:443 HTTP/1.1\r\nHost: proxy.golang.org:443\r\nProxy-Authorization: Basic cHVzZXI6UFJPWFlQQVNT\r\n\r\n'), sizes);
  proxy.send(false, text('HTTP/1.1 200 Connection established\r\n\r\n'), sizes);
  proxy.send(true, records(22, handshake(1, clientHelloBody({ sni: 'proxy.golang.org' }))), sizes);
  proxy.send(false, records(22, handshake(2, serverHelloBody({ version: 0x0304 }))), sizes);
  proxy.send(true, concat(records(20, Uint8Array.of(1)), records(23, appData('TUNNEL-SECRET', 400))), sizes);
  proxy.close();

  // Something else: cut entirely.
  const other = b.tcp('10.0.0.2', 50003, '10.9.9.7', 22).open();
  other.send(false, text('SSH-2.0-OpenSSH_9.6\r\n'), sizes);
  other.send(true, text('SSH-2.0-client RAW-SECRET\r\n'), sizes);
  other.close();
  return b;
}

async function redactAndAnalyze(name: string, bytes: Uint8Array, ext = 'pcap') {
  const input = join(dir, `${name}.${ext}`);
  const output = join(dir, `${name}.redacted.${ext}`);
  writeFileSync(input, bytes);
  const result = await redactCapture(input, output);
  const [raw, red] = await Promise.all([analyze({ capture: input }), analyze({ capture: output })]);
  return { input, output, result, raw, red, bytes: readFileSync(output) };
}

describe('redactCapture', () => {
  it('cuts every secret and keeps the diagnosis (one segment per message)', async () => {
    const b = scenario([100_000]);
    const raw = b.pcap();
    for (const s of SECRETS) expect(containsBytes(raw, s), `the input holds ${s}`).toBe(true);
    const r = await redactAndAnalyze('whole', raw);
    for (const s of SECRETS) expect(containsBytes(r.bytes, s), `${s} is gone`).toBe(false);
    expect(differences(r.raw, r.red)).toEqual([]);
    expect(r.result.connections).toEqual({ tls: 1, http: 2, dns: 0, other: 1 });
    expect(r.result.packets).toBe(b.packets.length);
    expect(r.result.bytesOut).toBeLessThan(r.result.bytesIn);
  });

  it('keeps what the verdict needs: DNS names, SNI, HTTP lines and header names', async () => {
    const r = await redactAndAnalyze('kept', scenario([100_000]).pcap());
    for (const s of ['proxy.golang.org', 'GET /lab.example/m/@v/list?token=', 'Authorization: ', 'Transfer-Encoding: chunked', 'HTTP/1.1 200 Connection established', 'Content-Length: 25']) {
      expect(containsBytes(r.bytes, s), s).toBe(true);
    }
    expect(r.red.dns.length).toBeGreaterThan(0);
    const tlsConn = r.red.connections.find((c) => c.tls?.sni === 'proxy.golang.org' && !c.proxyConnect);
    expect(tlsConn?.tls?.alpn ?? tlsConn?.tls).toBeTruthy();
    const connect = r.red.connections.find((c) => c.proxyConnect);
    expect(connect?.proxyConnect?.status).toBe(200);
    expect(connect?.tls?.sni).toBe('proxy.golang.org');
  });

  it('every packet keeps its original length and its headers', async () => {
    const b = scenario([333]);
    const r = await redactAndAnalyze('lengths', b.pcap());
    const out: Array<{ orig: number; cap: number; head: string }> = [];
    await readCaptureBytes(r.bytes, 'out', (p) => out.push({ orig: p.originalLength, cap: p.capturedLength, head: Buffer.from(p.data.subarray(0, 34)).toString('hex') }));
    expect(out.length).toBe(b.packets.length);
    out.forEach((p, i) => {
      expect(p.orig).toBe(b.packets[i].data.length);
      expect(p.cap).toBeLessThanOrEqual(p.orig);
      expect(p.head).toBe(Buffer.from(b.packets[i].data.subarray(0, 34)).toString('hex'));
    });
  });

  it('Linux cooked v2 (tcpdump -i any) and IPv6: secrets gone, same diagnosis', async () => {
    const raw = scenario([512], 'sll2v6').pcap();
    for (const s of SECRETS) expect(containsBytes(raw, s), `the input holds ${s}`).toBe(true);
    const r = await redactAndAnalyze('sll2v6', raw);
    for (const s of SECRETS) expect(containsBytes(r.bytes, s), s).toBe(false);
    expect(r.raw.connections.length).toBe(4);
    expect(r.raw.connections[0].client).toMatch(/^\[fd00::/);
    expect(differences(r.raw, r.red)).toEqual([]);
  });

  it('IP fragments: a fragmented DNS answer stays whole, other fragments lose their payload', async () => {
    const b = new CaptureBuilder();
    const answers = Array.from({ length: 40 }, (_, i) => ({ type: 'A' as const, name: 'big.lab.example', data: `10.1.0.${i + 1}` }));
    const dns = udp(53, 40000, dnsResponse(9, 'big.lab.example', { answers }));
    const other = udp(40001, 9999, text(`FRAGMENTED-SECRET ${'y'.repeat(600)}`));
    b.udp('10.0.0.2', 40000, '10.0.0.53', 53, dnsQuery(9, 'big.lab.example'));
    for (const [payload, src, dst, id] of [[dns, '10.0.0.53', '10.0.0.2', 77], [other, '10.0.0.2', '10.0.0.7', 78]] as const) {
      const cut = 248;
      b.raw(ether(0x0800, ipv4(src, dst, 17, payload.subarray(0, cut), { id, moreFragments: true })));
      b.raw(ether(0x0800, ipv4(src, dst, 17, payload.subarray(cut), { id, fragOffset: cut })));
    }
    const r = await redactAndAnalyze('frags', b.pcap());
    expect(containsBytes(r.bytes, 'FRAGMENTED-SECRET')).toBe(false);
    expect(containsBytes(r.bytes, dns.subarray(300, 340))).toBe(true);
    expect(r.red.dns[0]).toMatchObject({ name: 'big.lab.example', rcode: 'NOERROR' });
    expect(r.red.dns[0].answers).toHaveLength(40);
    expect(differences(r.raw, r.red)).toEqual([]);
  });

  it('pcapng in, pcapng out, same diagnosis', async () => {
    const r = await redactAndAnalyze('ng', scenario([700]).pcapng(), 'pcapng');
    expect(r.result.format).toBe('pcapng');
    expect(r.bytes.readUInt32LE(0)).toBe(0x0a0d0d0a);
    for (const s of SECRETS) expect(containsBytes(r.bytes, s), s).toBe(false);
    expect(differences(r.raw, r.red)).toEqual([]);
  });

  it('lines and header blocks longer than the analyzer keeps: the parts it skips are zeroed, the rest masked, same diagnosis', async () => {
    const secrets = ['LONGURL-SECRET', 'COOKIE1-SECRET', 'QUxUQVVUSC1TRUNSRVQ', 'HEADCOOKIE-SECRET', 'TAILCOOKIE-SECRET', 'TGF0ZUF1dGgtU0VDUkVU', 'LATE-SECRET'];
    // A request line cut short, then ordinary lines; a header line cut short, then lines past 16 KiB.
    const first = `GET /lab.example/m/@v/list?token=LONGURL-SECRET&pad=${'p'.repeat(9000)} HTTP/1.1\r\n` +
      `Cookie: s=COOKIE1-SECRET${'c'.repeat(3000)}\r\nHost: 10.9.9.8\r\nAuthorization: Basic QUxUQVVUSC1TRUNSRVQ=\r\n\r\n`;
    const second = `GET /lab.example/m/@v/v1.0.0.zip HTTP/1.1\r\nHost: 10.9.9.8\r\nCookie: s=HEADCOOKIE-SECRET${'c'.repeat(12_000)}TAILCOOKIE-SECRET\r\n` +
      `Authorization: Basic TGF0ZUF1dGgtU0VDUkVU\r\n${`X-Pad: ${'x'.repeat(5000)}\r\n`.repeat(2)}X-Late: token=LATE-SECRET\r\n\r\n`;
    for (const sizes of [[100_000], [1460], [333, 7]]) {
      const b = new CaptureBuilder();
      const c = b.tcp('10.0.0.2', 50001, '10.9.9.8', 80).open();
      c.send(true, text(first), sizes);
      c.send(false, text('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'), sizes);
      c.send(true, text(second), sizes);
      b.idle(15);
      c.close();
      const raw = b.pcap();
      for (const x of secrets) expect(containsBytes(raw, x), `the input holds ${x}`).toBe(true);
      const r = await redactAndAnalyze(`long-${sizes.join('-')}`, raw);
      for (const x of secrets) expect(containsBytes(r.bytes, x), `${x} is gone (segments ${sizes})`).toBe(false);
      // Masked where they are, after a cut line too.
      expect(containsBytes(r.bytes, '\r\nAuthorization: **************************\r\n\r\n')).toBe(true);
      expect(containsBytes(r.bytes, '\nAuthorization: **************************\r\nX-Pad: ')).toBe(true);
      expect(r.raw.connections[0].http.map((h) => h.host)).toEqual(['10.9.9.8', '10.9.9.8']);
      expect(r.raw.anomalies.map((a) => a.name)).toEqual(['HTTP_line_too_long', 'HTTP_line_too_long', 'HTTP_header_too_long']);
      expect(r.raw.verdict).toMatchObject({ stage: 'proxy-response', state: 'stalled' });
      expect(differences(r.raw, r.red)).toEqual([]);
    }
  });

  it('a request target with credentials in its userinfo and its query keeps its host and path: same diagnosis', async () => {
    const b = new CaptureBuilder();
    const c = b.tcp('10.0.0.2', 50001, '10.0.0.3', 3128).open();
    c.send(true, text('GET http://user:USERINFO-SECRET@lab.example/m/@v/list?token=URLTOKEN-SECRET HTTP/1.1\r\nHost: lab.example\r\n\r\n'));
    b.idle(20);
    c.close();
    const r = await redactAndAnalyze('userinfo-query', b.pcap());
    for (const s of ['USERINFO-SECRET', 'URLTOKEN-SECRET']) expect(containsBytes(r.bytes, s), s).toBe(false);
    expect(containsBytes(r.bytes, '@lab.example/m/@v/list?token=')).toBe(true);
    expect(r.raw.verdict).toMatchObject({ stage: 'proxy-response', state: 'stalled' });
    expect(differences(r.raw, r.red)).toEqual([]);
  });

  it('property: any segmentation — secrets gone, diagnosis unchanged', async () => {
    let n = 0;
    await fc.assert(fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 1500 }), { minLength: 1, maxLength: 6 }), async (sizes) => {
      const r = await redactAndAnalyze(`prop${n++}`, scenario(sizes).pcap());
      for (const s of SECRETS) expect(containsBytes(r.bytes, s), `${s} with segments ${sizes}`).toBe(false);
      expect(differences(r.raw, r.red)).toEqual([]);
    }), { numRuns: 25 });
  }, 60_000);

  it('property: hostile payloads on any port never break it; every packet stays, none grows', async () => {
    let n = 0;
    const seg = fc.record({ fromClient: fc.boolean(), bytes: fc.uint8Array({ minLength: 1, maxLength: 600 }), head: fc.constantFrom('', '\x16\x03\x01', '\x17\x03\x03\x40\x00', 'GET / HTTP/1.1\r\n', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', 'CONNECT a:1 HTTP/1.1\r\n\r\n', 'HTTP/1.1 200 OK\r\n\r\n', 'fffffffffff\r\n') });
    const mess = fc.array(fc.record({ at: fc.nat(200), dup: fc.boolean() }), { maxLength: 6 });
    await fc.assert(fc.asyncProperty(fc.constantFrom(80, 443, 3128, 53, 22, 8080), fc.array(seg, { minLength: 1, maxLength: 12 }), fc.array(fc.integer({ min: 1, max: 900 }), { minLength: 1, maxLength: 4 }), mess, async (port, segs, sizes, ops) => {
      const b = new CaptureBuilder();
      const c = b.tcp('10.0.0.2', 40000 + (n % 1000), '10.9.9.9', port).open();
      // The client speaks first (a server that opens with a banner is a documented limit).
      segs.forEach((x, i) => c.send(i === 0 || x.fromClient, concat(text(x.head), x.bytes), sizes));
      c.close();
      b.udp('10.0.0.2', 5353, '224.0.0.251', 5353, segs[0].bytes);
      // Retransmissions and reordering: duplicate a packet, or swap two neighbours (times stay in order).
      for (const op of ops) {
        const i = op.at % (b.packets.length - 1);
        if (op.dup) b.packets.splice(i + 1, 0, { ...b.packets[i] });
        else [b.packets[i].data, b.packets[i + 1].data] = [b.packets[i + 1].data, b.packets[i].data];
      }
      const input = join(dir, `fuzz${n}.pcap`);
      const output = join(dir, `fuzz${n++}.out.pcap`);
      writeFileSync(input, b.pcap());
      const r = await redactCapture(input, output);
      expect(r.packets).toBe(b.packets.length);
      const lens: number[] = [];
      await readCaptureBytes(readFileSync(output), 'out', (p) => lens.push(p.capturedLength));
      lens.forEach((l, i) => expect(l).toBeLessThanOrEqual(b.packets[i].data.length));
      const [raw, red] = await Promise.all([analyze({ capture: input }), analyze({ capture: output })]);
      expect(differences(raw, red)).toEqual([]);
    }), { numRuns: Number(process.env.SHARE_FUZZ_RUNS ?? 300) });
  }, 60_000);

  it('bad input: a one-line error naming the file and the offset', async () => {
    const bad = join(dir, 'garbage.pcap');
    writeFileSync(bad, Buffer.from('this is not a capture at all, just text\n'));
    const err = await redactCapture(bad, join(dir, 'garbage.out.pcap')).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe('CaptureFormatError');
    expect((err as Error).message).toContain(bad);
    expect((err as Error).message).toMatch(/at byte \d+/);
  });

  it('refuses to overwrite its input and to read stdin', async () => {
    const f = join(dir, 'same.pcap');
    writeFileSync(f, scenario([100]).pcap());
    await expect(redactCapture(f, f)).rejects.toBeInstanceOf(RedactError);
    await expect(redactCapture('-', join(dir, 'x.pcap'))).rejects.toBeInstanceOf(RedactError);
  });
});
