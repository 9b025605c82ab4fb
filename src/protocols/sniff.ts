/**
 * Deciding a TCP stream's protocol from its first bytes, shared by the reconstruction
 * (conversations.ts) and the capture redactor (share/tcp.ts), which must decide alike.
 */

/** Bytes looked at before deciding a stream's protocol. */
export const SNIFF_BYTES = 10;

/** Bytes that already cannot start TLS (a record type 20–24, or SSLv2) or HTTP (upper case). */
export function clearlyNotTlsOrHttp(b: Uint8Array): boolean {
  const c = b[0];
  const tls = (c >= 20 && c <= 24) || (c & 0x80) !== 0;
  const http = c >= 0x41 && c <= 0x5a; // upper-case method or 'HTTP/'
  return !tls && !http;
}

export function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** `b` starts with the ASCII text `s`. */
export function startsWithAscii(b: Uint8Array, s: string): boolean {
  if (b.length < s.length) return false;
  for (let i = 0; i < s.length; i++) if (b[i] !== s.charCodeAt(i)) return false;
  return true;
}
