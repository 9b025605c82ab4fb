/** Terminal width helpers: CJK is two columns wide; ANSI colour codes take none. */

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

function isWide(cp: number): boolean {
  return (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1faff) || (cp >= 0x20000 && cp <= 0x3fffd);
}

/**
 * A terminal's width in columns, or undefined when it does not say: a stream that is no terminal
 * has none, and some (a pty under `script`, a serial console) report 0, which is no width either.
 */
export function terminalColumns(stream: { columns?: number } | null | undefined): number | undefined {
  const c = stream?.columns;
  return c !== undefined && c > 0 ? c : undefined;
}

export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s.replace(ANSI, '')) w += isWide(ch.codePointAt(0)!) ? 2 : 1;
  return w;
}

/** Non-breaking space: callers glue words that belong together ("confidence\u00a00.95"). */
export const GLUE = '\u00a0';
const GLUE_RE = '\\u00a0';

/** A unit after a number ("5.2 s.", "30 ms", "12 KB"): never put on a line of its own. */
const UNIT = /^(?:s|ms|µs|ns|min|h|B|KB|MB|GB|KiB|MiB|GiB|%)[.,;:)]*$/;

/** Chinese units and counters ("5.2 秒", "2 次", "53 个"): kept on the line of their number. */
const CJK_UNIT = '(?:毫秒|微秒|纳秒|秒|分钟|小时|天|次|字节|个|行|帧|倍)';
/** Closing punctuation, which never starts a line. */
const CLOSING = '[：，。；、）」』！？]';
const CJK_UNIT_WORD = new RegExp(`^${CJK_UNIT}`, 'u');
const CLOSING_WORD = new RegExp(`^${CLOSING}`, 'u');

/**
 * The pieces a word longer than the line is cut between: code points, except that an escape
 * visible() (escape.ts) writes for a control or bidi character (`\x1b`, `\u{202e}`) is one piece,
 * and so are a number before a Chinese unit and the unit. No piece is longer than a line (10 columns at least).
 */
const PIECE = new RegExp(String.raw`\\x[0-9a-f]{2}|\\u\{[0-9a-f]{1,6}\}|\d{1,6}(?:\.\d{1,3})?(?=${GLUE_RE}?${CJK_UNIT})|${CJK_UNIT}|[^]`, 'giu');
/** Pieces no line may break before: closing punctuation and GLUE; and a Chinese unit after its number. */
const NO_BREAK_BEFORE = new RegExp(`^(?:${CLOSING}|${GLUE_RE})$`, 'u');
const UNIT_PIECE = new RegExp(`^${CJK_UNIT}$`, 'u');

/**
 * Wrap plain text to `width` columns; continuation lines get `indent`. Breaks at spaces (not at
 * GLUE, nor between a number and its unit, nor before closing punctuation), or inside a word longer
 * than the line (URLs, CJK runs) between any two characters but never inside an escape, between a
 * number and its Chinese unit, or before closing punctuation. Colour codes must not be inside `text`.
 */
export function wrap(text: string, width: number, indent = ''): string[] {
  const lines: string[] = [];
  let line = '';
  let lineW = 0;
  const max = (first: boolean): number => Math.max(10, width - (first ? 0 : displayWidth(indent)));
  const push = (): void => {
    lines.push((lines.length ? indent : '') + line.replace(/[ \t]+$/, '').replaceAll(GLUE, ' '));
    line = '';
    lineW = 0;
  };
  const tokens = text.split(/([ \t\r\n]+)/);
  // A word that must stay with the one before it: a unit after its number, closing punctuation.
  const sticks = (prev: string, word: string): boolean =>
    prev !== '' && ((/\d$/.test(prev) && (UNIT.test(word) || CJK_UNIT_WORD.test(word))) || CLOSING_WORD.test(word));
  for (let i = 2; i < tokens.length; i += 2) {
    if (sticks(tokens[i - 2], tokens[i]) && tokens[i - 1] === ' ') {
      tokens[i] = tokens[i - 2] + GLUE + tokens[i];
      tokens[i - 2] = '';
      tokens[i - 1] = '';
    }
  }
  for (const token of tokens) {
    if (token === '') continue;
    const space = /^[ \t\r\n]+$/.test(token);
    if (space) {
      if (lineW > 0) { line += ' '; lineW += 1; }
      continue;
    }
    const tw = displayWidth(token);
    if (lineW + tw <= max(lines.length === 0)) { line += token; lineW += tw; continue; }
    if (lineW > 0 && tw <= max(false)) { push(); line = token; lineW = tw; continue; }
    // The pieces at the end of the line since the last one a line may start with.
    let group = '';
    let prev = '';
    for (const [piece] of token.matchAll(PIECE)) {
      const pw = displayWidth(piece);
      const sticky = NO_BREAK_BEFORE.test(piece) || prev === GLUE || (UNIT_PIECE.test(piece) && /\d$/.test(prev));
      if (!sticky) group = '';
      if (lineW + pw > max(lines.length === 0)) {
        // What may not end a line goes on to the next, unless it is all the line holds.
        if (sticky && group !== '' && group.length < line.length) {
          line = line.slice(0, -group.length);
          push();
          line = group;
          lineW = displayWidth(group);
        }
        if (lineW + pw > max(lines.length === 0)) push();
      }
      line += piece;
      lineW += pw;
      group += piece;
      prev = piece;
    }
  }
  if (line.trim() !== '' || lines.length === 0) push();
  return lines;
}
