/**
 * Stalls behind requests the parsers cannot read whole: an HTTP request line or header block
 * longer than they keep, a TLS record longer than TLS allows. Each capture is written by the test:
 * the request goes out, the server acknowledges it and says nothing for 15 s.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../src/timeline/analyze.js';
import { CaptureBuilder } from '../share/build.js';
import { clientHelloBody, concat, handshake, records, serverHelloBody, text } from '../protocols/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'gomod-trace-long-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function silentAfter(name: string, request: Uint8Array) {
  const b = new CaptureBuilder();
  const c = b.tcp('10.0.0.2', 50000, '10.9.9.9', 8080).open();
  c.send(true, request);
  b.idle(15);
  c.close();
  const file = join(dir, `${name}.pcap`);
  writeFileSync(file, b.pcap());
  return analyze({ capture: file });
}

const get = (target: string, headers = '') => text(`GET ${target} HTTP/1.1\r\nHost: goproxy.example\r\n${headers}\r\n`);

describe('a plain-HTTP request the server never answers', () => {
  for (const length of [8000, 9000, 40_000]) {
    it(`is a stall with a ${length}-character target`, async () => {
      const r = await silentAfter(`target-${length}`, get(`/${'a'.repeat(length - 1)}`));
      expect(r.verdict).toMatchObject({ stage: 'proxy-response', state: 'stalled', host: 'goproxy.example' });
      expect(r.verdict.waited).toBeGreaterThan(14);
    });
  }

  it('is a stall with a 20 KiB header block, or a 20 KiB header line', async () => {
    const lines = `X-Filler: ${'f'.repeat(490)}\r\n`.repeat(40);
    for (const [name, headers] of [['block', lines], ['line', `Cookie: ${'c'.repeat(20_000)}\r\n`]]) {
      const r = await silentAfter(name, get('/x/@v/list', headers));
      expect(r.verdict).toMatchObject({ stage: 'proxy-response', state: 'stalled', host: 'goproxy.example' });
    }
  });
});

describe('a TLS connection whose request the TLS reader cannot follow', () => {
  const hello = records(22, handshake(1, clientHelloBody({ sni: 'goproxy.example' })));
  const tooLong = records(23, new Uint8Array(20_000), 20_000);

  async function silentTls(name: string, exchange: Array<[boolean, Uint8Array]>) {
    const b = new CaptureBuilder();
    const c = b.tcp('10.0.0.2', 50000, '10.9.9.9', 443).open();
    for (const [fromClient, bytes] of exchange) c.send(fromClient, bytes);
    b.idle(15);
    c.close();
    const file = join(dir, `${name}.pcap`);
    writeFileSync(file, b.pcap());
    const r = await analyze({ capture: file });
    expect(r.anomalies.map((a) => a.name)).toContain('TLS_record_too_long');
    expect(r.verdict).toMatchObject({ stage: 'proxy-response', state: 'stalled', host: 'goproxy.example' });
  }

  it('is a stall when the client\'s first encrypted record (TLS 1.3) is longer than TLS allows', async () => {
    // ServerHello, then the encrypted rest of the server's handshake; the client's Finished and request in one record.
    await silentTls('tls13', [
      [true, hello],
      [false, concat(records(22, handshake(2, serverHelloBody({ version: 0x0304 }))), records(20, Uint8Array.of(1)), records(23, new Uint8Array(2000)))],
      [true, concat(records(20, Uint8Array.of(1)), tooLong)],
    ]);
  });

  it('is a stall when the request after a TLS 1.2 handshake is in such a record', async () => {
    await silentTls('tls12', [
      [true, hello],
      [false, records(22, concat(handshake(2, serverHelloBody()), handshake(11, new Uint8Array(300)), handshake(14, new Uint8Array(0))))],
      [true, concat(records(22, handshake(16, new Uint8Array(66))), records(20, Uint8Array.of(1)), records(22, new Uint8Array(40)))],
      [false, concat(records(20, Uint8Array.of(1)), records(22, new Uint8Array(40)))],
      [true, tooLong],
    ]);
  });
});
