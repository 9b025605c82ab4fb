/**
 * Credentials in plaintext HTTP header lines, masked without changing a line's length (TCP
 * sequence numbers and the analyzer's byte counts must stay true). What counts as a credential is
 * src/report/redact.ts's business: what it would replace is overwritten with `*`, byte for byte
 * (starText).
 */
import { CUT, starText } from '../report/redact.js';
import { latin1 } from '../protocols/text.js';

/**
 * Headers whose whole value is starred, whatever it looks like (the scheme word too: `Basic` alone
 * is fine, but a custom scheme can be the secret; a quoted value, or one cut short, is no less one).
 */
const CREDENTIAL_HEADER = /^(?:proxy-)?authorization|^cookie|^set-cookie|^x-api-key|^private-token/i;

/**
 * The masked form of one line (latin1 text, no line end), or null when nothing in it is secret.
 * Each credential is starred apart; header names and the request's method, target (but its
 * userinfo and secret parameters) and version stay readable. A line `cut` short (its rest not
 * kept) is masked as the rules mask a string cut short: a credential running into the cut is
 * starred to it, whether or not what is kept of it looks like one.
 */
export function maskLine(line: string, cut = false): string | null {
  const colon = headerValueStart(line);
  const masked = colon >= 0 && CREDENTIAL_HEADER.test(line)
    ? line.slice(0, colon) + '*'.repeat(line.length - colon)
    : cut ? starText(line + CUT).slice(0, line.length) : starText(line);
  return masked === line ? null : masked;
}

/** Index just after `Name:` and its blanks, or -1 when the line is not a header line. */
function headerValueStart(line: string): number {
  const m = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+:[ \t]*/.exec(line);
  return m ? m[0].length : -1;
}

/**
 * Mask every line of a header block (bytes from the capture); `lastCut`: its last line was cut
 * short. Returns the replacements as [offset within the block, bytes] pairs; empty when nothing
 * is secret.
 */
export function maskHeaderBlock(block: Uint8Array, lastCut = false): Array<[number, Uint8Array]> {
  const out: Array<[number, Uint8Array]> = [];
  const text = latin1(block);
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let lineEnd = end;
    if (lineEnd > start && text.charCodeAt(lineEnd - 1) === 0x0d) lineEnd--;
    const line = text.slice(start, lineEnd);
    const masked = line.length > 0 ? maskLine(line, lastCut && end === text.length) : null;
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

