/**
 * Redaction of what was not seen to end: an HTTP head whose blank line never came (the capture
 * stops, the connection is reset, a segment is missing, a pipelined second head is cut) and a TLS
 * hello cut by the end of the capture. The secrets must be gone from the file — as text and as the
 * base64 they travel in — and the redacted capture must give the diagnosis the original gives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redactCapture } from '../../src/share/index.js';
import { readCaptureBytes } from '../../src/capture/reader.js';
import { decodePacket } from '../../src/decode/packet.js';
import { analyze } from '../../src/timeline/analyze.js';
import { CaptureBuilder, type TcpStream } from './build.js';
import { differences, containsBytes } from './compare.js';
import { clientHelloBody, handshake, records, text } from '../protocols/helpers.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gomod-trace-unfinished-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const b64 = (s: string): string => Buffer.from(s, 'latin1').toString('base64').replace(/=+$/, '');

/** Every form a secret of these tests can take in the file. */
const SECRETS = ['SECRET-TOKEN-123', b64('SECRET-TOKEN-123'), 'c2VjcmV0', 'SECRETPW', 'COOKIE-SECRET', 'QUERY-SECRET'];
/** What is left of a secret cut by the end of a head (so a test also sees a part of one). */
const PARTS = ['SECRET-', 'c2Vj', 'COOKIE-SEC', 'user:SEC', 'QUERY-SEC'];

async function redactAndAnalyze(name: string, b: CaptureBuilder, format: 'pcap' | 'pcapng') {
  const input = join(dir, `${name}.${format}`);
  const output = join(dir, `${name}.redacted.${format}`);
  const raw = format === 'pcap' ? b.pcap() : b.pcapng();
  writeFileSync(input, raw);
  await redactCapture(input, output);
  const [before, after] = await Promise.all([analyze({ capture: input }), analyze({ capture: output })]);
  return { raw, bytes: readFileSync(output), before, after };
}

/** The file's bytes and, after them, its TCP payloads one after the other (a secret cut into segments is whole there). */
async function searchable(file: Uint8Array): Promise<Uint8Array> {
  const payloads: Uint8Array[] = [file];
  await readCaptureBytes(file, 'capture', (p) => {
    const tcp = decodePacket(p).tcp;
    if (tcp) payloads.push(tcp.payload);
  });
  return Buffer.concat(payloads);
}

/** The secrets `raw` holds, and that none of them is left in `out`. */
async function expectSecretsGone(raw: Uint8Array, out: Uint8Array, what: string): Promise<void> {
  const [before, after] = await Promise.all([searchable(raw), searchable(out)]);
  const held = [...SECRETS, ...PARTS].filter((s) => containsBytes(before, s));
  expect(held.length, `${what}: the input holds a secret`).toBeGreaterThan(0);
  for (const s of held) expect(containsBytes(after, s), `${what}: ${s} is gone`).toBe(false);
}

const REQUEST = 'GET /lab.example/m/@v/list HTTP/1.1\r\nHost: 10.9.9.8\r\nUser-Agent: Go-http-client/1.1\r\nAuthorization: Bearer SECRET-TOKEN-123\r\nCookie: s=COOKIE-SECRET\r\nAccept-Encoding: gzip\r\n\r\n';
const CONNECT = 'CONNECT proxy.golang.org:443 HTTP/1.1\r\nHost: proxy.golang.org:443\r\nProxy-Authorization: Basic c2VjcmV0\r\nUser-Agent: Go-http-client/1.1\r\n\r\n';
const USERINFO = 'GET https://user:SECRETPW@lab.example/m/@v/list HTTP/1.1\r\nHost: lab.example\r\n\r\n';
const QUERY = 'GET /lab.example/m/@v/list?token=QUERY-SECRET HTTP/1.1\r\nHost: lab.example\r\n\r\n';

/** The head up to and including `at` (a text in it), or without its last `at` bytes. */
function cutAt(head: string, at: string | number): string {
  return typeof at === 'number' ? head.slice(0, head.length - at) : head.slice(0, head.indexOf(at) + at.length);
}

interface Case {
  name: string;
  /** Sends the (unfinished) traffic on a connection opened by the test, then the test waits. */
  build(c: TcpStream, sizes: number[]): void;
  /** How the connection ends after the wait: the capture stops, or a reset. */
  end?: 'stop' | 'reset';
  port?: number;
  /** What the diagnosis finds (on both copies). */
  verdict?: { stage: string; state: string };
}

const CASES: Case[] = [
  // The blank line never came: every line whole, the Authorization line whole, the last line cut.
  { name: 'no blank line', build: (c, s) => c.send(true, text(cutAt(REQUEST, 2)), s) },
  { name: 'cut in the Authorization value', build: (c, s) => c.send(true, text(cutAt(REQUEST, 'SECRET-TOKEN')), s) },
  { name: 'cut in the Cookie line', build: (c, s) => c.send(true, text(cutAt(REQUEST, 'COOKIE-SEC')), s) },
  { name: 'cut in the request target', build: (c, s) => c.send(true, text(cutAt(USERINFO, 'user:SECRETPW')), s) },
  { name: 'cut in the query', build: (c, s) => c.send(true, text(cutAt(QUERY, 'QUERY-SEC')), s) },
  { name: 'cut after the request line', build: (c, s) => c.send(true, text(cutAt(USERINFO, 'Host: lab')), s) },
  { name: 'cut after the request line with a token', build: (c, s) => c.send(true, text(cutAt(QUERY, 'Host: lab')), s) },
  { name: 'cut by a reset', build: (c, s) => c.send(true, text(cutAt(REQUEST, 'Cookie: s=COOKIE-SECRET\r\n')), s), end: 'reset' },
  {
    name: 'a segment missing',
    build: (c) => {
      const head = text(REQUEST);
      const hole = REQUEST.indexOf('\r\n\r\n') - 6;
      c.send(true, head.subarray(0, hole));
      c.lose(true, 4);
      c.send(true, head.subarray(hole + 4));
    },
  },
  {
    name: 'a segment missing inside the secret',
    build: (c) => {
      const head = text(REQUEST);
      const at = REQUEST.indexOf('TOKEN-123');
      c.send(true, head.subarray(0, at));
      c.lose(true, 3);
      c.send(true, head.subarray(at + 3));
    },
  },
  {
    name: 'pipelined, the second head cut',
    build: (c, s) => {
      c.send(true, text(`GET /lab.example/m/@v/v1.0.0.mod HTTP/1.1\r\nHost: 10.9.9.8\r\n\r\n${cutAt(REQUEST, 'Cookie: s=COO')}`), s);
      c.send(false, text('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'), s);
    },
  },
  {
    name: 'pipelined, the first unanswered, the second head cut',
    build: (c, s) => c.send(true, text(`GET /lab.example/m/@v/v1.0.0.mod HTTP/1.1\r\nHost: 10.9.9.8\r\n\r\n${cutAt(REQUEST, 'Bearer SECRET-TOKEN-123\r\n')}`), s),
    verdict: { stage: 'proxy-response', state: 'stalled' },
  },
  { name: 'CONNECT, Proxy-Authorization whole', port: 3128, build: (c, s) => c.send(true, text(cutAt(CONNECT, 'User-Agent: Go')), s) },
  { name: 'CONNECT, cut in Proxy-Authorization', port: 3128, build: (c, s) => c.send(true, text(cutAt(CONNECT, 'Basic c2Vj')), s) },
  { name: 'CONNECT, cut by a reset', port: 3128, build: (c, s) => c.send(true, text(cutAt(CONNECT, 2)), s), end: 'reset' },
];

describe('redaction of an unfinished HTTP head', () => {
  for (const k of CASES) {
    it(k.name, async () => {
      for (const format of ['pcap', 'pcapng'] as const) {
        for (const sizes of [[100_000], [7], [23, 5]]) {
          const b = new CaptureBuilder();
          const c = b.tcp('10.0.0.2', 50001, '10.9.9.8', k.port ?? 80).open();
          k.build(c, sizes);
          b.idle(20);
          // The capture goes on (another program's datagram) or the server resets the connection.
          if (k.end === 'reset') c.reset(false);
          else b.udp('10.0.0.2', 40001, '10.0.0.7', 9999, text('later'));
          const what = `${format}, segments ${sizes}`;
          const r = await redactAndAnalyze(`${k.name}-${format}-${sizes.join('-')}`.replace(/\W+/g, '_'), b, format);
          await expectSecretsGone(r.raw, r.bytes, what);
          expect(differences(r.before, r.after), what).toEqual([]);
          if (k.verdict) expect(r.after.verdict, what).toMatchObject(k.verdict);
        }
      }
    });
  }

  it('property: a head cut anywhere, in any segments, by any end — secrets gone, diagnosis unchanged', async () => {
    const both = USERINFO.replace(' HTTP/1.1', '?token=QUERY-SECRET HTTP/1.1');
    const heads = [REQUEST, CONNECT, USERINFO, QUERY, both, `GET /a HTTP/1.1\r\nHost: h\r\n\r\n${REQUEST}`];
    const response = 'HTTP/1.1 200 OK\r\nSet-Cookie: sid=COOKIE-SECRET; Path=/\r\nContent-Length: 2\r\n\r\nok';
    let n = 0;
    await fc.assert(fc.asyncProperty(
      fc.nat(heads.length - 1), fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean(),
      fc.array(fc.integer({ min: 1, max: 90 }), { minLength: 1, maxLength: 4 }), fc.constantFrom('stop', 'reset', 'hole'),
      async (h, where, serverHead, sizes, end) => {
        const b = new CaptureBuilder();
        const c = b.tcp('10.0.0.2', 50001, '10.9.9.8', 8080).open();
        const head = serverHead ? response : heads[h];
        if (serverHead) c.send(true, text(heads[h]), sizes);
        const cut = text(head).subarray(0, Math.max(1, Math.floor(where * head.length)));
        if (end === 'hole') {
          c.send(!serverHead, cut.subarray(0, cut.length >> 1), sizes);
          c.lose(!serverHead, 3);
          c.send(!serverHead, cut.subarray((cut.length >> 1) + 3), sizes);
        } else c.send(!serverHead, cut, sizes);
        b.idle(20);
        if (end === 'reset') c.reset(serverHead);
        else b.udp('10.0.0.2', 40001, '10.0.0.7', 9999, text('later'));
        const r = await redactAndAnalyze(`prop${n++}`, b, 'pcap');
        const [before, after] = await Promise.all([searchable(r.raw), searchable(r.bytes)]);
        for (const x of [...SECRETS, ...PARTS]) if (containsBytes(before, x)) expect(containsBytes(after, x), x).toBe(false);
        expect(differences(r.before, r.after)).toEqual([]);
      },
    ), { numRuns: 150 });
  }, 60_000);

  it('keeps the whole lines it saw (credentials starred) and zeroes the one it did not see end', async () => {
    const b = new CaptureBuilder();
    b.tcp('10.0.0.2', 50001, '10.9.9.8', 80).open().send(true, text(cutAt(REQUEST, 'COOKIE-SEC')));
    b.idle(20);
    const r = await redactAndAnalyze('kept', b, 'pcap');
    const starred = `Authorization: ${'*'.repeat('Bearer SECRET-TOKEN-123'.length)}\r\n`;
    const lines = `GET /lab.example/m/@v/list HTTP/1.1\r\nHost: 10.9.9.8\r\nUser-Agent: Go-http-client/1.1\r\n${starred}`;
    expect(containsBytes(r.bytes, `${lines}${'\0'.repeat('Cookie: s=COOKIE-SEC'.length)}`)).toBe(true);
  });

  it('an unfinished request line keeps its method: the stream is still HTTP', async () => {
    const b = new CaptureBuilder();
    b.tcp('10.0.0.2', 50001, '10.9.9.8', 80).open().send(true, text(cutAt(USERINFO, 'SECRETPW')));
    b.idle(20);
    const r = await redactAndAnalyze('method', b, 'pcap');
    const cut = cutAt(USERINFO, 'SECRETPW');
    expect(containsBytes(r.bytes, `GET ${'\0'.repeat(cut.length - 4)}`)).toBe(true);
    expect(differences(r.before, r.after)).toEqual([]);
  });
});

describe('redaction of a TLS hello not seen whole (as before: a guard)', () => {
  const hello = records(22, handshake(1, clientHelloBody({ sni: 'proxy.golang.org', alpn: ['http/1.1'] })));
  const cases: Array<[string, (c: TcpStream) => void]> = [
    ['cut by the end of the capture', (c) => c.send(true, hello.subarray(0, hello.length - 10))],
    // The hello's last bytes missing, then application data: kept to the end of the hello's record, no further.
    ['its end missing, then application data', (c) => c.send(true, hello.subarray(0, hello.length - 10)).lose(true, 10).send(true, records(23, text('SECRET-TOKEN-123 after the hello')))],
  ];
  it.each(cases)('%s: what was captured of it kept (its SNI), nothing after it', async (name, build) => {
    for (const format of ['pcap', 'pcapng'] as const) {
      const b = new CaptureBuilder();
      build(b.tcp('10.0.0.2', 50000, '10.9.9.9', 443).open());
      b.idle(20);
      b.udp('10.0.0.2', 40001, '10.0.0.7', 9999, text('later'));
      const r = await redactAndAnalyze(`tls-${name}-${format}`.replace(/\W+/g, '_'), b, format);
      const after = await searchable(r.bytes);
      expect(containsBytes(after, 'SECRET-TOKEN-123'), format).toBe(false);
      expect(containsBytes(after, hello.subarray(0, hello.length - 10)), format).toBe(true);
      expect(differences(r.before, r.after), format).toEqual([]);
    }
  });
});
