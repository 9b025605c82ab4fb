/**
 * One line of go's own output (`go … -x`, stderr or stdout) → what it says. Lines may carry the
 * recorder's prefix `<epoch seconds> <O|E> `; plain `go -x` output has no times (lines are then
 * only ordered). What go 1.19 prints (cmd/go/internal/web, modfetch/codehost):
 *   `# get URL` when an HTTP(S) fetch starts; `# get URL: 200 OK (0.123s)` when its headers came;
 *   `# get URL: ERROR` on a transport error (also `: insecure`, `: unsupported`); nothing at all
 *   for a `file://` GOPROXY. Newer go adds `(offset N)` on resumed downloads and `: interrupted` /
 *   `: resume: …` lines.
 *   `# lock PATH` before a VCS repository lock; `mkdir -p DIR # git3 URL`;
 *   `cd DIR; git ARGS` before a VCS command and `0.048s # cd DIR; git ARGS` after it.
 *   `go: downloading MODULE VERSION` (other go commands; not `go mod download`).
 * With GODEBUG=netdns=2 (record sets it) the net package adds `go package net: …` lines: the
 * resolver chosen, and `hostLookupOrder(HOST) = files,dns` (or `cgo`, `dns,files`, …) as each
 * lookup starts.
 */

export interface TimedPrefix {
  time: number | null;
  stream: 'stdout' | 'stderr' | null;
  text: string;
}

const PREFIX = /^(\d{9,11}(?:\.\d{1,9})?) ([OE]) ?/;

export function stripPrefix(line: string): TimedPrefix {
  const m = PREFIX.exec(line);
  if (!m) return { time: null, stream: null, text: line };
  return { time: Number(m[1]), stream: m[2] === 'O' ? 'stdout' : 'stderr', text: line.slice(m[0].length) };
}

export type XLine =
  | { type: 'get-start'; url: string; offset: number | null }
  | { type: 'get-result'; url: string; status: number | null; statusText: string | null; seconds: number | null; error: string | null; offset: number | null }
  | { type: 'get-interrupted'; url: string; detail: string }
  | { type: 'lock'; path: string }
  | { type: 'vcs-done'; seconds: number; dir: string | null; command: string; argv: string }
  | { type: 'vcs-start'; dir: string | null; command: string; argv: string }
  | { type: 'mkdir'; dir: string; note: string | null }
  /** `cd DIR` alone on a line: the next VCS command runs there (go's repo-root lookup). */
  | { type: 'cd'; dir: string }
  | { type: 'downloading'; module: string; version: string }
  /** GODEBUG=netdns=2: a host lookup starting, with the order go chose (`files,dns`, `cgo`, …). */
  | { type: 'lookup'; host: string; order: string }
  /** GODEBUG=netdns=2: go's other resolver lines (which resolver, why). */
  | { type: 'netdns'; text: string }
  | { type: 'go-message'; text: string }
  | { type: 'other'; text: string };

const VCS = '(git|hg|svn|bzr|fossil)';
const VCS_DONE = new RegExp(`^(\\d+\\.\\d+)s # (?:cd (.+?); )?${VCS}(?: (.*))?$`);
const VCS_START = new RegExp(`^(?:cd (.+?); )?${VCS}(?: (.*))?$`);

export function parseXLine(text: string): XLine {
  if (text.startsWith('# get ')) return parseGet(text.slice(6));
  if (text.startsWith('# lock ')) return { type: 'lock', path: text.slice(7) };
  let m = VCS_DONE.exec(text);
  if (m) return { type: 'vcs-done', seconds: Number(m[1]), dir: m[2] ?? null, command: m[3], argv: m[4] ?? '' };
  m = VCS_START.exec(text);
  if (m) return { type: 'vcs-start', dir: m[1] ?? null, command: m[2], argv: m[3] ?? '' };
  m = /^mkdir -p (\S+)(?: # (.*))?$/.exec(text);
  if (m) return { type: 'mkdir', dir: m[1], note: m[2] ?? null };
  m = /^cd (\S.*)$/.exec(text);
  if (m && !m[1].includes('; ')) return { type: 'cd', dir: m[1] };
  m = /^go: downloading (\S+) (\S+)$/.exec(text);
  if (m) return { type: 'downloading', module: m[1], version: m[2] };
  if (text.startsWith('go package net: ')) {
    m = /^go package net: hostLookupOrder\((.*)\) = (\S+)$/.exec(text);
    if (m) return { type: 'lookup', host: m[1], order: m[2] };
    return { type: 'netdns', text: text.slice(16) };
  }
  if (text.startsWith('go: ') || text.startsWith('go ')) return { type: 'go-message', text };
  return { type: 'other', text };
}

function parseGet(rest: string): XLine {
  // The URL is the first word; go redacts passwords but URLs never hold spaces.
  const sp = rest.indexOf(' ');
  let url = sp < 0 ? rest : rest.slice(0, sp);
  let tail = sp < 0 ? '' : rest.slice(sp + 1);
  let offset: number | null = null;
  const off = /^\(offset (\d+)\):?\s*/.exec(tail);
  if (off) {
    offset = Number(off[1]);
    tail = tail.slice(off[0].length);
    if (url.endsWith(':')) url = url.slice(0, -1);
    if (tail === '') return { type: 'get-start', url, offset };
  }
  if (!url.endsWith(':') && tail === '') return { type: 'get-start', url, offset };
  if (url.endsWith(':')) url = url.slice(0, -1);
  if (/^interrupted\b|^resume\b/.test(tail)) return { type: 'get-interrupted', url, detail: tail };
  const st = /^(\d{3})(?: (.*?))? \((\d+(?:\.\d+)?)s\)$/.exec(tail);
  if (st) return { type: 'get-result', url, status: Number(st[1]), statusText: st[2] ?? null, seconds: Number(st[3]), error: null, offset };
  const st2 = /^(\d{3}) (.*)$/.exec(tail);
  if (st2 && /^[A-Z]/.test(st2[2])) return { type: 'get-result', url, status: Number(st2[1]), statusText: st2[2], seconds: null, error: null, offset };
  return { type: 'get-result', url, status: null, statusText: null, seconds: null, error: tail, offset };
}
