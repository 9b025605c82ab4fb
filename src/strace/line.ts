/**
 * One strace output line → one event. Knows every prefix strace 4.x–6.x writes: a pid column
 * (`-f -o FILE`), `[pid N]` (4.x, or output to a terminal), none (single process, `-ff` files);
 * a timestamp from `-t` (HH:MM:SS), `-tt` (HH:MM:SS.micro), `-ttt` (epoch.micro) or `-r`
 * (seconds since the previous line); and a body: a complete call, `<unfinished ...>`,
 * `<... NAME resumed>`, `--- SIG… ---`, `+++ exited with N +++`, `+++ killed by SIG… +++`.
 */

export type TimeToken =
  | { kind: 'epoch'; value: number }
  /** Seconds since midnight (local to the traced machine). `micro` false for plain -t. */
  | { kind: 'tod'; value: number; micro: boolean }
  /** -r / or an unlabelled small float: seconds since the previous line. */
  | { kind: 'rel'; value: number };

export type PidStyle = 'column' | 'bracket' | 'none';

interface Base {
  pid: number | null;
  pidStyle: PidStyle;
  time: TimeToken | null;
}

export type StraceEvent =
  | (Base & { type: 'call'; name: string; args: string; result: string; duration: number | null })
  | (Base & { type: 'unfinished'; name: string; args: string; detached: boolean })
  | (Base & { type: 'resumed'; name: string; rest: string; result: string | null; duration: number | null })
  /** A call whose result never came on this line (the last line of a log cut while the call ran). */
  | (Base & { type: 'partial'; name: string; args: string })
  | (Base & { type: 'signal'; signal: string; detail: string })
  | (Base & { type: 'exit'; code: number })
  | (Base & { type: 'killed'; signal: string; core: boolean })
  | (Base & { type: 'message'; text: string })
  | (Base & { type: 'garbage'; text: string });

const PREFIX = /^\s*(?:\[pid\s+(\d+)\]\s*|(\d+)\s+(?=[\d<+\-a-zA-Z?_[]))?(?:(\d+\.\d+)\s+|(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?\s+|(\d+)\s+(?=[a-zA-Z_?]))?/;
const CALL = /^([a-zA-Z_][\w]*|\?+)\(/;
const RESUMED = /^<\.\.\. ([\w?]+) resumed>\s?/;
const DURATION = /\s<(\d+\.\d+|unavailable)>$/;

/** Parse one line. Never throws; lines that are not strace output come back as 'garbage'. */
export function parseLine(text: string, unterminated = false): StraceEvent {
  const m = PREFIX.exec(text)!;
  let pid: number | null = null;
  let pidStyle: PidStyle = 'none';
  if (m[1] !== undefined) { pid = Number(m[1]); pidStyle = 'bracket'; }
  else if (m[2] !== undefined) { pid = Number(m[2]); pidStyle = 'column'; }
  let time: TimeToken | null = null;
  if (m[3] !== undefined) {
    const v = Number(m[3]);
    // -ttt prints epoch seconds; -r a small delta. Anything before 1980 is taken as relative.
    time = v > 315532800 ? { kind: 'epoch', value: v } : { kind: 'rel', value: v };
  } else if (m[4] !== undefined) {
    const frac = m[7] !== undefined ? Number(`0.${m[7]}`) : 0;
    time = { kind: 'tod', value: Number(m[4]) * 3600 + Number(m[5]) * 60 + Number(m[6]) + frac, micro: m[7] !== undefined };
  } else if (m[8] !== undefined && pid === null) {
    // "123 open(" with no time: the pid column alone.
    pid = Number(m[8]); pidStyle = 'column';
  }
  const body = m[0].length ? text.slice(m[0].length) : text;
  const ev = parseBody(body, unterminated) as StraceEvent;
  ev.pid = pid;
  ev.pidStyle = pidStyle;
  ev.time = time;
  return ev;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type Body = DistributiveOmit<StraceEvent, keyof Base>;

function parseBody(body: string, unterminated: boolean): Body {
  const c = body.charCodeAt(0);
  if (c === 60 /* < */) {
    const r = RESUMED.exec(body);
    if (r) {
      const rest = body.slice(r[0].length);
      const res = splitResult(rest);
      if (res) return { type: 'resumed', name: r[1], rest: res.args, result: res.result, duration: res.duration };
      return { type: 'resumed', name: r[1], rest, result: null, duration: null };
    }
  } else if (c === 45 /* - */) {
    const s = /^--- (\S+) ?(.*?) ?---$/.exec(body);
    if (s) return { type: 'signal', signal: s[1], detail: s[2] };
  } else if (c === 43 /* + */) {
    const e = /^\+\+\+ exited with (-?\d+) \+\+\+$/.exec(body);
    if (e) return { type: 'exit', code: Number(e[1]) };
    const k = /^\+\+\+ killed by (\S+)( \(core dumped\))? \+\+\+$/.exec(body);
    if (k) return { type: 'killed', signal: k[1], core: k[2] !== undefined };
    // A thread that ran execve while others existed: the others are gone, the leader lives on.
    if (/^\+\+\+ superseded by execve in pid \d+ \+\+\+$/.test(body)) return { type: 'message', text: body };
  } else if (body.startsWith('strace: ') || /^\[ Process PID=\d+ runs in/.test(body) || /^ ?> \S/.test(body)) {
    // strace's own messages, and -k stack frames (` > /lib/x.so(fn+0x1) [0x123]`).
    return { type: 'message', text: body };
  }
  const call = CALL.exec(body);
  if (call) {
    const name = call[1];
    const after = body.slice(call[0].length);
    const unf = unfinishedAt(after);
    if (unf >= 0) return { type: 'unfinished', name, args: after.slice(0, unf).trimEnd(), detached: after.includes('<detached ...>', unf) };
    const res = splitResult(after);
    if (res) return { type: 'call', name, args: res.args, result: res.result, duration: res.duration };
    if (unterminated) return { type: 'partial', name, args: after };
  }
  return { type: 'garbage', text: body };
}

/** Index of a trailing `<unfinished ...>` / `<detached ...>` (optionally followed by `)`), or -1. */
function unfinishedAt(s: string): number {
  let end = s.length;
  if (s.charCodeAt(end - 1) === 41 /* ) */) end--;
  if (s.charCodeAt(end - 1) !== 62 /* > */) return -1;
  for (const marker of ['<unfinished ...>', '<detached ...>']) {
    const i = end - marker.length;
    if (i >= 0 && s.startsWith(marker, i)) return i;
  }
  return -1;
}

/** `args) = RESULT <dur>` → parts. The last `) = ` is the one: results never hold one. */
export function splitResult(s: string): { args: string; result: string; duration: number | null } | null {
  let duration: number | null = null;
  const d = DURATION.exec(s);
  if (d) {
    duration = d[1] === 'unavailable' ? null : Number(d[1]);
    s = s.slice(0, d.index);
  }
  let i = s.lastIndexOf(' = ');
  while (i >= 0) {
    let j = i - 1;
    while (j >= 0 && s.charCodeAt(j) === 32) j--;
    if (j >= 0 && s.charCodeAt(j) === 41 /* ) */) {
      return { args: s.slice(0, j), result: s.slice(i + 3).trim(), duration };
    }
    if (j < 0) return { args: '', result: s.slice(i + 3).trim(), duration };
    i = s.lastIndexOf(' = ', i - 1);
  }
  return null;
}

/**
 * Split an argument list at top-level commas, honouring "strings" (with \ escapes), (), [], {}
 * and the <…> annotations of -y/-yy after an fd number.
 */
export function splitArgs(args: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < args.length; i++) {
    const ch = args.charCodeAt(i);
    if (ch === 34 /* " */) {
      i++;
      while (i < args.length && args.charCodeAt(i) !== 34) { if (args.charCodeAt(i) === 92) i++; i++; }
    } else if (ch === 60 /* < */ && i > 0 && isFdEnd(args.charCodeAt(i - 1))) {
      const close = findAnnotationEnd(args, i);
      if (close > i) i = close;
    } else if (ch === 40 || ch === 91 || ch === 123) depth++;
    else if (ch === 41 || ch === 93 || ch === 125) depth--;
    else if (ch === 44 /* , */ && depth <= 0) {
      out.push(args.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = args.slice(start).trim();
  if (last !== '' || out.length) out.push(last);
  return out;
}

function isFdEnd(c: number): boolean {
  return (c >= 48 && c <= 57) || c === 68 /* AT_FDCWD ends in D */;
}

/** Index of the `>` closing an annotation opened at `open`; nested [] are skipped. */
function findAnnotationEnd(s: string, open: number): number {
  let depth = 0;
  for (let i = open + 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 91) depth++;
    else if (c === 93) depth--;
    else if (c === 62 /* > */ && depth <= 0) {
      // A path may itself hold '>': take this one only when the next char ends the argument.
      const n = s.charCodeAt(i + 1);
      if (Number.isNaN(n) || n === 44 || n === 41 || n === 32 || n === 93 || n === 125) return i;
    }
  }
  return -1;
}

/**
 * `3</tmp/x>` / `3<TCP:[1.2.3.4:5->6.7.8.9:443]>` / `3` / `AT_FDCWD</dir>` → fd and annotation,
 * its escapes decoded (`3</home/\345\274\240>` → `/home/张`; -x writes `\x2f…` for a whole path).
 */
export function parseFdArg(arg: string | undefined): { fd: number | null; note: string | null } {
  if (arg === undefined) return { fd: null, note: null };
  const m = /^(-?\d+|AT_FDCWD)(?:<(.*)>)?$/s.exec(arg);
  if (!m) return { fd: null, note: null };
  let note = m[2] ?? null;
  // strace 6 -yy adds device numbers to device paths: `/dev/tty<char 5:0>`.
  if (note !== null && note.endsWith('>')) note = note.replace(/<(?:char|block) \d+:\d+>$/, '');
  return { fd: m[1] === 'AT_FDCWD' ? null : Number(m[1]), note: note !== null ? decodeEscapes(note) : null };
}

/** Decode a strace string literal (`"…"`, escapes as in `decodeEscapes`); null when `lit` is none. */
export function unquote(lit: string): string | null {
  const m = /^"((?:[^"\\]|\\.)*)"(\.\.\.)?$/s.exec(lit.trim());
  if (!m) return null;
  // A string strace cut at its -s limit ("…"...) ends in the ellipsis character, the mark of a cut
  // everywhere in the report, so redaction (report/redact.ts) stars a credential running into it.
  return decodeEscapes(m[1]) + (m[2] ? '…' : '');
}

/**
 * strace's escapes (`\NNN`, `\xHH`, `\n`, `\t`, `\"`, `\\`, …) → bytes → UTF-8 text, so that a
 * path reads as the program has it: `/home/\345\274\240/go` → `/home/张/go`. strace escapes every
 * byte ≥ 0x80, in quoted strings and in -y/-yy annotations alike (`>` there too: `\76`). A byte
 * that is not part of valid UTF-8 keeps the escape strace wrote: nothing is lost or invented.
 */
export function decodeEscapes(s: string): string {
  if (!s.includes('\\')) return s;
  let out = '';
  // Bytes of the escapes since the last plain character, and the escape each came from. A plain
  // character (ASCII: strace escapes the rest) never continues a UTF-8 sequence: runs decode alone.
  let bytes: number[] = [];
  let texts: string[] = [];
  for (let i = 0; i < s.length; i++) {
    const esc = s[i] === '\\' ? ESCAPE.exec(s.slice(i + 1, i + 4)) : null;
    if (!esc) {
      if (bytes.length) { out += decodeUtf8(bytes, texts); bytes = []; texts = []; }
      out += s[i];
      continue;
    }
    const e = esc[0];
    bytes.push(e[0] === 'x' ? parseInt(e.slice(1), 16) : e[0] >= '0' && e[0] <= '7' ? parseInt(e, 8) & 255 : SIMPLE[e] ?? e.charCodeAt(0));
    texts.push(`\\${e}`);
    i += e.length;
  }
  return bytes.length ? out + decodeUtf8(bytes, texts) : out;
}

// After the backslash: hex, octal (strace writes 1-3 digits), or a printable character (`n`, `"`, `\`).
const ESCAPE = /^(?:x[0-9a-fA-F]{1,2}|[0-7]{1,3}|[\x20-\x2f\x38-\x77\x79-\x7e])/;
const SIMPLE: Record<string, number> = { n: 10, t: 9, r: 13, v: 11, f: 12 };

/** Bytes as UTF-8; a byte that starts no valid sequence becomes `texts[i]`, the escape it came from. */
function decodeUtf8(bytes: number[], texts: string[]): string {
  let out = '';
  for (let i = 0; i < bytes.length;) {
    const n = sequenceLength(bytes, i);
    if (n === 0) { out += texts[i++]; continue; }
    const b = bytes[i];
    let cp = n === 1 ? b : b & (0xff >> (n + 1));
    for (let k = 1; k < n; k++) cp = (cp << 6) | (bytes[i + k] & 0x3f);
    out += String.fromCodePoint(cp);
    i += n;
  }
  return out;
}

/** Length of the valid UTF-8 sequence at `i` (no overlong forms, surrogates or code points past U+10FFFF), or 0. */
function sequenceLength(b: number[], i: number): number {
  const b0 = b[i];
  if (b0 < 0x80) return 1;
  let n: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) n = 2;
  else if (b0 >= 0xe0 && b0 <= 0xef) { n = 3; if (b0 === 0xe0) lo = 0xa0; else if (b0 === 0xed) hi = 0x9f; }
  else if (b0 >= 0xf0 && b0 <= 0xf4) { n = 4; if (b0 === 0xf0) lo = 0x90; else if (b0 === 0xf4) hi = 0x8f; }
  else return 0;
  for (let k = 1; k < n; k++) {
    const c = b[i + k];
    if (c === undefined || c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return 0;
  }
  return n;
}

/** `["git", "ls-remote", "x"]` (maybe ending in `...`) → strings. */
export function parseStringArray(arg: string): string[] {
  const t = arg.trim();
  if (!t.startsWith('[')) return [];
  const inner = t.replace(/^\[/, '').replace(/\](\.\.\.)?$/, '');
  const out: string[] = [];
  for (const part of splitArgs(inner)) {
    if (part === '...' || part === '') continue;
    const s = unquote(part);
    if (s !== null) out.push(s);
  }
  return out;
}
