import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConversationBuilder } from '../../src/protocols/conversations.js';
import { StreamReassembler, type StreamSink } from '../../src/flow/reassembly.js';
import type { DecodedPacket } from '../../src/decode/types.js';
import { T0, TcpConversation, clientHelloBody, dnsQuery, handshake, records, tcpPacket, text, udpPacket } from './helpers.js';

describe('ConversationBuilder', () => {
  it('times are relative to t0 (the first packet by default) and end is the latest packet', () => {
    const c = new TcpConversation('10.5.0.1:40000', '10.5.0.2:443');
    const b = new ConversationBuilder();
    for (const p of [...c.handshake(10), c.ack(true, 12.5)]) b.add(p);
    const r = b.finish();
    expect(r.t0).toBe(T0 + 10);
    expect(r.end).toBeCloseTo(2.5, 6);
    expect(r.connections[0].syns).toEqual([0]);
    expect(r.packets).toBe(4);
  });

  it('passes decoder anomalies on, and caps each name with a summary', () => {
    const b = new ConversationBuilder({ t0: T0 });
    for (let i = 0; i < 120; i++) {
      const p = udpPacket({ src: '10.5.0.1:1000', dst: '10.5.0.2:2000', t: i, payload: new Uint8Array(4) });
      b.add({ ...p, anomalies: ['IP_bad_checksum'] });
    }
    const a = b.finish().anomalies;
    expect(a.filter((x) => x.name === 'IP_bad_checksum')).toHaveLength(51);
    expect(a[a.length - 1]).toMatchObject({ ref: 'summary', detail: '70 more not listed (120 in all)' });
  });

  it('survives random segments and datagrams (protocol-looking bytes included) without throwing', () => {
    const payloads = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.constant(records(22, handshake(1, clientHelloBody({ sni: 'a.example' })))),
      fc.constant(text('GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n')),
      fc.constant(text('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n')),
      fc.constant(text('CONNECT a:443 HTTP/1.1\r\n\r\n')),
      fc.constant(dnsQuery(1, 'x.example')),
    );
    const pkt = fc.record({
      tcp: fc.boolean(),
      fromA: fc.boolean(),
      port: fc.constantFrom(53, 80, 443, 3128),
      seq: fc.nat(0xffffffff),
      ack: fc.nat(0xffffffff),
      flags: fc.constantFrom('S', 'SA', 'A', 'PA', 'FA', 'R', 'RA', 'SF'),
      window: fc.constantFrom(0, 1, 65535),
      dt: fc.double({ min: 0, max: 2, noNaN: true }),
      payload: payloads,
      cut: fc.nat(50),
    });
    fc.assert(fc.property(fc.array(pkt, { maxLength: 60 }), (list) => {
      const b = new ConversationBuilder({ t0: T0 });
      let t = 0;
      for (const x of list) {
        t += x.dt;
        const a = '10.6.0.1:50000';
        const s = `10.6.0.2:${x.port}`;
        const [src, dst] = x.fromA ? [a, s] : [s, a];
        const p: DecodedPacket = x.tcp
          ? tcpPacket({ src, dst, seq: x.seq, ack: x.ack, flags: x.flags, t, payload: x.payload, window: x.window, wireLength: x.payload.length + x.cut })
          : udpPacket({ src, dst, t, payload: x.payload });
        b.add(p);
      }
      const r = b.finish();
      expect(r.packets).toBe(list.length);
      expect(JSON.parse(JSON.stringify(r))).toBeTypeOf('object');
    }), { numRuns: 400 });
  });

  it('holds at most 1 MiB out of order per direction', () => {
    let delivered = 0;
    const sink: StreamSink = { data: (b) => { delivered += b.length; return true; }, gap: () => true };
    const r = new StreamReassembler(sink);
    r.start(0);
    const seg = new Uint8Array(1448);
    let maxHeld = 0;
    for (let i = 1; i < 2000; i++) {
      r.push(i * 1448, seg, 1448, i, i); // segment 0 never arrives
      maxHeld = Math.max(maxHeld, r.buffered);
    }
    expect(maxHeld).toBeLessThanOrEqual(1 << 20);
    expect(delivered).toBeGreaterThan(1 << 20);
  });

  it('a closed connection releases its stream buffers', () => {
    const c = new TcpConversation('10.5.0.1:40001', '10.5.0.2:80');
    const b = new ConversationBuilder({ t0: T0 });
    for (const p of c.handshake(0)) b.add(p);
    const early = tcpPacket({ src: c.client, dst: c.server, seq: c.cseq + 100, ack: c.sseq, flags: 'PA', t: 0.1, payload: new Uint8Array(5000) });
    b.add(early);
    b.add(c.rst(true, 0.2));
    const table = (b as unknown as { table: { all: Array<{ clientStream: unknown; serverStream: unknown }> } }).table;
    expect([table.all[0].clientStream, table.all[0].serverStream]).toEqual([null, null]);
  });
});

describe('ConversationBuilder.snapshot', () => {
  it('shows what is open so far without ending it, then finish goes on from there', () => {
    const c = new TcpConversation('10.5.0.1:40002', '10.5.0.2:443');
    const b = new ConversationBuilder({ t0: T0 });
    for (const p of [...c.handshake(0), ...c.send(true, records(22, handshake(1, clientHelloBody({ sni: 'sumdb.example' }))), 0.01)]) b.add(p);
    b.add(udpPacket({ src: '10.5.0.1:5000', dst: '10.5.0.9:53', t: 0.02, payload: dnsQuery(4, 'sumdb.example') }));
    const snap = b.snapshot();
    expect(snap.connections[0].tls).toMatchObject({ sni: 'sumdb.example', serverHello: null });
    expect(snap.dns[0].response).toBeNull();
    // more packets after the snapshot still count
    b.add(c.ack(false, 5));
    const r = b.finish();
    expect(r.connections[0].lastPacket).toBe(5);
    expect(snap.connections[0].lastPacket).toBeCloseTo(0.01, 6);
    expect(b.snapshot()).toBe(r);
  });
});

describe('limits on hostile captures', () => {
  it('stops tracking new connections and DNS transactions past the limits, with a counted anomaly', () => {
    const b = new ConversationBuilder({ t0: T0, maxConnections: 10, maxDnsTransactions: 5 });
    for (let i = 0; i < 30; i++) {
      b.add(tcpPacket({ src: `10.7.0.1:${2000 + i}`, dst: '10.7.0.2:443', seq: i, flags: 'S', t: i }));
      b.add(udpPacket({ src: `10.7.0.1:${3000 + i}`, dst: '10.7.0.2:53', t: i, payload: dnsQuery(i, `n${i}.example`) }));
    }
    const r = b.finish();
    expect(r.connections).toHaveLength(10);
    expect(r.dns).toHaveLength(5);
    expect(r.stats.tcp.syn).toBe(30);
    expect(r.anomalies.filter((a) => a.name === 'TCP_connection_limit')).toHaveLength(20);
    expect(r.anomalies.filter((a) => a.name === 'DNS_transaction_limit')).toHaveLength(25);
  });
});
