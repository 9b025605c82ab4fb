/**
 * Builders for tests of flow/ and protocols/: DecodedPacket objects made directly (no capture
 * file), a TCP conversation that keeps its own sequence numbers, and TLS hello messages.
 */
import dnsPacket from 'dns-packet';
import type { DecodedPacket } from '../../src/decode/types.js';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN } from '../../src/decode/types.js';

export const T0 = 1_764_045_000;

export function ipBytes(s: string): Uint8Array {
  if (s.includes(':')) {
    const [head, tail] = s.split('::');
    const h = head ? head.split(':') : [];
    const tl = tail !== undefined && tail !== '' ? tail.split(':') : [];
    const groups = [...h, ...Array(8 - h.length - tl.length).fill('0'), ...tl];
    const out = new Uint8Array(16);
    groups.forEach((g, i) => { const v = parseInt(g, 16); out[i * 2] = v >> 8; out[i * 2 + 1] = v & 0xff; });
    return out;
  }
  return new Uint8Array(s.split('.').map(Number));
}

/** 'ip:port' or '[ipv6]:port'. */
export function endpoint(s: string): { ip: Uint8Array; port: number } {
  const m = /^\[(.+)\]:(\d+)$/.exec(s) ?? /^(.+):(\d+)$/.exec(s);
  if (!m) throw new Error(`bad endpoint ${s}`);
  return { ip: ipBytes(m[1]), port: Number(m[2]) };
}

export const FLAGS: Record<string, number> = { S: TCP_SYN, A: TCP_ACK, F: TCP_FIN, R: TCP_RST, P: TCP_PSH };

export function flagBits(f: string): number {
  let n = 0;
  for (const c of f) n |= FLAGS[c];
  return n;
}

let frameCounter = 0;
export function resetFrames(): void {
  frameCounter = 0;
}

export function tcpPacket(o: {
  src: string; dst: string; seq: number; ack?: number; flags: string; t: number;
  payload?: Uint8Array; window?: number; wireLength?: number; frame?: number;
}): DecodedPacket {
  const s = endpoint(o.src);
  const d = endpoint(o.dst);
  const payload = o.payload ?? new Uint8Array(0);
  return {
    frame: o.frame ?? ++frameCounter,
    tsSec: Math.floor(T0 + o.t),
    tsNsec: 0,
    t: T0 + o.t,
    interfaceId: 0,
    linkType: 1,
    etherType: null,
    vlans: [],
    ip: { version: s.ip.length === 16 ? 6 : 4, src: s.ip, dst: d.ip, protocol: 6, ttl: 64, id: 0, fragment: null, headerLength: 20, payload, payloadLength: 20 + (o.wireLength ?? payload.length) },
    tcp: {
      srcPort: s.port, dstPort: d.port, seq: o.seq >>> 0, ack: (o.ack ?? 0) >>> 0, flags: flagBits(o.flags),
      window: o.window ?? 65535, headerLength: 20, options: {}, payload, payloadLength: o.wireLength ?? payload.length,
    },
    udp: null,
    truncated: false,
    anomalies: [],
  };
}

export function udpPacket(o: { src: string; dst: string; t: number; payload: Uint8Array; wireLength?: number }): DecodedPacket {
  const s = endpoint(o.src);
  const d = endpoint(o.dst);
  return {
    frame: ++frameCounter,
    tsSec: Math.floor(T0 + o.t),
    tsNsec: 0,
    t: T0 + o.t,
    interfaceId: 0,
    linkType: 1,
    etherType: null,
    vlans: [],
    ip: { version: s.ip.length === 16 ? 6 : 4, src: s.ip, dst: d.ip, protocol: 17, ttl: 64, id: 0, fragment: null, headerLength: 20, payload: o.payload, payloadLength: 8 + (o.wireLength ?? o.payload.length) },
    tcp: null,
    udp: { srcPort: s.port, dstPort: d.port, length: 8 + (o.wireLength ?? o.payload.length), payload: o.payload },
    truncated: false,
    anomalies: [],
  };
}

/**
 * A TCP conversation between a client and a server that tracks both sides' sequence numbers.
 * Methods return the packets so tests can reorder, duplicate or drop them.
 */
export class TcpConversation {
  cseq: number;
  sseq: number;
  constructor(public client: string, public server: string, cisn = 1000, sisn = 5000) {
    this.cseq = cisn >>> 0;
    this.sseq = sisn >>> 0;
  }

  syn(t: number): DecodedPacket {
    return tcpPacket({ src: this.client, dst: this.server, seq: this.cseq, flags: 'S', t });
  }

  synAck(t: number): DecodedPacket {
    return tcpPacket({ src: this.server, dst: this.client, seq: this.sseq, ack: this.cseq + 1, flags: 'SA', t });
  }

  /** SYN, SYN-ACK, ACK at t, t+rtt, t+rtt (sequence numbers advanced past the SYNs). */
  handshake(t: number, rtt = 0.001): DecodedPacket[] {
    const out = [this.syn(t), this.synAck(t + rtt)];
    this.cseq = (this.cseq + 1) >>> 0;
    this.sseq = (this.sseq + 1) >>> 0;
    out.push(tcpPacket({ src: this.client, dst: this.server, seq: this.cseq, ack: this.sseq, flags: 'A', t: t + rtt }));
    return out;
  }

  /** Data from one side, split into segments of at most `mss` bytes, all at time t. */
  send(fromClient: boolean, data: Uint8Array, t: number, mss = 1460): DecodedPacket[] {
    const out: DecodedPacket[] = [];
    for (let off = 0; off < data.length; off += mss) {
      const chunk = data.subarray(off, Math.min(off + mss, data.length));
      out.push(this.segment(fromClient, chunk, t));
    }
    return out;
  }

  segment(fromClient: boolean, chunk: Uint8Array, t: number): DecodedPacket {
    const p = fromClient
      ? tcpPacket({ src: this.client, dst: this.server, seq: this.cseq, ack: this.sseq, flags: 'PA', t, payload: chunk })
      : tcpPacket({ src: this.server, dst: this.client, seq: this.sseq, ack: this.cseq, flags: 'PA', t, payload: chunk });
    if (fromClient) this.cseq = (this.cseq + chunk.length) >>> 0;
    else this.sseq = (this.sseq + chunk.length) >>> 0;
    return p;
  }

  ack(fromClient: boolean, t: number, window?: number): DecodedPacket {
    return fromClient
      ? tcpPacket({ src: this.client, dst: this.server, seq: this.cseq, ack: this.sseq, flags: 'A', t, window })
      : tcpPacket({ src: this.server, dst: this.client, seq: this.sseq, ack: this.cseq, flags: 'A', t, window });
  }

  fin(fromClient: boolean, t: number): DecodedPacket {
    const p = fromClient
      ? tcpPacket({ src: this.client, dst: this.server, seq: this.cseq, ack: this.sseq, flags: 'FA', t })
      : tcpPacket({ src: this.server, dst: this.client, seq: this.sseq, ack: this.cseq, flags: 'FA', t });
    if (fromClient) this.cseq = (this.cseq + 1) >>> 0;
    else this.sseq = (this.sseq + 1) >>> 0;
    return p;
  }

  rst(fromClient: boolean, t: number): DecodedPacket {
    return fromClient
      ? tcpPacket({ src: this.client, dst: this.server, seq: this.cseq, flags: 'R', t })
      : tcpPacket({ src: this.server, dst: this.client, seq: this.sseq, ack: this.cseq, flags: 'RA', t });
  }
}

// ---------------------------------------------------------------- DNS

export function dnsQuery(id: number, name: string, type: dnsPacket.RecordType = 'A'): Uint8Array {
  return dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] });
}

export function dnsResponse(id: number, name: string, o: {
  type?: dnsPacket.RecordType; rcode?: number; answers?: dnsPacket.Answer[]; tc?: boolean; edns?: boolean;
} = {}): Uint8Array {
  const flags = (o.tc ? dnsPacket.TRUNCATED_RESPONSE : 0) | dnsPacket.RECURSION_AVAILABLE | ((o.rcode ?? 0) & 0xf);
  return dnsPacket.encode({
    type: 'response', id, flags,
    questions: [{ type: o.type ?? 'A', name }],
    answers: o.answers ?? [],
    additionals: o.edns ? [{ type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: (o.rcode ?? 0) >> 4, flags: 0 } as unknown as dnsPacket.Answer] : [],
  });
}

// ---------------------------------------------------------------- TLS

function u16(n: number): number[] { return [(n >> 8) & 0xff, n & 0xff]; }
function u24(n: number): number[] { return [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]; }
function ext(type: number, body: number[]): number[] { return [...u16(type), ...u16(body.length), ...body]; }
function ascii(s: string): number[] { return Array.from(Buffer.from(s, 'latin1')); }

export function clientHelloBody(o: { sni?: string; alpn?: string[]; versions?: number[]; ciphers?: number[]; legacy?: number } = {}): Uint8Array {
  const ciphers = o.ciphers ?? [0x1301, 0x1302, 0x1303, 0xc02f];
  const exts: number[] = [];
  if (o.sni !== undefined) {
    const name = ascii(o.sni);
    const entry = [0, ...u16(name.length), ...name];
    exts.push(...ext(0, [...u16(entry.length), ...entry]));
  }
  exts.push(...ext(10, [...u16(4), ...u16(0x001d), ...u16(0x0017)]));
  exts.push(...ext(11, [1, 0]));
  exts.push(...ext(13, [...u16(4), ...u16(0x0403), ...u16(0x0804)]));
  if (o.alpn) {
    const list = o.alpn.flatMap((a) => [a.length, ...ascii(a)]);
    exts.push(...ext(16, [...u16(list.length), ...list]));
  }
  if (o.versions) {
    const list = o.versions.flatMap(u16);
    exts.push(...ext(43, [list.length, ...list]));
  }
  const body = [
    ...u16(o.legacy ?? 0x0303), ...new Array(32).fill(7), 0,
    ...u16(ciphers.length * 2), ...ciphers.flatMap(u16), 1, 0,
    ...u16(exts.length), ...exts,
  ];
  return new Uint8Array(body);
}

export function serverHelloBody(o: { version?: number; alpn?: string; hrr?: boolean; legacy?: number } = {}): Uint8Array {
  const random = o.hrr
    ? Array.from(Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex'))
    : new Array(32).fill(9);
  const exts: number[] = [];
  if (o.version) exts.push(...ext(43, u16(o.version)));
  if (o.alpn) {
    const a = [o.alpn.length, ...ascii(o.alpn)];
    exts.push(...ext(16, [...u16(a.length), ...a]));
  }
  return new Uint8Array([...u16(o.legacy ?? 0x0303), ...random, 0, ...u16(0x1301), 0, ...u16(exts.length), ...exts]);
}

/** A handshake message (type + 3-byte length + body). */
export function handshake(type: number, body: Uint8Array): Uint8Array {
  return new Uint8Array([type, ...u24(body.length), ...body]);
}

/** TLS records of `contentType` carrying `data`, split at `maxRecord` bytes. */
export function records(contentType: number, data: Uint8Array, maxRecord = 16384, version = 0x0303): Uint8Array {
  const parts: number[] = [];
  for (let off = 0; off < data.length || off === 0; off += maxRecord) {
    const chunk = data.subarray(off, Math.min(off + maxRecord, data.length));
    parts.push(contentType, ...u16(version), ...u16(chunk.length), ...chunk);
    if (data.length === 0) break;
  }
  return new Uint8Array(parts);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

export function text(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'latin1'));
}
