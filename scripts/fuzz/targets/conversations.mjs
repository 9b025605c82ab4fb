/**
 * Target: the whole reconstruction — decodePacket then ConversationBuilder (TCP state and
 * reassembly, DNS over UDP and TCP, TLS, HTTP, CONNECT) — fed a fuzzed packet sequence.
 * Input: records of [time step (ms), length (u16), raw IP packet]; link type RAW.
 */
import { decodePacket } from '../../../dist/decode/packet.js';
import { ConversationBuilder } from '../../../dist/protocols/conversations.js';
import * as f from '../frames.mjs';

export const cover = ['/dist/flow/', '/dist/protocols/', '/dist/decode/'];
export const maxLen = 16 * 1024;
export const dictionary = [[0x16, 3, 1], [0x45, 0], [0x60, 0], [0, 53], [1, 0xbb], [0x0c, 0x38], [0, 0x50], [0x12], [0x10], [0x11], [0x04]].map((a) => Uint8Array.from(a))
  .concat(['CONNECT ', 'HTTP/1.1 200 ', 'GET /'].map((s) => f.enc(s)));

export function expected() {
  return false;
}

const C = '10.0.0.1', S = '10.0.0.2';

function rec(dt, pkt) {
  return f.cat([dt], f.u16(pkt.length), pkt);
}

/** A TCP conversation from (seq-numbered) client/server payloads. */
function conversation(sport, dport, exchanges, { v6 = false } = {}) {
  const ip = (src, dst, seg) => (v6 ? f.ipv6(src === C ? 1 : 2, src === C ? 2 : 1, 6, seg) : f.ipv4(src, dst, 6, seg));
  let cs = 1000, ss = 5000;
  const out = [
    rec(0, ip(C, S, f.tcp(sport, dport, { seq: cs - 1, flags: f.TCP.SYN, options: [2, 4, 5, 0xb4] }))),
    rec(5, ip(S, C, f.tcp(dport, sport, { seq: ss - 1, ack: cs, flags: f.TCP.SYN | f.TCP.ACK }))),
    rec(0, ip(C, S, f.tcp(sport, dport, { seq: cs, ack: ss, flags: f.TCP.ACK }))),
  ];
  for (const [fromClient, payload] of exchanges) {
    if (fromClient) { out.push(rec(1, ip(C, S, f.tcp(sport, dport, { seq: cs, ack: ss, flags: f.TCP.ACK | f.TCP.PSH, payload })))); cs += payload.length; }
    else { out.push(rec(20, ip(S, C, f.tcp(dport, sport, { seq: ss, ack: cs, flags: f.TCP.ACK | f.TCP.PSH, payload })))); ss += payload.length; }
  }
  out.push(rec(3, ip(C, S, f.tcp(sport, dport, { seq: cs, ack: ss, flags: f.TCP.FIN | f.TCP.ACK }))));
  out.push(rec(3, ip(S, C, f.tcp(dport, sport, { seq: ss, ack: cs + 1, flags: f.TCP.RST }))));
  return f.cat(...out);
}

export function seeds() {
  const q = f.dnsQuery(0x77, 'proxy.golang.org', 1);
  const a = f.dnsAnswer(0x77, 'proxy.golang.org', 1, Uint8Array.from([10, 0, 0, 2]));
  return [
    f.cat(rec(0, f.ipv4(C, '10.0.0.53', 17, f.udp(5353, 53, q))), rec(12, f.ipv4('10.0.0.53', C, 17, f.udp(53, 5353, a))),
      conversation(40000, 443, [[true, f.clientHelloRecord()], [false, f.cat(f.serverHelloRecord(), f.changeCipherSpec(), f.appData(30))], [true, f.appData(50)]])),
    conversation(40001, 3128, [[true, f.httpConnect()], [false, f.connectOk()], [true, f.clientHelloRecord()], [false, f.serverHelloRecord()]]),
    conversation(40002, 80, [[true, f.httpGet()], [false, f.httpOk()]], { v6: true }),
    conversation(40003, 53, [[true, f.cat(f.u16(q.length), q)], [false, f.cat(f.u16(a.length), a)]]),
    f.cat(rec(0, f.ipv4(C, S, 6, f.tcp(40004, 443, { seq: 1, flags: f.TCP.SYN }))), rec(200, f.ipv4(C, S, 6, f.tcp(40004, 443, { seq: 1, flags: f.TCP.SYN })))),
  ];
}

/**
 * Two passes: one taking a live snapshot() every 7 packets, one without. snapshot() promises not to
 * end anything, so both must finish with the same records.
 */
export function run(b) {
  const a = reconstruct(b, 7);
  const c = reconstruct(b, 0);
  if (a !== c) {
    let i = 0;
    while (i < a.length && a[i] === c[i]) i++;
    throw new Error(`invariant: snapshot() changed the final records at char ${i}: "${a.slice(Math.max(0, i - 80), i + 80)}" vs without "${c.slice(Math.max(0, i - 80), i + 80)}"`);
  }
}

function reconstruct(b, snapshotEvery) {
  const builder = new ConversationBuilder({ maxConnections: 64, maxDnsTransactions: 64 });
  let o = 0, frame = 0, ms = 0;
  while (o + 3 <= b.length) {
    ms += b[o];
    const n = (b[o + 1] << 8) | b[o + 2];
    o += 3;
    const data = b.subarray(o, o + n);
    o += data.length;
    frame++;
    const p = decodePacket({
      frame, tsSec: 1_700_000_000 + Math.floor(ms / 1000), tsNsec: (ms % 1000) * 1e6, interfaceId: 0, linkType: 101,
      capturedLength: data.length, originalLength: data.length, data, fileOffset: o,
    });
    builder.add(p);
    if (snapshotEvery && frame % snapshotEvery === 0) JSON.stringify(builder.snapshot());
  }
  const c = builder.finish();
  if (c.packets !== frame) throw new Error(`invariant: ${c.packets} packets counted, ${frame} added`);
  return JSON.stringify(c);
}
