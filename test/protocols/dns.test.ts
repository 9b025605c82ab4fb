import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDnsMessage, readName, skipName } from '../../src/protocols/dns.js';
import { ConversationBuilder } from '../../src/protocols/conversations.js';
import { T0, TcpConversation, concat, dnsQuery, dnsResponse, udpPacket } from './helpers.js';
import type { DecodedPacket } from '../../src/decode/types.js';

const CLIENT = '10.2.0.5:53001';
const RESOLVER = '10.2.0.1:53';

function build(packets: DecodedPacket[]) {
  const b = new ConversationBuilder({ t0: T0 });
  for (const p of packets) b.add(p);
  return b.finish();
}

describe('DNS messages', () => {
  it('reads the header, question, answers with a CNAME chain, and EDNS', () => {
    const m = parseDnsMessage(dnsResponse(7, 'goproxy.example', {
      edns: true,
      answers: [
        { type: 'CNAME', name: 'goproxy.example', data: 'edge1.example' },
        { type: 'CNAME', name: 'edge1.example', data: 'edge2.example' },
        { type: 'A', name: 'edge2.example', data: '142.250.1.1' },
      ],
    }));
    if (!('id' in m)) throw new Error('expected a message');
    expect(m).toMatchObject({ id: 7, response: true, rcode: 0, truncated: false, edns: true, anomaly: null });
    expect(m.question).toMatchObject({ name: 'goproxy.example', typeName: 'A' });
    expect(m.cnames).toEqual(['edge1.example', 'edge2.example']);
    expect(m.answers).toEqual(['edge1.example', 'edge2.example', '142.250.1.1']);
  });

  it('combines the EDNS extended rcode with the header rcode (BADCOOKIE = 23)', () => {
    const m = parseDnsMessage(dnsResponse(1, 'example.com', { rcode: 23, edns: true }));
    expect('id' in m && m.rcode).toBe(23);
  });

  it('names a short header, a forward pointer and a cut record, never throwing', () => {
    expect(parseDnsMessage(new Uint8Array(5))).toEqual({ anomaly: expect.objectContaining({ name: 'DNS_truncated_header' }) });
    const loop = new Uint8Array([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]);
    const a = parseDnsMessage(loop);
    expect('id' in a && a.anomaly?.name).toBe('DNS_name_bad_pointer');
    const full = dnsResponse(9, 'a.example', { answers: [{ type: 'A', name: 'a.example', data: '1.2.3.4' }] });
    const cut = parseDnsMessage(full.subarray(0, full.length - 2));
    expect('id' in cut && cut.anomaly?.name).toBe('DNS_truncated_answer');
    expect('id' in cut && cut.question?.name).toBe('a.example');
  });

  it('escapes odd bytes in names', () => {
    const n = readName(new Uint8Array([3, 0x61, 0x2e, 0x01, 0]), 0);
    expect(n).toEqual({ name: 'a\\.\\001', next: 5 });
  });

  it('skips a name exactly where readName reads one, and fails where it fails', () => {
    const base = dnsResponse(3, 'a.sumdb.example', { answers: [{ type: 'CNAME', name: 'a.sumdb.example', data: 'b.example' }, { type: 'A', name: 'b.example', data: '1.1.1.1' }] });
    const check = (b: Uint8Array, at: number) => {
      const n = readName(b, at, false);
      expect(skipName(b, at), `offset ${at} of ${Array.from(b).join(',')}`).toBe('error' in n ? -1 : n.next);
    };
    for (let at = 0; at <= base.length; at++) check(base, at);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(300), (b, at) => check(b, Math.min(at, b.length))), { numRuns: 3000 });
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(base.length - 1), fc.nat(255)), { maxLength: 6 }), fc.nat(base.length), (edits, at) => {
      const b = base.slice();
      for (const [i, v] of edits) b[i] = v;
      check(b, at);
    }), { numRuns: 3000 });
  });

  it('never throws or loops on random bytes and mutated messages', () => {
    const base = dnsResponse(3, 'sumdb.example', { edns: true, answers: [{ type: 'A', name: 'sumdb.example', data: '1.1.1.1' }] });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (b) => {
      parseDnsMessage(b);
    }), { numRuns: 2000 });
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(base.length - 1), fc.nat(255)), { maxLength: 8 }), (edits) => {
      const b = base.slice();
      for (const [i, v] of edits) b[i] = v;
      const m = parseDnsMessage(b);
      expect(m).toBeTypeOf('object');
    }), { numRuns: 2000 });
  });
});

describe('DNS transactions', () => {
  it('matches a response, keeps every re-send, and measures latency from the first send', () => {
    const q = dnsQuery(0x1234, 'goproxy.example');
    const r = build([
      udpPacket({ src: CLIENT, dst: RESOLVER, t: 0, payload: q }),
      udpPacket({ src: CLIENT, dst: RESOLVER, t: 5, payload: q }),
      udpPacket({ src: RESOLVER, dst: CLIENT, t: 5.02, payload: dnsResponse(0x1234, 'goproxy.example', { answers: [{ type: 'A', name: 'goproxy.example', data: '142.250.1.1' }] }) }),
    ]);
    expect(r.dns).toHaveLength(1);
    const d = r.dns[0];
    expect(d).toMatchObject({ name: 'goproxy.example', type: 'A', client: CLIENT, server: RESOLVER, transport: 'udp', id: 0x1234, rcode: 'NOERROR', answers: ['142.250.1.1'] });
    expect(d.queries).toEqual([0, 5]);
    expect(d.response! - d.queries[0]).toBeCloseTo(5.02, 6);
    expect(d.frames).toHaveLength(3);
  });

  it('keeps unanswered queries, and A and AAAA apart', () => {
    const r = build([
      udpPacket({ src: CLIENT, dst: RESOLVER, t: 0, payload: dnsQuery(1, 'sumdb.example', 'A') }),
      udpPacket({ src: CLIENT, dst: RESOLVER, t: 0, payload: dnsQuery(2, 'sumdb.example', 'AAAA') }),
      udpPacket({ src: RESOLVER, dst: CLIENT, t: 0.01, payload: dnsResponse(1, 'sumdb.example', { rcode: 3 }) }),
    ]);
    expect(r.dns.map((d) => [d.type, d.rcode, d.response === null])).toEqual([['A', 'NXDOMAIN', false], ['AAAA', null, true]]);
  });

  it('does not match a response with another question or from another server', () => {
    const r = build([
      udpPacket({ src: CLIENT, dst: RESOLVER, t: 0, payload: dnsQuery(1, 'a.example') }),
      udpPacket({ src: RESOLVER, dst: CLIENT, t: 0.1, payload: dnsResponse(1, 'b.example') }),
      udpPacket({ src: '10.2.0.99:53', dst: CLIENT, t: 0.1, payload: dnsResponse(1, 'a.example') }),
    ]);
    expect(r.dns).toHaveLength(3);
    expect(r.dns[0].response).toBeNull();
  });

  it('matches names in any case, a response without a question to its query, and not a repeated response', () => {
    const noQuestion = (id: number) => new Uint8Array([id >> 8, id & 0xff, 0x81, 0x80, 0, 0, 0, 0, 0, 0, 0, 0]);
    const r = build([
      udpPacket({ src: CLIENT, dst: RESOLVER, t: 0, payload: dnsQuery(1, 'GoProxy.Example') }),
      udpPacket({ src: RESOLVER, dst: CLIENT, t: 0.1, payload: dnsResponse(1, 'goproxy.EXAMPLE') }),
      udpPacket({ src: RESOLVER, dst: CLIENT, t: 0.2, payload: dnsResponse(1, 'goproxy.example') }),
      udpPacket({ src: CLIENT, dst: RESOLVER, t: 1, payload: dnsQuery(2, 'sum.example', 'AAAA') }),
      udpPacket({ src: RESOLVER, dst: CLIENT, t: 1.5, payload: noQuestion(2) }),
    ]);
    expect(r.dns.map((d) => [d.name, d.type, d.queries, Math.round(d.response! * 1000) / 1000])).toEqual([
      ['GoProxy.Example', 'A', [0], 0.1],
      ['sum.example', 'AAAA', [1], 1.5],
    ]);
  });

  it('reads DNS over TCP with the message split across segments and notes TC on UDP', () => {
    const c = new TcpConversation('10.2.0.5:40001', '10.2.0.1:53');
    const q = dnsQuery(77, 'modules.example');
    const resp = dnsResponse(77, 'modules.example', { answers: [{ type: 'A', name: 'modules.example', data: '10.9.9.9' }] });
    const framed = (m: Uint8Array) => concat(new Uint8Array([m.length >> 8, m.length & 0xff]), m);
    const r = build([
      udpPacket({ src: CLIENT, dst: RESOLVER, t: 0, payload: q }),
      udpPacket({ src: RESOLVER, dst: CLIENT, t: 0.01, payload: dnsResponse(77, 'modules.example', { tc: true }) }),
      ...c.handshake(0.02),
      ...c.send(true, framed(q), 0.03, 7),
      ...c.send(false, framed(resp), 0.05, 10),
    ]);
    expect(r.dns.map((d) => [d.transport, d.truncated, d.answers.join()])).toEqual([['udp', true, ''], ['tcp', false, '10.9.9.9']]);
    expect(r.dns[1].client).toBe('10.2.0.5:40001');
    expect(r.dns[1].response).toBeCloseTo(0.05, 6);
  });

  it('turns a malformed message into a named anomaly on its frame, and a cut one into a truncation', () => {
    const r = build([
      udpPacket({ src: CLIENT, dst: RESOLVER, t: 0, payload: new Uint8Array([1, 2, 3]) }),
      udpPacket({ src: RESOLVER, dst: CLIENT, t: 1, payload: dnsResponse(5, 'x.example').subarray(0, 14), wireLength: 40 }),
    ]);
    expect(r.anomalies.map((a) => a.name)).toEqual(['DNS_truncated_header', 'DNS_cut_short_by_capture']);
    expect(r.anomalies[0].ref).toMatch(/^frame \d+$/);
  });

  it('counts mDNS and LLMNR apart from unicast DNS', () => {
    const r = build([
      udpPacket({ src: '10.2.0.5:5353', dst: '224.0.0.251:5353', t: 0, payload: dnsQuery(0, 'printer.local') }),
      udpPacket({ src: '10.2.0.5:60000', dst: '224.0.0.252:5355', t: 0, payload: dnsQuery(9, 'wpad') }),
    ]);
    expect(r.dns).toEqual([]);
    expect(r.stats.mdns.queries).toBe(1);
    expect(r.stats.llmnr.queries).toBe(1);
  });
});

describe('DNS transaction matching with many ids from one client endpoint', () => {
  it('matches each response to its query in any order, over UDP and TCP apart, as lists empty and fill again', async () => {
    const { DnsTransactions } = await import('../../src/protocols/dns-transactions.js');
    const msg = (id: number, response: boolean) => ({
      id, response, opcode: 0, rcode: 0, truncated: false, counts: { questions: 1, answers: 0, authority: 0, additional: 0 },
      question: { name: `q${id}.example`, type: 1, typeName: 'A', class: 1 }, answers: [], cnames: [], edns: false, anomaly: null,
    });
    const tx = new DnsTransactions();
    const client = '10.0.0.2:5000';
    const server = '10.0.0.1:53';
    let t = 0;
    for (const round of [0, 1]) {
      // Ids asked over UDP and TCP, answered in another order (the first asked last).
      const ids = Array.from({ length: 40 }, (_, i) => round * 100 + i);
      for (const id of ids) {
        tx.query(msg(id, false), client, server, 'udp', t++, t);
        tx.query(msg(id, false), client, server, 'tcp', t++, t);
      }
      for (const id of [...ids.slice(1).reverse(), ids[0]]) {
        tx.response(msg(id, true), client, server, 'tcp', t++, t);
        tx.response(msg(id, true), client, server, 'udp', t++, t);
      }
    }
    const list = tx.finish();
    expect(list).toHaveLength(160);
    for (const d of list) {
      expect(d.queries, `${d.name} ${d.transport}`).toHaveLength(1);
      expect(d.response, `${d.name} ${d.transport}`).not.toBeNull();
      expect(d.response!).toBeGreaterThan(d.queries[0]);
    }
    // A response again, after every list emptied: a repeat, not a new transaction.
    tx.response(msg(5, true), client, server, 'udp', t++, t);
    expect(tx.finish()).toHaveLength(160);
    expect(tx.duplicateResponses).toBe(1);
  });
});

describe('DNS transaction matching under a flood of one id', () => {
  it('stays linear: the newest 64 open queries of one client and id are matched, older ones stay unanswered', async () => {
    const { DnsTransactions } = await import('../../src/protocols/dns-transactions.js');
    const msg = (name: string, response: boolean) => ({
      id: 7, response, opcode: 0, rcode: 0, truncated: false, counts: { questions: 1, answers: 0, authority: 0, additional: 0 },
      question: { name, type: 1, typeName: 'A', class: 1 }, answers: [], cnames: [], edns: false, anomaly: null,
    });
    const tx = new DnsTransactions();
    const started = performance.now();
    for (let i = 0; i < 20_000; i++) tx.query(msg(`n${i}.example`, false), '10.0.0.2:5000', '10.0.0.1:53', 'udp', i, i + 1);
    tx.response(msg('n19999.example', true), '10.0.0.2:5000', '10.0.0.1:53', 'udp', 30_000, 30_001);
    tx.response(msg('n0.example', true), '10.0.0.2:5000', '10.0.0.1:53', 'udp', 30_001, 30_002);
    expect(performance.now() - started).toBeLessThan(2_000);
    const list = tx.finish();
    expect(list.find((d) => d.name === 'n19999.example')).toMatchObject({ queries: [19_999], response: 30_000 });
    // n0's query fell out of the open list: its query stays unanswered, the response stands alone.
    expect(list.filter((d) => d.name === 'n0.example').map((d) => [d.queries.length, d.response])).toEqual([[1, null], [0, 30_001]]);
  });
});
