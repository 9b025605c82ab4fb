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
/** A folded line (obs-fold, RFC 9112 §5.2): it starts with blanks and goes on with the header before it. */
const FOLD = /^[ \t]+/;

/**
 * The masked form of one line (latin1 text, no line end), or null when nothing in it is secret.
 * Each credential is starred apart; header names and the request's method, target (but its
 * userinfo and secret parameters) and version stay readable. A line `cut` short (its rest not
 * kept) is masked as the rules mask a string cut short: a credential running into the cut is
 * starred to it, whether or not what is kept of it looks like one. `inCredential`: the line before
 * was a credential header's (its own or one folded into it), so a folded line is more of its value
 * and starred past its blanks.
 */
export function maskLine(line: string, cut = false, inCredential = false): string | null {
  const value = credentialValueStart(line, inCredential);
  const masked = value >= 0
    ? line.slice(0, value) + '*'.repeat(line.length - value)
    : cut ? starText(line + CUT).slice(0, line.length) : starText(line);
  return masked === line ? null : masked;
}

/**
 * Where a credential header's value starts in `line`: just after `Name:` and its blanks, or (when
 * `inCredential`) after a folded line's blanks; -1 when the line holds no such value.
 */
function credentialValueStart(line: string, inCredential: boolean): number {
  const fold = inCredential ? FOLD.exec(line) : null;
  if (fold) return fold[0].length;
  const m = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+:[ \t]*/.exec(line);
  return m && CREDENTIAL_HEADER.test(line) ? m[0].length : -1;
}

/**
 * Mask every line of a header block (bytes from the capture); `lastCut`: its last line was cut
 * short. `fold.inCredential` says whether the line before the block's first was a credential
 * header's, and is left saying it of the block's last line (a caller that hands the lines over one
 * by one keeps it between them). Returns the replacements as [offset within the block, bytes]
 * pairs; empty when nothing is secret.
 */
export function maskHeaderBlock(block: Uint8Array, lastCut = false, fold = { inCredential: false }): Array<[number, Uint8Array]> {
  const out: Array<[number, Uint8Array]> = [];
  const text = latin1(block);
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let lineEnd = end;
    if (lineEnd > start && text.charCodeAt(lineEnd - 1) === 0x0d) lineEnd--;
    const line = text.slice(start, lineEnd);
    const masked = line.length > 0 ? maskLine(line, lastCut && end === text.length, fold.inCredential) : null;
    fold.inCredential = credentialValueStart(line, fold.inCredential) >= 0;
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

