/**
 * Credentials in plaintext HTTP header lines, masked without changing a line's length (TCP
 * sequence numbers and the analyzer's byte counts must stay true). What counts as a credential is
 * src/report/redact.ts's business: a line it would change has the changed part overwritten with
 * `*`, byte for byte.
 */
import { redactText } from '../report/redact.js';
import { latin1 } from '../protocols/text.js';


/**
 * The masked form of one line (latin1 text, no line end), or null when nothing in it is secret.
 * Every changed stretch between the first and the last difference is starred; header names and
 * the request's method, path start and version stay readable.
 */
export function maskLine(line: string): string | null {
  const red = redactText(line);
  if (red === line) return null;
  const colon = headerValueStart(line);
  // An Authorization-style header: star the whole value (the scheme word too: `Basic` alone is fine,
  // but a custom scheme can be the secret).
  if (colon >= 0 && /^(?:proxy-)?authorization|^cookie|^set-cookie|^x-api-key|^private-token/i.test(line)) {
    return line.slice(0, colon) + '*'.repeat(line.length - colon);
  }
  // Elsewhere: star from the first to the last character the redactor changed.
  let p = 0;
  while (p < line.length && p < red.length && line[p] === red[p]) p++;
  let s = 0;
  while (s < line.length - p && s < red.length - p && line[line.length - 1 - s] === red[red.length - 1 - s]) s++;
  const out = line.slice(0, p) + '*'.repeat(line.length - p - s) + line.slice(line.length - s);
  // What is left must pass the redactor unchanged except for the stars themselves.
  return out;
}

/** Index just after `Name:` and its blanks, or -1 when the line is not a header line. */
function headerValueStart(line: string): number {
  const m = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+:[ \t]*/.exec(line);
  return m ? m[0].length : -1;
}

/**
 * Mask every line of a header block (bytes from the capture). Returns the replacements as
 * [offset within the block, bytes] pairs; empty when nothing is secret.
 */
export function maskHeaderBlock(block: Uint8Array): Array<[number, Uint8Array]> {
  const out: Array<[number, Uint8Array]> = [];
  const text = latin1(block);
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let lineEnd = end;
    if (lineEnd > start && text.charCodeAt(lineEnd - 1) === 0x0d) lineEnd--;
    const line = text.slice(start, lineEnd);
    const masked = line.length > 0 ? maskLine(line) : null;
    if (masked !== null) {
      const bytes = Buffer.from(masked, 'latin1');
      // Only the bytes that differ are written (the caller overwrites kept bytes).
      let a = 0;
      while (a < bytes.length && bytes[a] === block[start + a]) a++;
      let b = bytes.length;
      while (b > a && bytes[b - 1] === block[start + b - 1]) b--;
      if (b > a) out.push([start + a, new Uint8Array(bytes.subarray(a, b))]);
    }
    start = end + 1;
  }
  return out;
}

