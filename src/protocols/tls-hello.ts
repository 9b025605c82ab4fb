import { md5Hex, sha256Hex } from './digest.js';
import { latin1 } from './text.js';
import { isGrease, tlsVersionName } from './tls-names.js';

/**
 * ClientHello and ServerHello bodies (after the 4-byte handshake header). Every read is checked
 * against the bytes that remain; a short or inconsistent field throws HelloError with the numbers.
 */
export class HelloError extends Error {
  override readonly name = 'HelloError';
}

export interface ClientHello {
  legacyVersion: number;
  cipherSuites: number[];
  extensions: number[];
  sni: string | null;
  alpn: string[];
  supportedVersions: number[];
  groups: number[];
  pointFormats: number[];
  signatureAlgorithms: number[];
}

export interface ServerHello {
  legacyVersion: number;
  helloRetryRequest: boolean;
  cipherSuite: number;
  /** From supported_versions, when present. */
  selectedVersion: number | null;
  alpn: string | null;
}

/** SHA-256("HelloRetryRequest"): the ServerHello random that marks a HelloRetryRequest (RFC 8446 4.1.3). */
const HRR_RANDOM = Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex');

/** Is this 32-byte random HRR_RANDOM? (A loop that stops at the first difference: no Buffer per hello.) */
function isHrrRandom(random: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) if (random[i] !== HRR_RANDOM[i]) return false;
  return true;
}

/**
 * Bounds-checked reads. `what` names the field for the error; a number stands for "extension N",
 * formatted only if the read fails (hellos are parsed once per connection, mostly before the JIT
 * has optimised this code: nothing is built for a read that succeeds).
 */
class Reader {
  constructor(private readonly b: Uint8Array, public pos = 0, private readonly end = b.length) {}
  need(n: number, what: string | number): void {
    if (this.pos + n > this.end) {
      throw short(typeof what === 'number' ? `extension ${what}` : what, n, this.pos, this.end);
    }
  }
  u8(what: string): number { this.need(1, what); return this.b[this.pos++]; }
  u16(what: string): number { this.need(2, what); const v = (this.b[this.pos] << 8) | this.b[this.pos + 1]; this.pos += 2; return v; }
  skip(n: number, what: string): void { this.need(n, what); this.pos += n; }
  /** A sub-reader over the next n bytes. */
  sub(n: number, what: string | number): Reader { this.need(n, what); const r = new Reader(this.b, this.pos, this.pos + n); this.pos += n; return r; }
  get left(): number { return this.end - this.pos; }
  bytes(n: number, what: string): Uint8Array { this.need(n, what); const v = this.b.subarray(this.pos, this.pos + n); this.pos += n; return v; }
}

/**
 * A ClientHello's fields. It is read with positions in local variables and its checks written out,
 * rather than through Reader: a hello has a hundred or so fields, and it is read once per
 * connection, mostly in V8's baseline tier, where a method call and a sub-reader per field cost
 * more than the reading. The checks, their order and their messages are Reader's.
 */
export function parseClientHello(body: Uint8Array): ClientHello {
  const b = body;
  const len = b.length;
  // The lists are made apart from the literal: V8's baseline code copies a literal that holds `[]`
  // by a slow runtime walk (this runs once per connection, rarely optimised).
  const cipherSuites: number[] = [];
  const extensions: number[] = [];
  const alpn: string[] = [];
  const supportedVersions: number[] = [];
  const groups: number[] = [];
  const pointFormats: number[] = [];
  const signatureAlgorithms: number[] = [];
  if (len < 2) throw short('legacy_version', 2, 0, len);
  const ch: ClientHello = {
    legacyVersion: (b[0] << 8) | b[1],
    cipherSuites, extensions, sni: null, alpn, supportedVersions, groups, pointFormats, signatureAlgorithms,
  };
  let pos = 2;
  if (pos + 32 > len) throw short('random', 32, pos, len);
  pos += 32;
  if (pos + 1 > len) throw short('session_id length', 1, pos, len);
  const sessionId = b[pos++];
  if (pos + sessionId > len) throw short('session_id', sessionId, pos, len);
  pos += sessionId;
  pos = list(b, pos, len, 2, 2, 'cipher_suites', cipherSuites);
  if (pos + 1 > len) throw short('compression_methods length', 1, pos, len);
  const compression = b[pos++];
  if (pos + compression > len) throw short('compression_methods', compression, pos, len);
  pos += compression;
  if (pos === len) return ch; // no extensions (SSL 3.0 / old TLS)
  if (pos + 2 > len) throw short('extensions length', 2, pos, len);
  const extLength = (b[pos] << 8) | b[pos + 1];
  pos += 2;
  if (pos + extLength > len) throw short('extensions', extLength, pos, len);
  const extEnd = pos + extLength;
  while (pos < extEnd) {
    if (pos + 2 > extEnd) throw short('extension type', 2, pos, extEnd);
    const type = (b[pos] << 8) | b[pos + 1];
    pos += 2;
    if (pos + 2 > extEnd) throw short('extension length', 2, pos, extEnd);
    const dataLength = (b[pos] << 8) | b[pos + 1];
    pos += 2;
    if (pos + dataLength > extEnd) throw short(`extension ${type}`, dataLength, pos, extEnd);
    const data = pos;
    const dataEnd = pos + dataLength;
    pos = dataEnd;
    extensions.push(type);
    switch (type) {
      case 0: // server_name
        serverName(b, data, dataEnd, ch);
        break;
      case 16: { // ALPN
        const end = listEnd(b, data, dataEnd, 2, 'ALPN list');
        let p = data + 2;
        while (p < end) {
          const length = b[p++];
          if (p + length > end) throw short('ALPN protocol', length, p, end);
          alpn.push(printable(b.subarray(p, p + length)));
          p += length;
        }
        break;
      }
      case 43: // supported_versions
        list(b, data, dataEnd, 1, 2, 'supported_versions', supportedVersions);
        break;
      case 10: // supported_groups
        list(b, data, dataEnd, 2, 2, 'supported_groups', groups);
        break;
      case 11: // ec_point_formats
        list(b, data, dataEnd, 1, 1, 'ec_point_formats', pointFormats);
        break;
      case 13: // signature_algorithms
        list(b, data, dataEnd, 2, 2, 'signature_algorithms', signatureAlgorithms);
        break;
      default:
        break;
    }
  }
  return ch;
}

/** The error for a field of `n` bytes at `pos` that runs past `end` (Reader's and parseClientHello's). */
function short(field: string, n: number, pos: number, end: number): HelloError {
  return new HelloError(`${field} needs ${n} bytes at offset ${pos}, ${end - pos} remain`);
}

/**
 * A list at b[pos..end) prefixed by its length in bytes (`lengthBytes`, 1 or 2) whose items are
 * `itemBytes` (1 or 2) wide: each whole item is pushed to `out` (a trailing partial one is not).
 * Returns the position after the list.
 */
function list(b: Uint8Array, pos: number, end: number, lengthBytes: 1 | 2, itemBytes: 1 | 2, name: string, out: number[]): number {
  const stop = listEnd(b, pos, end, lengthBytes, name);
  let p = pos + lengthBytes;
  if (itemBytes === 1) for (; p < stop; p++) out.push(b[p]);
  else for (; stop - p >= 2; p += 2) out.push((b[p] << 8) | b[p + 1]);
  return stop;
}

/**
 * Where the list at b[pos..end) ends, after its length (`lengthBytes`, 1 or 2) and the bytes it
 * announces are checked against `end`; its items start at pos + lengthBytes.
 */
function listEnd(b: Uint8Array, pos: number, end: number, lengthBytes: 1 | 2, name: string): number {
  if (pos + lengthBytes > end) throw short(`${name} length`, lengthBytes, pos, end);
  const n = lengthBytes === 1 ? b[pos] : (b[pos] << 8) | b[pos + 1];
  if (pos + lengthBytes + n > end) throw short(name, n, pos + lengthBytes, end);
  return pos + lengthBytes + n;
}

/** The server_name extension's data b[pos..end): the first host_name becomes the hello's SNI. */
function serverName(b: Uint8Array, pos: number, end: number, ch: ClientHello): void {
  const stop = listEnd(b, pos, end, 2, 'server_name_list');
  let p = pos + 2;
  while (p < stop) {
    const kind = b[p++];
    if (p + 2 > stop) throw short('host_name length', 2, p, stop);
    const length = (b[p] << 8) | b[p + 1];
    p += 2;
    if (p + length > stop) throw short('host_name', length, p, stop);
    if (kind === 0 && ch.sni === null) ch.sni = printable(b.subarray(p, p + length));
    p += length;
  }
}

export function parseServerHello(body: Uint8Array): ServerHello {
  const r = new Reader(body);
  const legacyVersion = r.u16('legacy_version');
  const random = r.bytes(32, 'random');
  const sh: ServerHello = {
    legacyVersion,
    helloRetryRequest: isHrrRandom(random),
    cipherSuite: 0,
    selectedVersion: null,
    alpn: null,
  };
  // TLS 1.3 drafts before 22 (version 0x7fNN) had no session id and no compression method.
  const draft = (legacyVersion & 0xff00) === 0x7f00 && (legacyVersion & 0xff) < 22;
  if (!draft) r.skip(r.u8('session_id length'), 'session_id');
  sh.cipherSuite = r.u16('cipher_suite');
  if (!draft) r.skip(1, 'compression_method');
  if (r.left === 0) return sh;
  const exts = r.sub(r.u16('extensions length'), 'extensions');
  while (exts.left > 0) {
    const type = exts.u16('extension type');
    const data = exts.sub(exts.u16('extension length'), type);
    if (type === 43 && data.left >= 2) sh.selectedVersion = data.u16('selected_version');
    else if (type === 16) {
      const list = data.sub(data.u16('ALPN list length'), 'ALPN list');
      if (list.left > 0) sh.alpn = printable(list.bytes(list.u8('ALPN protocol length'), 'ALPN protocol'));
    }
  }
  return sh;
}

/** Bytes as text, other than printable ASCII (and the backslash) as \xHH. */
function printable(b: Uint8Array): string {
  // (A byte loop rather than a regular expression: this runs for a few names per connection, mostly
  // in V8's baseline tier, where the loop over a short name is the cheaper test.)
  let plain = true;
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c < 0x20 || c > 0x7e || c === 0x5c) {
      plain = false;
      break;
    }
  }
  if (plain) return latin1(b);
  let s = '';
  for (const c of b) s += c >= 0x20 && c < 0x7f && c !== 0x5c ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`;
  return s;
}

/** What the report says of a ClientHello beyond its names: versions and fingerprints. */
export interface HelloSummary {
  clientVersion: string;
  supportedVersions: string[];
  ja3: string;
  ja4: string;
}

/**
 * The summary of a ClientHello, remembered by everything it depends on: a capture's clients mostly
 * send the same hello shape on every connection (only randoms, key shares and server names
 * differ), and building the fingerprints' texts was the costliest part of reading a hello. At most
 * 1024 shapes are kept; each call returns its own copy of the version list.
 */
export function helloSummary(ch: ClientHello): HelloSummary {
  const key = shapeKey(ch);
  const hit = key === null ? undefined : summaries.get(key);
  // (A literal rather than a spread of `hit`: this runs once per connection, mostly in V8's
  // baseline tier, where a spread is a call into the runtime.)
  if (hit !== undefined) return { clientVersion: hit.clientVersion, supportedVersions: hit.supportedVersions.slice(), ja3: hit.ja3, ja4: hit.ja4 };
  const summary: HelloSummary = {
    clientVersion: tlsVersionName(ch.legacyVersion),
    supportedVersions: versionList(ch.supportedVersions),
    ja3: ja3(ch),
    ja4: ja4(ch),
  };
  if (key !== null) {
    if (summaries.size >= MAX_DIGESTS) summaries.clear();
    summaries.set(key, { ...summary, supportedVersions: summary.supportedVersions.slice() });
  }
  return summary;
}

const summaries = new Map<string, HelloSummary>();

/** Numbers of a hello's shape key, gathered before they become one string (SHAPE[0..n)). */
const SHAPE: number[] = [];
/** Hellos with more numbers than this (a crafted one) are summarised without the memo. */
const MAX_SHAPE = 4096;

/**
 * Every field of the hello its summary depends on, as one string: the legacy version, each list
 * as its length and then its 16-bit values (one character each), then whether there is an SNI
 * and the first ALPN name (JA4 reads no more of either) preceded by its length. Null for a hello
 * too large to be worth remembering.
 */
function shapeKey(ch: ClientHello): string | null {
  let n = 0;
  SHAPE[n++] = ch.legacyVersion;
  for (let k = 0; k < 6; k++) {
    const list = k === 0 ? ch.cipherSuites : k === 1 ? ch.extensions : k === 2 ? ch.groups : k === 3 ? ch.pointFormats
      : k === 4 ? ch.signatureAlgorithms : ch.supportedVersions;
    if (n + list.length > MAX_SHAPE) return null;
    SHAPE[n++] = list.length;
    for (let j = 0; j < list.length; j++) SHAPE[n++] = list[j];
  }
  SHAPE[n++] = ch.sni === null ? 0 : 1;
  if (ch.alpn.length > 0) {
    // (An ALPN name is at most 255 bytes, 1,020 characters escaped: its length is one character.)
    const alpn = ch.alpn[0];
    SHAPE[n++] = alpn.length;
    for (let i = 0; i < alpn.length; i++) SHAPE[n++] = alpn.charCodeAt(i);
  }
  SHAPE.length = n;
  // One flat string made in one call (a concatenation would be flattened again to be hashed).
  return String.fromCharCode.apply(null, SHAPE);
}

/** JA3 (Salesforce): md5 of "version,ciphers,extensions,groups,point formats", GREASE removed. */
export function ja3(ch: ClientHello): string {
  const list = (xs: number[]) => xs.filter((x) => !isGrease(x)).join('-');
  const text = [ch.legacyVersion, list(ch.cipherSuites), list(ch.extensions), list(ch.groups), ch.pointFormats.join('-')].join(',');
  return digestHex('md5', text);
}

/**
 * Fingerprint hashes, remembered by their input text: a capture's clients mostly send the same
 * hello shape, and a hash object per connection was the costliest part of reading a ClientHello.
 */
const digests = new Map<string, string>();
const MAX_DIGESTS = 1024;

function digestHex(alg: 'md5' | 'sha256', text: string): string {
  const key = `${alg}:${text}`;
  const hit = digests.get(key);
  if (hit !== undefined) return hit;
  const hex = alg === 'md5' ? md5Hex(text) : sha256Hex(text);
  if (digests.size >= MAX_DIGESTS) digests.clear();
  digests.set(key, hex);
  return hex;
}

/** JA4's two-character TLS version. */
const JA4_VERSION: Record<number, string> = { 0x0304: '13', 0x0303: '12', 0x0302: '11', 0x0301: '10', 0x0300: 's3', 0x0002: 's2' };

/** A count as JA4's two digits (at most 99). */
function two(n: number): string {
  return String(Math.min(n, 99)).padStart(2, '0');
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}

function alnum(c: string): boolean {
  return /[0-9A-Za-z]/.test(c);
}

/** The first 12 hex digits of SHA-256 (JA4's hashed parts). */
function hash12(s: string): string {
  return digestHex('sha256', s).slice(0, 12);
}

/** JA4 (FoxIO) TLS client fingerprint, e.g. `t13d1516h2_8daaf6152771_e5627efa2ab1`. */
export function ja4(ch: ClientHello, transport: 't' | 'q' = 't'): string {
  let top = -1;
  for (const v of ch.supportedVersions) if (!isGrease(v) && v > top) top = v;
  if (top < 0) top = ch.legacyVersion;
  const ver = JA4_VERSION[top] ?? '00';
  const ciphers = ch.cipherSuites.filter((c) => !isGrease(c));
  const exts = ch.extensions.filter((e) => !isGrease(e));
  let alpn = '00';
  if (ch.alpn.length > 0 && ch.alpn[0].length > 0) {
    const a = ch.alpn[0];
    const first = a[0];
    const last = a[a.length - 1];
    alpn = alnum(first) && alnum(last) ? first + last
      : Buffer.from(a, 'latin1').toString('hex').replace(/^(.).*(.)$/, '$1$2');
  }
  const a = `${transport}${ver}${ch.sni !== null ? 'd' : 'i'}${two(ciphers.length)}${two(exts.length)}${alpn}`;
  const b = ciphers.length === 0 ? '000000000000' : hash12(ciphers.map(hex4).sort().join(','));
  const extText = exts.filter((e) => e !== 0 && e !== 16).map(hex4).sort().join(',');
  const sigs = ch.signatureAlgorithms.filter((s) => !isGrease(s)).map(hex4).join(',');
  const c = extText === '' && sigs === '' ? '000000000000' : hash12(sigs ? `${extText}_${sigs}` : extText);
  return `${a}_${b}_${c}`;
}

export function versionList(vs: number[]): string[] {
  return vs.filter((v) => !isGrease(v)).map(tlsVersionName);
}
