/**
 * Redaction of what was not seen to end: an HTTP head whose blank line never came (the capture
 * stops, the connection is reset, a segment is missing, a pipelined second head is cut), a line or
 * a head longer than the reader keeps, and a TLS hello cut by the end of the capture. The secrets
 * must be gone from the file — as text and as the base64 they travel in — and the redacted capture
 * must give the diagnosis the original gives.
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

/**
 * The reader keeps a line's first 8 KiB and a block's first 16 KiB (src/protocols/http-header.ts):
 * a credential that runs into either cut is not seen whole by the masking rules. Each head below is
 * cut at every point around its secret — in the marker before it, in it, just after it — in plain
 * HTTP and in a CONNECT.
 */
describe('redaction of a credential around the 8 KiB line cut and the 16 KiB block cut', () => {
  /** Letters first, a digit late (a bearer value cut before it does not look encoded), no `*`. */
  const S = 'ZqVxWkJmQrLpTnHs7YbCgDfE';
  const BASIC = b64(`u:${S}`);
  const LINE = 8 * 1024;
  const BLOCK = 16 * 1024;

  interface Around {
    name: string;
    /** The head with `fill` bytes of padding before the secret: in the secret's line (a line cut) or as lines before it (a block cut). */
    head(fill: number): string;
    secret: string;
    cut: 'line' | 'block';
    port?: number;
    verdict: { stage: string; state: string };
  }

  /** Header lines of exactly `n` bytes (n = 0 or ≥ 10), none near the line limit. */
  const padLines = (n: number): string => {
    let out = '';
    while (n > 0) {
      const m = n - 4000 >= 10 ? 4000 : n;
      out += `X-Pad: ${'x'.repeat(m - 9)}\r\n`;
      n -= m;
    }
    return out;
  };
  const p = (n: number): string => 'p'.repeat(n);
  const GET = { stage: 'proxy-response', state: 'stalled' };
  const CONNECT_STALL = { stage: 'proxy-connect', state: 'stalled' };
  const get = (line: string): string => `GET /lab.example/m/@v/list HTTP/1.1\r\nHost: 10.9.9.8\r\n${line}\r\n\r\n`;
  const connect = (lines: string): string => `CONNECT proxy.golang.org:443 HTTP/1.1\r\nHost: proxy.golang.org:443\r\n${lines}\r\n`;

  const AROUND: Around[] = [
    { name: 'userinfo of a URL in the request target', cut: 'line', secret: S, verdict: GET, head: (f) => `GET /lab.example/m/@v/list?pad=${p(f)}&next=https://user:${S}@lab.example/ HTTP/1.1\r\nHost: 10.9.9.8\r\n\r\n` },
    { name: 'userinfo of a proxy request target', cut: 'line', port: 3128, secret: S, verdict: GET, head: (f) => `GET http://user:${p(f)}${S}@lab.example/m/@v/list HTTP/1.1\r\nHost: lab.example\r\n\r\n` },
    { name: 'access_token= in the query', cut: 'line', secret: S, verdict: GET, head: (f) => `GET /lab.example/m/@v/list?pad=${p(f)}&access_token=${S}&v=1 HTTP/1.1\r\nHost: 10.9.9.8\r\n\r\n` },
    { name: 'password= in the query', cut: 'line', secret: S, verdict: GET, head: (f) => `GET /lab.example/m/@v/list?pad=${p(f)};password=${S}&v=1 HTTP/1.1\r\nHost: 10.9.9.8\r\n\r\n` },
    { name: 'a GitHub token in the query', cut: 'line', secret: S, verdict: GET, head: (f) => `GET /lab.example/m/@v/list?pad=${p(f)}&t=ghp_${S}&v=1 HTTP/1.1\r\nHost: 10.9.9.8\r\n\r\n` },
    { name: 'Authorization: Bearer', cut: 'line', secret: S, verdict: GET, head: (f) => get(`Authorization: Bearer ${p(f)}${S}`) },
    { name: 'Authorization: Basic', cut: 'line', secret: BASIC, verdict: GET, head: (f) => get(`Authorization: Basic ${p(f)}${BASIC}`) },
    { name: 'Authorization, a quoted value', cut: 'line', secret: S, verdict: GET, head: (f) => get(`Authorization:"${p(f)}${S}"`) },
    { name: 'Cookie', cut: 'line', secret: S, verdict: GET, head: (f) => get(`Cookie: pad=${p(f)}; sid=${S}`) },
    { name: 'X-Api-Key', cut: 'line', secret: S, verdict: GET, head: (f) => get(`X-Api-Key: ${p(f)}${S}`) },
    { name: 'a bearer value in another header', cut: 'line', secret: S, verdict: GET, head: (f) => get(`X-Upstream: ${p(f)} Bearer ${S}`) },
    { name: 'Authorization inside another line, past 8 KiB', cut: 'line', secret: BASIC, verdict: GET, head: (f) => get(`X-Pad: ${p(f)}\tAuthorization: Basic ${BASIC}`) },
    { name: 'CONNECT, Proxy-Authorization: Negotiate', cut: 'line', port: 3128, secret: BASIC, verdict: CONNECT_STALL, head: (f) => connect(`Proxy-Authorization: Negotiate ${p(f)}${BASIC}\r\n`) },
    { name: 'CONNECT, Proxy-Authorization quoted', cut: 'line', port: 3128, secret: S, verdict: CONNECT_STALL, head: (f) => connect(`Proxy-Authorization:"${p(f)}${S}"\r\n`) },
    { name: 'Authorization past 16 KiB', cut: 'block', secret: S, verdict: GET, head: (f) => `GET /lab.example/m/@v/list HTTP/1.1\r\nHost: 10.9.9.8\r\n${padLines(f)}Authorization: Bearer ${S}\r\nAccept: */*\r\n\r\n` },
    { name: 'Cookie past 16 KiB, quoted', cut: 'block', secret: S, verdict: GET, head: (f) => `GET /lab.example/m/@v/list HTTP/1.1\r\nHost: 10.9.9.8\r\n${padLines(f)}Cookie:"${S}"\r\n\r\n` },
    { name: 'CONNECT, Proxy-Authorization past 16 KiB', cut: 'block', port: 3128, secret: BASIC, verdict: CONNECT_STALL, head: (f) => connect(`${padLines(f)}Proxy-Authorization: Basic ${BASIC}\r\n`) },
  ];

  /**
   * The head with the cut `j` bytes into the secret (≤ 0: before it; past its length: after it),
   * or null when the line or the block then ends before the cut.
   */
  function placed(k: Around, j: number): { head: string; at: number } | null {
    const h0 = k.head(0);
    const at0 = h0.indexOf(k.secret);
    const lineStart = h0.lastIndexOf('\n', at0) + 1;
    const head = k.head((k.cut === 'line' ? lineStart + LINE : BLOCK) - j - at0);
    const at = head.indexOf(k.secret);
    const longer = k.cut === 'line' ? head.indexOf('\n', at) - lineStart > LINE : head.indexOf('\r\n\r\n') + 4 > BLOCK;
    return longer ? { head, at } : null;
  }

  /** The client's payloads, one after the other (stream offset = index). */
  async function clientStream(file: Uint8Array): Promise<Buffer> {
    const out: Uint8Array[] = [];
    await readCaptureBytes(file, 'capture', (pk) => {
      const tcp = decodePacket(pk).tcp;
      if (tcp && tcp.srcPort === 50001) out.push(tcp.payload);
    });
    return Buffer.concat(out);
  }

  for (const k of AROUND) {
    it(k.name, async () => {
      const h0 = k.head(0);
      const before = h0.indexOf(k.secret) - h0.lastIndexOf('\n', h0.indexOf(k.secret)) - 1;
      // Before the marker, in it, in the secret, just after it; a block is also cut in the line's name.
      const js = [-40, -3, 0, 1, 2, 5, 11, k.secret.length - 1, k.secret.length, k.secret.length + 2];
      if (k.cut === 'block') js.unshift(3 - before);
      let heads = 0;
      for (const [i, j] of js.entries()) {
        const sizes = [[100_000], [1460], [333, 7]][i % 3];
        const where = placed(k, j);
        if (!where) continue;
        const { head, at } = where;
        heads++;
        const b = new CaptureBuilder();
        const c = b.tcp('10.0.0.2', 50001, '10.9.9.8', k.port ?? 80).open();
        c.send(true, text(head), sizes);
        b.idle(20);
        b.udp('10.0.0.2', 40001, '10.0.0.7', 9999, text('later'));
        const what = `cut ${j} bytes into the secret, segments ${sizes}`;
        const r = await redactAndAnalyze(`around-${k.name}-${j}`.replace(/\W+/g, '_'), b, 'pcap');
        const stream = await clientStream(r.bytes);
        expect(stream.length, what).toBe(head.length);
        // Not one byte of the secret is left where it was, nor a piece of it anywhere (the file,
        // the payloads, either report).
        const kept = [...stream.subarray(at, at + k.secret.length)].filter((x, n) => x === k.secret.charCodeAt(n));
        expect(kept, what).toEqual([]);
        const reports = JSON.stringify([r.before, r.after]);
        const hay = await searchable(r.bytes);
        for (let n = 0; n + 4 <= k.secret.length; n++) {
          const piece = k.secret.slice(n, n + 4);
          expect(containsBytes(hay, piece) || reports.includes(piece), `${what}: ${piece} is gone`).toBe(false);
        }
        // The same request, cut where the original's was, and the same stall.
        expect(r.before.anomalies.map((a) => a.name), what).toContain(k.cut === 'line' ? 'HTTP_line_too_long' : 'HTTP_header_too_long');
        expect(r.before.verdict, what).toMatchObject(k.verdict);
        expect(differences(r.before, r.after), what).toEqual([]);
      }
      expect(heads).toBeGreaterThanOrEqual(js.length - 2);
    });
  }

  it('a password longer than the line: gone from the capture and from both reports, the target still the same', async () => {
    const password = S.repeat(400);
    const head = `GET http://user:${password}@lab.example/m/@v/list HTTP/1.1\r\nHost: lab.example\r\n\r\n`;
    const b = new CaptureBuilder();
    b.tcp('10.0.0.2', 50001, '10.0.0.3', 3128).open().send(true, text(head));
    b.idle(20);
    b.udp('10.0.0.2', 40001, '10.0.0.7', 9999, text('later'));
    const r = await redactAndAnalyze('long-password', b, 'pcap');
    expect(containsBytes(await searchable(r.bytes), S.slice(0, 6))).toBe(false);
    expect(JSON.stringify([r.before, r.after])).not.toContain(S.slice(0, 6));
    // The request line kept its method and scheme; the report shows the target as far as it shows any.
    expect(containsBytes(r.bytes, 'GET http://*****')).toBe(true);
    expect(r.before.connections[0].http[0]).toMatchObject({ method: 'GET', target: 'http://***…' });
    expect(r.before.verdict).toMatchObject(GET);
    expect(differences(r.before, r.after)).toEqual([]);
  });
});
