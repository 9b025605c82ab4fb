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

/** `3</tmp/x>` / `3<TCP:[1.2.3.4:5->6.7.8.9:443]>` / `3` / `AT_FDCWD</dir>` → fd and annotation. */
export function parseFdArg(arg: string | undefined): { fd: number | null; note: string | null } {
  if (arg === undefined) return { fd: null, note: null };
  const m = /^(-?\d+|AT_FDCWD)(?:<(.*)>)?$/s.exec(arg);
  if (!m) return { fd: null, note: null };
  let note = m[2] ?? null;
  // strace 6 -yy adds device numbers to device paths: `/dev/tty<char 5:0>`.
  if (note !== null && note.endsWith('>')) note = note.replace(/<(?:char|block) \d+:\d+>$/, '');
  return { fd: m[1] === 'AT_FDCWD' ? null : Number(m[1]), note };
}

/** Decode a C-style strace string literal ("…" with \n, \t, \", \\, \xHH, \NNN). */
export function unquote(lit: string): string | null {
  const m = /^"((?:[^"\\]|\\.)*)"(\.\.\.)?$/s.exec(lit.trim());
  if (!m) return null;
  const bytes: number[] = [];
  const s = m[1];
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch !== '\\') {
      const cp = s.codePointAt(i)!;
      if (cp < 128) bytes.push(cp);
      else { for (const b of Buffer.from(String.fromCodePoint(cp), 'utf8')) bytes.push(b); if (cp > 0xffff) i++; }
      continue;
    }
    const n = s[++i];
    switch (n) {
      case 'n': bytes.push(10); break;
      case 't': bytes.push(9); break;
      case 'r': bytes.push(13); break;
      case 'v': bytes.push(11); break;
      case 'f': bytes.push(12); break;
      case 'x': bytes.push(parseInt(s.slice(i + 1, i + 3), 16) || 0); i += 2; break;
      default:
        if (n !== undefined && n >= '0' && n <= '7') {
          const o = /^[0-7]{1,3}/.exec(s.slice(i))![0];
          bytes.push(parseInt(o, 8) & 255);
          i += o.length - 1;
        } else if (n !== undefined) bytes.push(n.charCodeAt(0) & 255);
    }
  }
  // A string strace cut at its -s limit ("…"...) ends in the ellipsis character, the mark of a cut
  // everywhere in the report, so redaction (report/redact.ts) stars a credential running into it.
  return Buffer.from(bytes).toString('utf8') + (m[2] ? '…' : '');
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
