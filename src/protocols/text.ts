/**
 * Bytes from a capture as text, in one native call: per-byte loops are slow in code the JIT has
 * not optimised yet, and protocol parsers that run once per DNS message or TLS handshake mostly
 * stay there.
 */

const latin1Slice = Buffer.prototype.latin1Slice as (this: Uint8Array, start: number, end: number) => string;

/** b[start..end) with each byte as the code point of the same value. */
export function latin1(b: Uint8Array, start = 0, end = b.length): string {
  return latin1Slice.call(b, start, end);
}
