#!/usr/bin/env node
/**
 * Writes a classic Ethernet pcap (µs, little-endian) shaped like `go mod download` traffic: per module
 * fetch a DNS A/AAAA query/response pair, a TCP handshake with options, then a TLS 1.3 exchange as the
 * analysis sees it on the wire: the ClientHello (SNI, ALPN, supported_versions, key_share), the
 * server's ServerHello, ChangeCipherSpec and encrypted handshake, the client's ChangeCipherSpec,
 * Finished and request, two session tickets, and the zip body in 16 KiB application-data records,
 * cut into 1448-byte segments with delayed ACKs and, now and then, a retransmitted segment; then a
 * FIN close. Record contents are filler (the analysis reads only the hellos and record headers).
 * Deterministic (seeded), streamed to disk.
 *
 * Version 2: version 1's server sent 0x5a filler instead of TLS records, so every connection
 * stopped at "no ServerHello" (a TLS_bad_record_header anomaly each) and the bench never ran the
 * server side of the TLS reader nor the request/response waits.
 *
 *   node scripts/gen-bench-capture.mjs OUT.pcap [SIZE_MB]
 */
import { openSync, writeSync, closeSync } from 'node:fs';
import { seededRandom } from './lib/rng.mjs';

export const GENERATOR_VERSION = 2;

const rng = seededRandom;

const CLIENT4 = [10, 20, 30, 40];
const RESOLVER = [10, 20, 30, 1];
const HOSTS = ['proxy.golang.org', 'sum.golang.org', 'goproxy.example.com', 'storage.example.net'];
const SERVER4 = [[142, 250, 0, 141], [34, 120, 0, 7], [198, 51, 100, 20], [203, 0, 113, 9]];

class Writer {
  constructor(path) {
    this.fd = openSync(path, 'w');
    this.buf = Buffer.alloc(4 * 1024 * 1024);
    this.pos = 0;
    this.bytes = 0;
    this.packets = 0;
    this.usec = 1_764_045_000n * 1_000_000n;
    const h = this.buf;
    h.writeUInt32LE(0xa1b2c3d4, 0);
    h.writeUInt16LE(2, 4);
    h.writeUInt16LE(4, 6);
    h.writeUInt32LE(262144, 16);
    h.writeUInt32LE(1, 20);
    this.pos = 24;
  }
  /** Append one frame built by `fill(buf, offset)` (which returns its length) after `gapUs`. */
  frame(gapUs, maxLen, fill) {
    if (this.pos + 16 + maxLen > this.buf.length) this.flush();
    this.usec += BigInt(gapUs);
    const o = this.pos;
    const len = fill(this.buf, o + 16);
    this.buf.writeUInt32LE(Number(this.usec / 1_000_000n), o);
    this.buf.writeUInt32LE(Number(this.usec % 1_000_000n), o + 4);
    this.buf.writeUInt32LE(len, o + 8);
    this.buf.writeUInt32LE(len, o + 12);
    this.pos = o + 16 + len;
    this.packets++;
  }
  flush() {
    writeSync(this.fd, this.buf, 0, this.pos);
    this.bytes += this.pos;
    this.pos = 0;
  }
  close() {
    this.flush();
    closeSync(this.fd);
  }
}

const MAC_C = [0x02, 0, 0, 0, 0, 1];
const MAC_S = [0x02, 0, 0, 0, 0, 2];

function eth(b, o, toServer, etherType) {
  b.set(toServer ? MAC_S : MAC_C, o);
  b.set(toServer ? MAC_C : MAC_S, o + 6);
  b.writeUInt16BE(etherType, o + 12);
  return o + 14;
}

function ip4(b, o, src, dst, proto, payloadLen, id) {
  b[o] = 0x45; b[o + 1] = 0;
  b.writeUInt16BE(20 + payloadLen, o + 2);
  b.writeUInt16BE(id & 0xffff, o + 4);
  b.writeUInt16BE(0x4000, o + 6);
  b[o + 8] = 64; b[o + 9] = proto;
  b.writeUInt16BE(0, o + 10);
  b.set(src, o + 12);
  b.set(dst, o + 16);
  return o + 20;
}

function tcpHdr(b, o, sport, dport, seq, ack, flags, win, opts) {
  const hl = 20 + opts.length;
  b.writeUInt16BE(sport, o);
  b.writeUInt16BE(dport, o + 2);
  b.writeUInt32BE(seq >>> 0, o + 4);
  b.writeUInt32BE(ack >>> 0, o + 8);
  b[o + 12] = (hl / 4) << 4; b[o + 13] = flags;
  b.writeUInt16BE(win, o + 14);
  b.writeUInt32BE(0, o + 16);
  b.set(opts, o + 20);
  return o + hl;
}

const SYN = 2, ACK = 16, PSH = 8, FIN = 1;
const TS = (a, e) => [1, 1, 8, 10, a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255, e >>> 24, (e >>> 16) & 255, (e >>> 8) & 255, e & 255];
const SYN_OPTS = [2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7];

function dnsName(name) {
  const out = [];
  for (const l of name.split('.')) out.push(l.length, ...Buffer.from(l));
  out.push(0);
  return out;
}

function dnsMessage(id, name, qtype, answer) {
  const q = [...dnsName(name), 0, qtype, 0, 1];
  const h = [id >> 8, id & 255, answer ? 0x81 : 0x01, answer ? 0x80 : 0x00, 0, 1, 0, answer ? 1 : 0, 0, 0, 0, 0];
  const a = answer ? [0xc0, 12, 0, qtype, 0, 1, 0, 0, 0, 60, 0, answer.length, ...answer] : [];
  return Buffer.from([...h, ...q, ...a]);
}

function u16(n) {
  return [(n >> 8) & 255, n & 255];
}

/** A TLS record: type, version 0x0303 (0x0301 for a ClientHello, as clients send it), body. */
function record(type, body, version = 0x0303) {
  return Buffer.from([type, ...u16(version), ...u16(body.length), ...body]);
}

/** A handshake message: type, 24-bit length, body. */
function handshake(type, body) {
  return [type, 0, ...u16(body.length), ...body];
}

/** An extension: type, length, data. */
function ext(type, data) {
  return [...u16(type), ...u16(data.length), ...data];
}

function clientHello(sni) {
  const name = [...Buffer.from(sni)];
  const exts = [
    ...ext(0, [...u16(name.length + 3), 0, ...u16(name.length), ...name]),          // server_name
    ...ext(10, [0, 4, 0, 29, 0, 23]),                                                // supported_groups
    ...ext(16, [0, 12, 2, 0x68, 0x32, 8, ...Buffer.from('http/1.1')]),               // ALPN: h2, http/1.1
    ...ext(43, [4, 3, 4, 3, 3]),                                                     // supported_versions: 1.3, 1.2
    ...ext(51, [0, 36, 0, 29, 0, 32, ...new Array(32).fill(0x33)]),                  // key_share: x25519
    ...ext(21, new Array(200).fill(0)),                                              // padding
  ];
  const body = [3, 3, ...new Array(32).fill(7), 32, ...new Array(32).fill(9), 0, 4, 0x13, 1, 0x13, 2, 1, 0, ...u16(exts.length), ...exts];
  return record(0x16, handshake(1, body), 0x0301);
}

/** The server's first flight: ServerHello (TLS 1.3), ChangeCipherSpec, the encrypted handshake. */
function serverFlight() {
  const exts = [...ext(43, [3, 4]), ...ext(51, [0, 29, 0, 32, ...new Array(32).fill(0x44)])];
  const hello = [3, 3, ...new Array(32).fill(8), 32, ...new Array(32).fill(9), 0x13, 1, 0, ...u16(exts.length), ...exts];
  return Buffer.concat([record(0x16, handshake(2, hello)), record(0x14, [1]), record(0x17, new Array(2600).fill(0x5a))]);
}

/** The client's second flight: ChangeCipherSpec, Finished, and the request (HTTP/2 HEADERS). */
const CLIENT_FINISH = Buffer.concat([record(0x14, [1]), record(0x17, new Array(53).fill(0x5a)), record(0x17, new Array(140).fill(0x5a))]);
/** Two NewSessionTicket records, sent right after the client's Finished. */
const TICKETS = Buffer.concat([record(0x17, new Array(250).fill(0x5a)), record(0x17, new Array(250).fill(0x5a))]);
/** The largest TLS 1.3 record: 16 KiB of plaintext, its content type and a 16-byte tag. */
const MAX_RECORD = 16384 + 17;

/** A response of `bytes` plaintext bytes as application-data records. */
function response(bytes) {
  const parts = [];
  for (let left = bytes; left > 0; left -= 16384) {
    const n = Math.min(16384, left) + 17;
    const r = Buffer.alloc(5 + n, 0x5a);
    r[0] = 0x17; r[1] = 3; r[2] = 3; r[3] = n >> 8; r[4] = n & 255;
    parts.push(r);
  }
  return Buffer.concat(parts);
}

/** `stream` cut into segments of at most `mss` bytes. */
function segments(stream, mss = 1448) {
  const out = [];
  for (let o = 0; o < stream.length; o += mss) out.push(stream.subarray(o, Math.min(stream.length, o + mss)));
  return out;
}

export function generate(path, sizeMb = 300, seed = 42) {
  const r = rng(seed);
  const w = new Writer(path);
  const target = sizeMb * 1024 * 1024;
  let ipId = 1;
  let port = 40000;
  let fetch = 0;
  const flight = segments(serverFlight());
  while (w.bytes + w.pos < target) {
    const h = fetch % HOSTS.length;
    const host = HOSTS[h];
    const server = SERVER4[h];
    fetch++;
    // DNS: A and AAAA in parallel, answered.
    for (const qtype of [1, 28]) {
      const id = (fetch * 2 + qtype) & 0xffff;
      const sport = 30000 + (fetch % 20000);
      const q = dnsMessage(id, host, qtype, null);
      const a = dnsMessage(id, host, qtype, qtype === 1 ? server : new Array(16).fill(0x20));
      for (const [toServer, msg, gap] of [[true, q, 40], [false, a, 900 + Math.floor(r() * 4000)]]) {
        w.frame(gap, 14 + 20 + 8 + msg.length, (b, o) => {
          let p = eth(b, o, toServer, 0x0800);
          p = ip4(b, p, toServer ? CLIENT4 : RESOLVER, toServer ? RESOLVER : CLIENT4, 17, 8 + msg.length, ipId++);
          b.writeUInt16BE(toServer ? sport : 53, p);
          b.writeUInt16BE(toServer ? 53 : sport, p + 2);
          b.writeUInt16BE(8 + msg.length, p + 4);
          b.writeUInt16BE(0, p + 6);
          msg.copy(b, p + 8);
          return p + 8 + msg.length - o;
        });
      }
    }
    // TCP handshake, ClientHello, server flight, request, body.
    const cport = port++;
    if (port > 60000) port = 40000;
    let cseq = Math.floor(r() * 2 ** 32);
    let sseq = Math.floor(r() * 2 ** 32);
    let tsv = 1000 + fetch;
    const seg = (toServer, flags, data, gap, opts) => {
      const o2 = opts ?? TS(tsv, tsv - 1);
      const len = data ? data.length : 0;
      w.frame(gap, 14 + 20 + 20 + o2.length + len, (b, o) => {
        let p = eth(b, o, toServer, 0x0800);
        p = ip4(b, p, toServer ? CLIENT4 : server, toServer ? server : CLIENT4, 6, 20 + o2.length + len, ipId++);
        p = tcpHdr(b, p, toServer ? cport : 443, toServer ? 443 : cport, toServer ? cseq : sseq, (flags & ACK) === 0 ? 0 : toServer ? sseq : cseq, flags, toServer ? 502 : 1000, o2);
        if (data) data.copy(b, p);
        return p + len - o;
      });
    };
    seg(true, SYN, null, 200, SYN_OPTS);
    cseq++;
    seg(false, SYN | ACK, null, 8000 + Math.floor(r() * 20000), SYN_OPTS);
    sseq++;
    seg(true, ACK, null, 30);
    const ch = clientHello(host);
    seg(true, ACK | PSH, ch, 200);
    cseq += ch.length;
    // The server's flight one round trip later, the client's Finished and request, then the
    // tickets and the zip (about 60–280 full segments) after the server's think time.
    for (let i = 0; i < flight.length; i++) {
      seg(false, ACK, flight[i], i === 0 ? 9000 : 12);
      sseq += flight[i].length;
    }
    seg(true, ACK | PSH, CLIENT_FINISH, 100);
    cseq += CLIENT_FINISH.length;
    seg(false, ACK, TICKETS, 40);
    sseq += TICKETS.length;
    const zipBytes = (60 + Math.floor(r() * 220)) * 1448 - Math.floor(r() * 1000);
    const body = segments(response(zipBytes));
    for (let i = 0; i < body.length; i++) {
      const retransmit = i > 5 && r() < 0.002;
      seg(false, ACK, body[i], i === 0 ? 9000 : 12);
      if (retransmit) seg(false, ACK, body[i], 30000);
      sseq += body[i].length;
      tsv++;
      if (i % 2 === 1) seg(true, ACK, null, 20);
    }
    seg(true, FIN | ACK, null, 500);
    cseq++;
    seg(false, FIN | ACK, null, 300);
    sseq++;
    seg(true, ACK, null, 30);
  }
  w.close();
  return { packets: w.packets, bytes: w.bytes };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: node scripts/gen-bench-capture.mjs OUT.pcap [SIZE_MB]');
    process.exit(2);
  }
  const t = Date.now();
  const r = generate(out, Number(process.argv[3] ?? 300));
  console.log(`wrote ${out}: ${r.packets} packets, ${(r.bytes / 1048576).toFixed(1)} MiB in ${((Date.now() - t) / 1000).toFixed(1)} s`);
}
