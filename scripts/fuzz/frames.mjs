/**
 * Seed builders for the fuzz targets: link layers, IPv4/IPv6, TCP/UDP, and the application
 * messages gomod-trace reads (DNS, TLS hellos, HTTP/1 and CONNECT). Checksums stay zero: the
 * decoder does not check them. Small and plain on purpose: seeds only need to be valid enough to
 * lead the fuzzer into the deep paths.
 */
export const enc = (s) => new TextEncoder().encode(s);

export function cat(...parts) {
  const flat = parts.map((p) => (p instanceof Uint8Array ? p : Uint8Array.from(p)));
  const out = new Uint8Array(flat.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of flat) { out.set(p, o); o += p.length; }
  return out;
}

export const u16 = (v) => [(v >> 8) & 0xff, v & 0xff];
export const u24 = (v) => [(v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];
export const u32 = (v) => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];

export function ip4(s) { return s.split('.').map(Number); }
export function ip6(last) { return [0xfd, 0, ...new Array(13).fill(0), last]; }

export function tcp(sp, dp, { seq = 0, ack = 0, flags, payload = new Uint8Array(0), options = [] }) {
  const opts = [...options];
  while (opts.length % 4) opts.push(0);
  return cat([...u16(sp), ...u16(dp), ...u32(seq), ...u32(ack), ((20 + opts.length) / 4) << 4, flags, 0xff, 0xff, 0, 0, 0, 0, ...opts], payload);
}

export function udp(sp, dp, payload) {
  return cat([...u16(sp), ...u16(dp), ...u16(8 + payload.length), 0, 0], payload);
}

export function ipv4(src, dst, proto, payload, { id = 1, frag = 0x4000 } = {}) {
  return cat([0x45, 0, ...u16(20 + payload.length), ...u16(id), ...u16(frag), 64, proto, 0, 0, ...ip4(src), ...ip4(dst)], payload);
}

export function ipv6(src, dst, proto, payload) {
  return cat([0x60, 0, 0, 0, ...u16(payload.length), proto, 64, ...ip6(src), ...ip6(dst)], payload);
}

export function ether(type, payload, vlan = null) {
  const macs = [2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2];
  return vlan === null ? cat(macs, u16(type), payload) : cat(macs, u16(0x8100), u16(vlan), u16(type), payload);
}
export const sll = (type, payload) => cat([0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0], u16(type), payload);
export const sll2 = (type, payload) => cat(u16(type), [0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0], payload);
export const nullLink = (family, payload) => cat([family, 0, 0, 0], payload);
export const loopLink = (family, payload) => cat([0, 0, 0, family], payload);

export const TCP = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16 };

export function dnsQuery(id, name, qtype = 1) {
  const labels = name.split('.').flatMap((l) => [l.length, ...enc(l)]);
  return cat([...u16(id), 1, 0, 0, 1, 0, 0, 0, 0, 0, 0], labels, [0], u16(qtype), u16(1));
}

export function dnsAnswer(id, name, qtype, rdata) {
  const q = dnsQuery(id, name, qtype);
  q[2] = 0x81; q[3] = 0x80; q[7] = 1; // response, one answer
  // Answer name: a compression pointer to the question name at offset 12.
  return cat(q, [0xc0, 12], u16(qtype), u16(1), u32(300), u16(rdata.length), rdata);
}

function ext(type, body) { return [...u16(type), ...u16(body.length), ...body]; }

export function clientHelloBody(sni = 'proxy.golang.org') {
  const name = enc(sni);
  const exts = [
    ...ext(0, [...u16(name.length + 3), 0, ...u16(name.length), ...name]),
    ...ext(16, [0, 12, 2, ...enc('h2'), 8, ...enc('http/1.1')]),
    ...ext(43, [4, 3, 4, 3, 3]),
    ...ext(10, [0, 4, 0, 0x1d, 0, 0x17]),
    ...ext(11, [1, 0]),
    ...ext(13, [0, 4, 4, 3, 8, 4]),
    ...ext(51, [0, 0]),
  ];
  return cat([3, 3], new Uint8Array(32).fill(7), [32], new Uint8Array(32).fill(9), [0, 6, 0x13, 1, 0x13, 2, 0xc0, 0x2f], [1, 0], u16(exts.length), exts);
}

export function serverHelloBody() {
  const exts = [...ext(43, [3, 4]), ...ext(51, [0, 0x1d, 0, 0])];
  return cat([3, 3], new Uint8Array(32).fill(5), [32], new Uint8Array(32).fill(9), [0x13, 1], [0], u16(exts.length), exts);
}

/** A handshake message in a TLS record. */
export function tlsRecord(type, body, contentType = 22) {
  const hs = type === null ? body : cat([type], u24(body.length), body);
  return cat([contentType, 3, 1], u16(hs.length), hs);
}

export const clientHelloRecord = (sni) => tlsRecord(1, clientHelloBody(sni));
export const serverHelloRecord = () => tlsRecord(2, serverHelloBody());
export const changeCipherSpec = () => tlsRecord(null, Uint8Array.from([1]), 20);
export const appData = (n) => tlsRecord(null, new Uint8Array(n).fill(0xab), 23);
export const alert = () => tlsRecord(null, Uint8Array.from([2, 40]), 21);

export const httpGet = (path = '/golang.org/x/mod/@v/list', host = 'proxy.golang.org') =>
  enc(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: Go-http-client/1.1\r\nAccept-Encoding: gzip\r\n\r\n`);
export const httpOk = (body = 'v0.1.0\nv0.2.0\n') => enc(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
export const httpChunked = () => enc('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n');
export const httpConnect = (host = 'proxy.golang.org:443') => enc(`CONNECT ${host} HTTP/1.1\r\nHost: ${host}\r\nProxy-Authorization: Basic dTpw\r\n\r\n`);
export const connectOk = () => enc('HTTP/1.1 200 Connection established\r\n\r\n');
export const http407 = () => enc('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="x"\r\nContent-Length: 0\r\n\r\n');

/**
 * The stream-target input format: a list of chunks, each [control, length, ...bytes].
 * control bit 0: from the server; bit 1: a gap of `length` bytes instead of data; bit 2: end (FIN).
 */
export function chunks(list) {
  const parts = [];
  for (const { server = false, gap = 0, end = false, data = new Uint8Array(0) } of list) {
    if (gap) { parts.push([(server ? 1 : 0) | 2, Math.min(gap, 255)]); continue; }
    if (end) { parts.push([(server ? 1 : 0) | 4, 0]); continue; }
    for (let o = 0; o < data.length || o === 0; o += 255) {
      const piece = data.subarray(o, o + 255);
      parts.push(cat([server ? 1 : 0, piece.length], piece));
      if (data.length === 0) break;
    }
  }
  return cat(...parts);
}

/** Decode the chunk format above; calls `visit(server, kind, bytes|length)`. */
export function* readChunks(b) {
  let o = 0;
  while (o + 2 <= b.length) {
    const c = b[o], n = b[o + 1];
    o += 2;
    const server = (c & 1) === 1;
    if (c & 2) { yield { server, kind: 'gap', length: n + 1 }; continue; }
    if (c & 4) { yield { server, kind: 'end' }; continue; }
    const data = b.subarray(o, o + n);
    o += data.length;
    yield { server, kind: 'data', data };
  }
}
