import { describe, expect, it } from 'vitest';
import { ConversationBuilder } from '../../src/protocols/conversations.js';
import { helloSummary, ja3, ja4, parseClientHello, versionList, HelloError, type ClientHello } from '../../src/protocols/tls-hello.js';
import { isGrease, tlsVersionName } from '../../src/protocols/tls-names.js';
import type { DecodedPacket } from '../../src/decode/types.js';
import { T0, TcpConversation, clientHelloBody, concat, handshake, records, serverHelloBody } from './helpers.js';

const C = '10.3.0.2:41000';
const S = '10.3.0.9:443';

function build(packets: DecodedPacket[]) {
  const b = new ConversationBuilder({ t0: T0 });
  for (const p of packets) b.add(p);
  return b.finish();
}

const ch = () => records(22, handshake(1, clientHelloBody({ sni: 'goproxy.example', alpn: ['h2', 'http/1.1'], versions: [0x0a0a, 0x0304, 0x0303] })), 16384, 0x0301);
const sh13 = () => concat(records(22, handshake(2, serverHelloBody({ version: 0x0304, alpn: 'h2' }))), records(20, new Uint8Array([1])), records(23, new Uint8Array(60)));

describe('TLS', () => {
  it('reads a ClientHello split over three segments, the ServerHello and the end of the handshake (TLS 1.3)', () => {
    const c = new TcpConversation(C, S);
    const hello = ch();
    const third = Math.ceil(hello.length / 3);
    const pk = [
      ...c.handshake(0),
      c.segment(true, hello.subarray(0, third), 0.01),
      c.segment(true, hello.subarray(third, 2 * third), 0.011),
      c.segment(true, hello.subarray(2 * third), 0.012),
      ...c.send(false, sh13(), 0.05),
      ...c.send(true, concat(records(20, new Uint8Array([1])), records(23, new Uint8Array(80))), 0.06),
    ];
    const r = build(pk);
    const tls = r.connections[0].tls!;
    expect(tls).toMatchObject({
      sni: 'goproxy.example', alpn: ['h2', 'http/1.1'], clientVersion: 'TLS 1.2', supportedVersions: ['TLS 1.3', 'TLS 1.2'],
      cipherSuites: 4, version: 'TLS 1.3', alpnChosen: 'h2', alert: null, helloRetryRequest: null,
    });
    expect(tls.clientHello).toBeCloseTo(0.012, 6);
    expect(tls.clientHelloFrame).toBe(pk[5].frame);
    expect(tls.serverHello).toBeCloseTo(0.05, 6);
    expect(tls.established).toBeCloseTo(0.06, 6);
    expect(tls.ja3).toMatch(/^[0-9a-f]{32}$/);
    expect(tls.ja4).toMatch(/^t13d0406h2_[0-9a-f]{12}_[0-9a-f]{12}$/);
    expect(r.stats.tls).toEqual({ clientHellos: 1, serverHellos: 1 });
  });

  it('reads the hello from reordered and retransmitted segments', () => {
    const c = new TcpConversation(C, S);
    const hello = ch();
    const hs = c.handshake(0);
    const a = c.segment(true, hello.subarray(0, 50), 0.01);
    const b = c.segment(true, hello.subarray(50, 100), 0.011);
    const d = c.segment(true, hello.subarray(100), 0.012);
    const r = build([...hs, d, b, a, { ...b, frame: 500, t: T0 + 0.5 }]);
    expect(r.connections[0].tls?.sni).toBe('goproxy.example');
    expect(r.connections[0].retransmits).toBe(1);
    expect(r.connections[0].bytes.client).toBe(ch().length);
  });

  it('reads a hello across the sequence-number wrap', () => {
    const c = new TcpConversation(C, S, 0xffffffc0, 77);
    const r = build([...c.handshake(0), ...c.send(true, ch(), 0.01, 40)]);
    expect(r.connections[0].tls?.sni).toBe('goproxy.example');
  });

  it('notes a HelloRetryRequest, then the real ServerHello after the compatibility CCS', () => {
    const c = new TcpConversation(C, S);
    const hrr = concat(records(22, handshake(2, serverHelloBody({ hrr: true, version: 0x0304 }))), records(20, new Uint8Array([1])));
    const r = build([
      ...c.handshake(0),
      ...c.send(true, ch(), 0.01),
      ...c.send(false, hrr, 0.02),
      ...c.send(true, concat(records(20, new Uint8Array([1])), ch()), 0.03),
      ...c.send(false, sh13(), 0.04),
    ]);
    const tls = r.connections[0].tls!;
    expect(tls.helloRetryRequest).toBeCloseTo(0.02, 6);
    expect(tls.serverHello).toBeCloseTo(0.04, 6);
    expect(tls.version).toBe('TLS 1.3');
    expect(r.stats.tls).toEqual({ clientHellos: 2, serverHellos: 2 });
  });

  it('reads a plaintext alert and marks an encrypted one as unknown', () => {
    const c = new TcpConversation(C, S);
    const r = build([...c.handshake(0), ...c.send(true, ch(), 0.01), ...c.send(false, records(21, new Uint8Array([2, 40])), 0.02)]);
    expect(r.connections[0].tls?.alert).toEqual({ t: expect.closeTo(0.02, 6), from: 'server', level: 'fatal', description: 'handshake_failure' });
    expect(r.connections[0].tls?.serverHello).toBeNull();
  });

  it('a ClientHello with no answer leaves serverHello null (SNI filtering looks like this)', () => {
    const c = new TcpConversation(C, S);
    const r = build([...c.handshake(0), ...c.send(true, ch(), 0.01), c.ack(false, 0.02), c.rst(false, 0.03)]);
    const k = r.connections[0];
    expect(k.tls?.sni).toBe('goproxy.example');
    expect(k.tls?.serverHello).toBeNull();
    expect(k.reset?.by).toBe('server');
  });

  it('measures the wait for the response after the handshake, open at the end of the capture', () => {
    const c = new TcpConversation(C, S);
    const r = build([
      ...c.handshake(0),
      ...c.send(true, ch(), 0.01),
      ...c.send(false, sh13(), 0.02),
      ...c.send(true, concat(records(20, new Uint8Array([1])), records(23, new Uint8Array(80))), 0.03),
      ...c.send(false, records(23, new Uint8Array(180)), 0.031), // session ticket: does not answer
      ...c.send(false, records(23, new Uint8Array(200)), 0.3),
      ...c.send(true, records(23, new Uint8Array(300)), 1.0),
      c.ack(false, 1.001),
      c.ack(true, 31.0),
    ]);
    const waits = r.connections[0].waits;
    expect(waits).toHaveLength(2);
    expect(waits[0]).toMatchObject({ firstByte: expect.closeTo(0.3, 6), seconds: expect.closeTo(0.27, 6) });
    expect(waits[1]).toMatchObject({ request: 1.0, firstByte: null, requestBytes: 305, seconds: expect.closeTo(30, 6) });
  });

  // TLS ≤ 1.2 after the hellos: both ChangeCipherSpecs and Finished (encrypted), then application data.
  function tls12(o: { legacy: number; alpnOffered?: string[]; alpnChosen?: string }, answers: number[]) {
    const c = new TcpConversation(C, S);
    const hello = clientHelloBody({ sni: 'chat.example', alpn: o.alpnOffered, legacy: o.legacy });
    const finished = concat(records(20, new Uint8Array([1]), 16384, o.legacy), records(22, new Uint8Array(36), 16384, o.legacy));
    const appData = (n: number) => records(23, new Uint8Array(n), 16384, o.legacy);
    const pk = [
      ...c.handshake(0),
      ...c.send(true, records(22, handshake(1, hello), 16384, o.legacy), 0.01),
      ...c.send(false, records(22, handshake(2, serverHelloBody({ legacy: o.legacy, alpn: o.alpnChosen })), 16384, o.legacy), 0.05),
      ...c.send(true, finished, 0.1),
      ...c.send(false, finished, 0.15),
    ];
    // Each request at 1, 2, … s, answered 300 ms later by a record of the given length.
    answers.forEach((n, i) => pk.push(...c.send(true, appData(297), 1 + i), ...c.send(false, appData(n), 1.3 + i)));
    pk.push(c.ack(true, 30));
    return build(pk).connections[0];
  }

  it('small server records answer requests when HTTP/2 is not possible (TLS 1.0, no ALPN)', () => {
    const k = tls12({ legacy: 0x0301 }, [24, 38]);
    expect(k.tls).toMatchObject({ version: 'TLS 1.0', alpn: [], alpnChosen: null, firstAppData: { server: expect.closeTo(1.3, 6) } });
    expect(k.waits).toEqual([
      { request: 1, firstByte: expect.closeTo(1.3, 6), seconds: expect.closeTo(0.3, 6), requestBytes: 302 },
      { request: 2, firstByte: expect.closeTo(2.3, 6), seconds: expect.closeTo(0.3, 6), requestBytes: 302 },
    ]);
    // The client offered h2 but the server chose HTTP/1.1: a small record is an answer too.
    const h1 = tls12({ legacy: 0x0303, alpnOffered: ['h2', 'http/1.1'], alpnChosen: 'http/1.1' }, [40]);
    expect(h1.waits).toEqual([{ request: 1, firstByte: expect.closeTo(1.3, 6), seconds: expect.closeTo(0.3, 6), requestBytes: 302 }]);
  });

  it('small server records are HTTP/2 control, not answers, when h2 is possible', () => {
    // TLS 1.2, h2 chosen in the ServerHello: SETTINGS ACK / WINDOW_UPDATE do not end the wait.
    const h2 = tls12({ legacy: 0x0303, alpnOffered: ['h2', 'http/1.1'], alpnChosen: 'h2' }, [40]);
    expect(h2.tls?.firstAppData.server).toBeNull();
    expect(h2.waits).toEqual([{ request: 1, firstByte: null, requestBytes: 302, seconds: expect.closeTo(29, 6) }]);
    // TLS 1.3 (the choice is encrypted): an h2 offer is enough.
    const c = new TcpConversation(C, S);
    const k = build([
      ...c.handshake(0),
      ...c.send(true, ch(), 0.01),
      ...c.send(false, sh13(), 0.02),
      ...c.send(true, concat(records(20, new Uint8Array([1])), records(23, new Uint8Array(80))), 0.03),
      ...c.send(false, records(23, new Uint8Array(180)), 0.031), // session ticket
      ...c.send(false, records(23, new Uint8Array(30)), 0.2), // SETTINGS ACK
      ...c.send(false, records(23, new Uint8Array(60)), 0.5), // WINDOW_UPDATE + PING
      c.ack(true, 10.03),
    ]).connections[0];
    expect(k.tls?.firstAppData.server).toBeNull();
    expect(k.waits).toEqual([{ request: expect.closeTo(0.03, 6), firstByte: null, requestBytes: 91, seconds: expect.closeTo(10, 6) }]);
  });

  it('stops on a stream that is not TLS after all and names it', () => {
    const c = new TcpConversation(C, S);
    const r = build([...c.handshake(0), ...c.send(true, concat(ch(), new Uint8Array([0x99, 3, 3, 0, 4, 1, 2, 3, 4])), 0.01)]);
    expect(r.connections[0].tls?.sni).toBe('goproxy.example');
    expect(r.anomalies.map((a) => a.name)).toContain('TLS_bad_record_header');
  });

  it('after the hellos, a record longer than TLS allows leaves the waits to the TCP exchange pattern', () => {
    const c = new TcpConversation(C, S);
    const r = build([
      ...c.handshake(0),
      ...c.send(true, ch(), 0.01),
      ...c.send(false, sh13(), 0.02),
      // The client's Finished and request, in one record the reader cannot follow.
      ...c.send(true, concat(records(20, new Uint8Array([1])), records(23, new Uint8Array(20_000), 20_000)), 0.03),
      c.ack(false, 0.031),
      c.ack(true, 20.03),
    ]);
    const k = r.connections[0];
    expect(r.anomalies.map((a) => a.name)).toEqual(['TLS_record_too_long']);
    expect(k.tls).toMatchObject({ serverHello: expect.closeTo(0.02, 6), established: null });
    expect(k.waits).toEqual([{ request: expect.closeTo(0.03, 6), firstByte: null, requestBytes: 20_011, seconds: expect.closeTo(20, 6) }]);
  });

  it('JA4 of a Chrome-like hello matches the JA4 specification\'s worked example', () => {
    const hex = (s: string) => s.split(',').map((x) => parseInt(x, 16));
    const fp = ja4({
      legacyVersion: 0x0303,
      cipherSuites: [0x3a3a, ...hex('1301,1302,1303,c02b,c02f,c02c,c030,cca9,cca8,c013,c014,009c,009d,002f,0035')],
      extensions: [0x1a1a, ...hex('0000,0017,ff01,000a,000b,0023,0010,0005,000d,0012,0033,002d,002b,001b,0015,4469')],
      sni: 'example.com', alpn: ['h2', 'http/1.1'], supportedVersions: [0x2a2a, 0x0304, 0x0303], groups: [], pointFormats: [],
      signatureAlgorithms: hex('0403,0804,0401,0503,0805,0501,0806,0601'),
    });
    expect(fp).toBe('t13d1516h2_8daaf6152771_e5627efa2ab1');
  });

  it('JA3 is the MD5 of "version,ciphers,extensions,groups,point formats" in decimal', async () => {
    const { createHash } = await import('node:crypto');
    const h = parseClientHello(clientHelloBody({ sni: 'x.example', alpn: ['h2'], versions: [0x0304], ciphers: [0x0a0a, 0x1301, 0x1302] }));
    const want = createHash('md5').update('771,4865-4866,0-10-11-13-16-43,29-23,0').digest('hex');
    expect(ja3(h)).toBe(want);
  });

  it('JA3 and JA4 ignore GREASE and order (JA4)', () => {
    const a = parseClientHello(clientHelloBody({ sni: 'x.example', alpn: ['h2'], versions: [0x0304], ciphers: [0x1301, 0x1302] }));
    const b = parseClientHello(clientHelloBody({ sni: 'x.example', alpn: ['h2'], versions: [0x0304], ciphers: [0x2a2a, 0x1302, 0x1301] }));
    expect(ja4(a)).toBe(ja4(b));
    expect(ja3(a)).not.toBe(ja3(b)); // JA3 keeps the order
    expect(isGrease(0x2a2a) && !isGrease(0x1301)).toBe(true);
    expect(() => parseClientHello(new Uint8Array(10))).toThrow(HelloError);
    expect(() => parseClientHello(new Uint8Array(10))).toThrow(/random needs 32 bytes at offset 2, 8 remain/);
  });
});

describe('ClientHello summaries', () => {
  it('are what the fingerprints of each hello give, remembered or not', async () => {
    // Hellos drawn from few values, so that many share all but one field: a summary remembered
    // under a key that leaves out something the fingerprints read would be handed to the wrong one.
    const fc = (await import('fast-check')).default;
    const nums = fc.constantFrom<number[]>([], [0x0a0a, 0x1301], [0x0304, 0x0303], [16]);
    const hello = fc.record({
      legacyVersion: fc.constantFrom(0x0303, 0x0301),
      cipherSuites: nums, extensions: nums, groups: nums, pointFormats: fc.constantFrom<number[]>([], [0], [0, 1]),
      signatureAlgorithms: nums, supportedVersions: nums,
      sni: fc.constantFrom<string | null>(null, 'a.example', 'b.example'),
      alpn: fc.constantFrom<string[]>([], ['h2'], ['h2', 'http/1.1'], ['http/1.1'], ['http/1.1', 'h2'], ['x'], ['']),
    });
    fc.assert(fc.property(fc.array(hello, { minLength: 1, maxLength: 20 }), (hellos: ClientHello[]) => {
      for (const ch of hellos) {
        const want = { clientVersion: tlsVersionName(ch.legacyVersion), supportedVersions: versionList(ch.supportedVersions), ja3: ja3(ch), ja4: ja4(ch) };
        const got = helloSummary(ch);
        expect(got).toEqual(want);
        got.supportedVersions.push('changed by the caller');
        expect(helloSummary(ch)).toEqual(want);
      }
    }), { numRuns: 500 });
  });
});

describe('TLS over any segmentation', () => {
  it('recovers SNI and ALPN for any split, reordering and duplication of the ClientHello', async () => {
    const fc = (await import('fast-check')).default;
    const hello = ch();
    fc.assert(fc.property(
      fc.array(fc.integer({ min: 1, max: hello.length - 1 }), { maxLength: 8 }),
      fc.array(fc.nat(), { maxLength: 12 }),
      fc.nat(0xffffffff),
      (cuts, shuffle, isn) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const c = new TcpConversation(C, S, isn, 9);
        const pk = c.handshake(0);
        const segs: DecodedPacket[] = [];
        let prev = 0;
        for (const p of [...points, hello.length]) {
          segs.push(c.segment(true, hello.subarray(prev, p), 0.01));
          prev = p;
        }
        // shuffle and duplicate some segments
        for (let i = 0; i < shuffle.length && segs.length > 1; i++) {
          const a = shuffle[i] % segs.length;
          const b = (shuffle[i] >> 3) % segs.length;
          [segs[a], segs[b]] = [segs[b], segs[a]];
          if (shuffle[i] % 5 === 0) segs.push(segs[a]);
        }
        const r = build([...pk, ...segs]);
        const tls = r.connections[0].tls;
        return tls?.sni === 'goproxy.example' && tls.alpn.join() === 'h2,http/1.1' && r.connections[0].bytes.client === hello.length;
      },
    ), { numRuns: 300 });
  });
});

describe('hello parsers on hostile input', () => {
  it('name the field where a hello breaks, its offset and the bytes left', () => {
    // An anomaly's detail quotes these messages. Cut short at each field, then one byte changed.
    const good = clientHelloBody({ sni: 'a.example', alpn: ['h2', 'http/1.1'], versions: [0x0a0a, 0x0304] });
    const cut: [number, string][] = [
      [0, 'legacy_version needs 2 bytes at offset 0, 0 remain'],
      [2, 'random needs 32 bytes at offset 2, 0 remain'],
      [34, 'session_id length needs 1 bytes at offset 34, 0 remain'],
      [35, 'cipher_suites length needs 2 bytes at offset 35, 0 remain'],
      [37, 'cipher_suites needs 8 bytes at offset 37, 0 remain'],
      [45, 'compression_methods length needs 1 bytes at offset 45, 0 remain'],
      [46, 'compression_methods needs 1 bytes at offset 46, 0 remain'],
      [48, 'extensions length needs 2 bytes at offset 47, 1 remain'],
      [49, 'extensions needs 71 bytes at offset 49, 0 remain'],
    ];
    for (const [n, message] of cut) expect(() => parseClientHello(good.subarray(0, n)), `cut at ${n}`).toThrow(message);
    const edited: [number, number, string][] = [
      [51, 1, 'extension 0 needs 270 bytes at offset 53, 67 remain'],
      [52, 0, 'server_name_list length needs 2 bytes at offset 53, 0 remain'],
      [52, 2, 'server_name_list needs 12 bytes at offset 55, 0 remain'],
      [52, 48, 'extension 12808 needs 26740 bytes at offset 105, 15 remain'],
      [54, 1, 'host_name length needs 2 bytes at offset 56, 0 remain'],
      [54, 3, 'host_name needs 9 bytes at offset 58, 0 remain'],
      [70, 0, 'supported_groups length needs 2 bytes at offset 71, 0 remain'],
      [70, 2, 'supported_groups needs 4 bytes at offset 73, 0 remain'],
      [70, 48, 'extension type needs 2 bytes at offset 119, 1 remain'],
      [80, 0, 'ec_point_formats length needs 1 bytes at offset 81, 0 remain'],
      [80, 1, 'ec_point_formats needs 1 bytes at offset 82, 0 remain'],
      [86, 0, 'signature_algorithms length needs 2 bytes at offset 87, 0 remain'],
      [86, 2, 'signature_algorithms needs 4 bytes at offset 89, 0 remain'],
      [96, 0, 'ALPN list length needs 2 bytes at offset 97, 0 remain'],
      [96, 2, 'ALPN list needs 12 bytes at offset 99, 0 remain'],
      [98, 1, 'ALPN protocol needs 2 bytes at offset 100, 0 remain'],
      [114, 0, 'supported_versions length needs 1 bytes at offset 115, 0 remain'],
      [114, 1, 'supported_versions needs 4 bytes at offset 116, 0 remain'],
    ];
    for (const [i, v, message] of edited) {
      const b = good.slice();
      b[i] = v;
      expect(() => parseClientHello(b), `byte ${i} = ${v}`).toThrow(message);
    }
  });

  it('throw only HelloError (with numbers) on random and mutated hellos', async () => {
    const fc = (await import('fast-check')).default;
    const { parseServerHello } = await import('../../src/protocols/tls-hello.js');
    const good = clientHelloBody({ sni: 'a.example', alpn: ['h2'], versions: [0x0304] });
    const check = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        if (!(err instanceof HelloError)) throw err;
        expect(err.message).toMatch(/needs \d+ bytes at offset \d+, \d+ remain/);
      }
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (b) => {
      check(() => parseClientHello(b));
      check(() => parseServerHello(b));
    }), { numRuns: 2000 });
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(good.length - 1), fc.nat(255)), { minLength: 1, maxLength: 6 }), (edits) => {
      const b = good.slice();
      for (const [i, v] of edits) b[i] = v;
      check(() => parseClientHello(b));
    }), { numRuns: 2000 });
  });
});
