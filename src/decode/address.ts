/**
 * Address formatting, kept out of the decoder's hot path: call these only for what you display or
 * key by string. IPv6 follows RFC 5952 (lower case, longest run of two or more zero groups as ::,
 * the leftmost on a tie); IPv4-mapped addresses print as ::ffff:a.b.c.d.
 */
import type { IpHeader } from './types.js';
import { IpHeaderView } from './headers.js';

const cache = new Map<string, string>();
const CACHE_MAX = 4096;
const latin1Slice = Buffer.prototype.latin1Slice as (this: Uint8Array, start: number, end: number) => string;

export function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return ipv4Text(bytes, 0);
  if (bytes.length !== 16) return `<${bytes.length}-byte address>`;
  // Key by the raw bytes (one character per byte, made in one native call): cheaper than
  // formatting each time for the few addresses a capture has.
  const key = latin1Slice.call(bytes, 0, 16);
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const s = formatIpv6(bytes);
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(key, s);
  return s;
}

function formatIpv6(b: Uint8Array): string {
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((b[i] << 8) | b[i + 1]);
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) return g.map((x) => x.toString(16)).join(':');
  const head = g.slice(0, bestStart).map((x) => x.toString(16)).join(':');
  const tail = g.slice(bestStart + bestLen).map((x) => x.toString(16)).join(':');
  return `${head}::${tail}`;
}

/** `ip:port`, or `[ip]:port` for IPv6. */
export function formatEndpoint(ip: Uint8Array | string, port: number): string {
  const s = typeof ip === 'string' ? ip : formatIp(ip);
  return s.includes(':') ? `[${s}]:${port}` : `${s}:${port}`;
}

/**
 * `formatEndpoint` of a decoded IP header's source or destination with `port`. A header decoded in
 * the capture buffer (IpHeaderView) is read where its addresses lie: no view for an IPv4 address.
 */
export function formatIpEndpoint(ip: IpHeader, side: 'src' | 'dst', port: number): string {
  if (!(ip instanceof IpHeaderView)) return formatEndpoint(side === 'src' ? ip.src : ip.dst, port);
  const n = ip.version === 4 ? 4 : 16;
  return formatEndpointAt(ip.addrBytes, side === 'src' ? ip.addrOffset : ip.addrOffset + n, n, port);
}

/** `formatEndpoint` of the `n`-byte (4 or 16) address at b[o..o+n) with `port`, read where it lies. */
export function formatEndpointAt(b: Uint8Array, o: number, n: number, port: number): string {
  if (n !== 4) return formatEndpoint(b.subarray(o, o + n), port);
  // IPv4 endpoints by address, then port: the same string object every time, so that code keying
  // or comparing by endpoint (DNS transactions, two per message) finds its hash cached and equal
  // strings identical, instead of building, flattening and hashing a new one.
  const addr = ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) | 0;
  let ports = v4Endpoints.get(addr);
  if (ports === undefined) {
    if (v4Endpoints.size >= CACHE_MAX) v4Endpoints.clear();
    ports = new Map();
    v4Endpoints.set(addr, ports);
  }
  let text = ports.get(port);
  if (text === undefined) {
    text = ipv4Text(b, o) + ':' + port;
    if (ports.size >= CACHE_MAX) ports.clear();
    ports.set(port, text);
  }
  return text;
}

/** IPv4 endpoint texts by address (its 32-bit value) and port (see formatEndpointAt). */
const v4Endpoints = new Map<number, Map<number, string>>();

/**
 * IPv4 addresses as text by their 32-bit value: a capture has few, and they are formatted often
 * (two endpoints per DNS message, A records, connection records), mostly by code V8 has not
 * optimised, where turning four numbers into text costs several thousand instructions.
 */
const v4Texts = new Map<number, string>();

/** The IPv4 address at b[o..o+4) as text. */
export function ipv4Text(b: Uint8Array, o: number): string {
  const key = ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) | 0;
  let text = v4Texts.get(key);
  if (text === undefined) {
    text = `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
    if (v4Texts.size >= CACHE_MAX) v4Texts.clear();
    v4Texts.set(key, text);
  }
  return text;
}
