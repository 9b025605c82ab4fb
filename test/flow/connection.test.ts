import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { ConversationBuilder } from '../../src/protocols/conversations.js';
import { History, HistoryEvent } from '../../src/flow/history.js';
import { T0, TcpConversation, tcpPacket, text } from '../protocols/helpers.js';
import type { DecodedPacket } from '../../src/decode/types.js';
import { connectionStages } from '../../src/timeline/stages.js';

const C = '10.1.0.2:40000';
const S = '10.1.0.9:8443';

function build(packets: DecodedPacket[]) {
  const b = new ConversationBuilder({ t0: T0 });
  for (const p of packets) b.add(p);
  return b.finish();
}

describe('TCP connections', () => {
  it('records the handshake, data, FIN close and Zeek history', () => {
    const c = new TcpConversation(C, S);
    const r = build([
      ...c.handshake(0, 0.01),
      ...c.send(true, text('hello'), 0.02),
      c.ack(false, 0.03),
      ...c.send(false, text('world!'), 0.5),
      c.fin(true, 0.6),
      c.fin(false, 0.61),
      c.ack(true, 0.62),
    ]);
    expect(r.connections).toHaveLength(1);
    const k = r.connections[0];
    expect(k.client).toBe(C);
    expect(k.server).toBe(S);
    expect(k.rolesGuessed).toBe(false);
    expect(k.syns).toEqual([0]);
    expect(k.synAck).toBeCloseTo(0.01, 6);
    expect(k.established).toBeCloseTo(0.01, 6);
    expect(k.bytes).toEqual({ client: 5, server: 6 });
    expect(k.firstPayload.server).toBeCloseTo(0.5, 6);
    expect(k.closed).toBeCloseTo(0.61, 6);
    expect(k.reset).toBeNull();
    expect(k.history).toBe('ShADadFf');
    expect(k.state).toBe('SF');
    expect(k.longestIdle?.start).toBeCloseTo(0.03, 6);
    expect(k.longestIdle?.seconds).toBeCloseTo(0.47, 6);
    expect(k.retransmits).toBe(0);
  });

  it('keeps every SYN of an unanswered connect (S0) and counts SYN retransmissions', () => {
    const c = new TcpConversation(C, S);
    const r = build([c.syn(0), c.syn(1), c.syn(3), c.syn(7)]);
    const k = r.connections[0];
    expect(k.syns).toEqual([0, 1, 3, 7]);
    expect(k.synAck).toBeNull();
    expect(k.state).toBe('S0');
    expect(k.retransmits).toBe(3);
    expect(r.stats.tcp.syn).toBe(4);
  });

  it('a SYN answered by RST is refused (REJ) with the reset by the server', () => {
    const c = new TcpConversation(C, S);
    const r = build([c.syn(0), tcpPacket({ src: S, dst: C, seq: 0, ack: 1001, flags: 'RA', t: 0.0001 })]);
    const k = r.connections[0];
    expect(k.reset).toEqual({ t: expect.closeTo(0.0001, 6), by: 'server' });
    expect(k.state).toBe('REJ');
    expect(k.history).toBe('Sr');
  });

  it('a reused 4-tuple with a new ISN after close starts a new connection', () => {
    const a = new TcpConversation(C, S, 100, 200);
    const b = new TcpConversation(C, S, 90000, 7000);
    const r = build([...a.handshake(0), a.rst(true, 0.1), ...b.handshake(5), ...b.send(true, text('x'), 5.1)]);
    expect(r.connections.map((k) => k.uid)).toEqual(['C1', 'C2']);
    expect(r.connections[0].reset?.by).toBe('client');
    expect(r.connections[0].state).toBe('RSTO');
    expect(r.connections[1].syns).toEqual([5]);
    expect(r.connections[1].bytes.client).toBe(1);
  });

  it('a SYN with a different ISN on an open 4-tuple also starts a new connection', () => {
    const a = new TcpConversation(C, S, 100, 200);
    const b = new TcpConversation(C, S, 5555, 7000);
    const r = build([...a.handshake(0), ...a.send(true, text('abc'), 0.1), b.syn(2)]);
    expect(r.connections).toHaveLength(2);
  });

  it('guesses roles from ports when the capture starts mid-connection', () => {
    const c = new TcpConversation('10.1.0.2:51000', '10.1.0.9:443', 100, 200);
    // first packet seen goes from server to client
    const r = build([...c.send(false, text('data'), 0), ...c.send(true, text('more'), 0.1)]);
    const k = r.connections[0];
    expect(k.rolesGuessed).toBe(true);
    expect(k.server).toBe('10.1.0.9:443');
    expect(k.syns).toEqual([]);
    expect(k.state).toBe('OTH');
  });

  it('labels retransmission, fast retransmission, keep-alive and zero window', () => {
    const c = new TcpConversation(C, S);
    const pk: DecodedPacket[] = [...c.handshake(0)];
    const s1 = c.segment(false, text('A'.repeat(100)), 1.0);
    const s2 = c.segment(false, text('B'.repeat(100)), 1.0001);
    const s3 = c.segment(false, text('C'.repeat(100)), 1.0002);
    pk.push(s1);
    // s2 lost; s3 arrives; client sends 3 duplicate ACKs for s2's sequence
    pk.push(s3);
    const dup = () => tcpPacket({ src: C, dst: S, seq: c.cseq, ack: s2.tcp!.seq, flags: 'A', t: 1.001 });
    pk.push(dup(), dup(), dup());
    pk.push({ ...s2, frame: 999, t: T0 + 1.002 }); // fast retransmission
    pk.push({ ...s1, frame: 1000, t: T0 + 2.0 }); // plain retransmission (RTO), already acked? no: client acked only up to s2
    pk.push(tcpPacket({ src: C, dst: S, seq: (c.cseq - 1) >>> 0, ack: c.sseq, flags: 'A', t: 3, payload: new Uint8Array(1) })); // keep-alive
    pk.push(c.ack(true, 4, 0)); // zero window
    const k = build(pk).connections[0];
    expect(k.fastRetransmits).toBe(1);
    expect(k.retransmits).toBe(2);
    expect(k.keepAlives).toBe(1);
    expect(k.zeroWindows).toBe(1);
    expect(k.bytes.server).toBe(300);
    expect(k.history).toContain('t');
    expect(k.history).toContain('W');
  });

  it('counts the longest idle gap and where it began', () => {
    const c = new TcpConversation(C, S);
    const r = build([...c.handshake(0), ...c.send(true, text('GET'), 1), c.ack(false, 1.1), c.ack(true, 31.1)]);
    expect(r.connections[0].longestIdle).toEqual({ start: expect.closeTo(1.1, 6), seconds: expect.closeTo(30, 6) });
  });

  it('works across the sequence-number wrap', () => {
    const c = new TcpConversation(C, S, 0xfffffff0, 0xffffff00);
    const pk = [...c.handshake(0)];
    for (let i = 0; i < 5; i++) pk.push(...c.send(true, text('0123456789'), 0.1 + i * 0.01));
    const k = build(pk).connections[0];
    expect(k.bytes.client).toBe(50);
    expect(k.retransmits).toBe(0);
  });
});

describe('History', () => {
  it('repeats t and w on a log scale', () => {
    const h = new History();
    for (let i = 0; i < 120; i++) h.add(true, HistoryEvent.Retransmit);
    h.add(false, HistoryEvent.ZeroWindow);
    expect(h.toString()).toBe('TTTw');
  });
});

describe('times kept as doubles from the first packet on', () => {
  it("a SYN at exactly 0 (a capture's first packet) leaves the SYN times an array of doubles, as later ones are", () => {
    // V8's own view of the array (natives syntax, in a child node): an array made by `[]` whose
    // first element is 0 holds small integers, and the next, fractional time converts it, which
    // throws away the connection's optimised per-packet code (docs/performance.md, session 8).
    const script = `
      import { TcpConnection } from ${JSON.stringify(new URL('../../dist/flow/connection.js', import.meta.url).href)};
      import { TcpSegmentView } from ${JSON.stringify(new URL('../../dist/decode/headers.js', import.meta.url).href)};
      const a = new Uint8Array([10, 0, 0, 1]), b = new Uint8Array([10, 0, 0, 2]);
      const syn = new TcpSegmentView(new Uint8Array(0), 40000, 443, 1000, 0, 0x02, 65535, 20, 20, 20, 20, 0);
      const conn = new TcpConnection(0, a, 40000, b, 443, syn, 0, 1);
      conn.add(syn, 0, 0, 1);
      const syn2 = new TcpSegmentView(new Uint8Array(0), 40001, 443, 2000, 0, 0x02, 65535, 20, 20, 20, 20, 0);
      const other = new TcpConnection(1, a, 40001, b, 443, syn2, 0.25, 2);
      other.add(syn2, 0, 0.25, 2);
      console.log(JSON.stringify([%HasDoubleElements(conn.syns), %HasDoubleElements(other.syns), conn.syns, other.syns]));
    `;
    const r = spawnSync(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([true, true, [0], [0.25]]);
  });
});

describe('a capture that missed the server side', () => {
  // The client's packets only (one direction captured): SYN, the ACK of the SYN-ACK, two GETs,
  // and ACKs of the answers the capture does not hold.
  function oneWay() {
    const c = new TcpConversation('10.1.0.2:40001', '10.1.0.9:80');
    const all = [...c.handshake(0, 0.02)];
    const get = (path: string) => text(`GET ${path} HTTP/1.1\r\nHost: crl.example\r\n\r\n`);
    all.push(...c.send(true, get('/a.crl'), 0.021));
    all.push(...c.send(false, new Uint8Array(1400), 0.05), ...c.send(false, new Uint8Array(900), 0.051));
    all.push(c.ack(true, 0.052));
    all.push(...c.send(true, get('/b.crl'), 0.06));
    all.push(...c.send(false, new Uint8Array(226), 0.09));
    all.push(c.ack(true, 0.091));
    return build(all.filter((p) => p.tcp!.srcPort === 40001));
  }

  it('takes the client ACK after its SYN as the connection set up, and acknowledged server bytes as answers', () => {
    const k = oneWay().connections[0];
    expect(k).toMatchObject({ synAck: null, established: expect.closeTo(0.02, 6), history: 'SAD', bytes: { server: 0 } });
    expect(k.ackedUnseen).toEqual({ bytes: 2526, last: expect.closeTo(0.091, 6) });
    expect(k.waits.map((w) => w.firstByte)).toEqual([expect.closeTo(0.052, 6), expect.closeTo(0.091, 6)]);
    const stages = connectionStages(k, 10);
    expect(stages.map((s) => [s.stage, s.state])).toEqual([['connect', 'ok'], ['proxy-response', 'ok'], ['proxy-response', 'ok']]);
  });
});
