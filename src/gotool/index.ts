/**
 * loadGoLog: go's own output (`-x` lines, `go: …` messages, `-json` objects, a SIGQUIT goroutine
 * dump), plain or with the recorder's `<epoch> <O|E> ` prefix → fetches, VCS commands, locks,
 * errors with the stage they point at, and goroutine summaries. Streams the file with bounded
 * memory. A non-empty file in which no line is go output is a GoLogFormatError (file and line).
 */
import type { FetchRecord, GoroutineSummary, InputSummary, StageName } from '../report/schema.js';
import { readLines } from '../strace/readlines.js';
import { parseXLine, stripPrefix } from './xlog.js';
import { JsonCollector, type GoJsonModule } from './json.js';
import { GoroutineCollector, summarise } from './goroutines.js';
import { explainGoError, goWords } from './errors.js';

export { classifyGoError, explainGoError } from './errors.js';
export { parseXLine, stripPrefix } from './xlog.js';
export { waitsOn } from './goroutines.js';

export class GoLogFormatError extends Error {
  readonly userFacing = true;
  constructor(readonly file: string, readonly line: number, reason: string) {
    super(`${file}: line ${line}: ${reason}`);
    this.name = 'GoLogFormatError';
  }
}

export interface GoLogOptions {
  /** Most fetches / commands / errors kept each. */
  maxRecords?: number;
  signal?: AbortSignal;
}

export interface GoErrorLine {
  line: number;
  t: number | null;
  text: string;
  stage: StageName | null;
  reason: string | null;
  /** module@version when the line or -json object names one. */
  module: string | null;
  source: 'x' | 'go' | 'json';
}

export interface GoLockLine { line: number; t: number | null; path: string; module: string | null }
export interface GoCommandLine {
  line: number;
  /** Start (end − seconds) and end, when the log is timed. */
  start: number | null;
  end: number | null;
  seconds: number | null;
  command: string;
  argv: string;
  dir: string | null;
  /**
   * go printed the timed `N.NNNs # …` line for it (it finished). go's repository lookups (a lone
   * `cd DIR` then `git ls-remote …`) are never timed, so false alone does not mean it hung.
   */
  finished: boolean;
}
export interface GoDownloadLine {
  line: number;
  t: number | null;
  /** 'golang.org/toolchain' for `go: downloading go1.22.1 (linux/amd64)` (GOTOOLCHAIN, go 1.21+). */
  module: string;
  version: string;
  toolchain: boolean;
}

/** A host lookup go announced (GODEBUG=netdns=2) and the resolver order it chose. */
export interface GoLookupLine { line: number; t: number | null; host: string; order: string }

export interface GoRecords {
  fetches: FetchRecord[];
  goroutines: GoroutineSummary[];
  errors: GoErrorLine[];
  locks: GoLockLine[];
  commands: GoCommandLine[];
  downloads: GoDownloadLine[];
  modules: GoJsonModule[];
  lookups: GoLookupLine[];
}

export interface GoLogEvidence {
  /** Epoch seconds of the first and last timed line; null when the log has no times. */
  firstTime: number | null;
  lastTime: number | null;
  input: Omit<InputSummary, 'start' | 'end'>;
  toRecords(t0: number): GoRecords;
  assumptions: string[];
}

const MAX_RECORDS = 10000;
/**
 * go's error about a module: `go: MODULE@VERSION: …` or `go: module MODULE: …` (also after `go mod
 * download:`), whatever its words (`malformed module path "example.com/x.": trailing dot in path
 * element`, `module lookup disabled by GOPROXY=off`). go's other messages name a module with a
 * space after it: `go: added M v1.0.0`, `go: downloading M v1.0.0`.
 */
const GO_MODULE_ERROR = /^go(?: \w+)*: (?:module \S+|\S+@\S+): /;
/** go's warnings (`go: warning: ignoring go.mod in $GOPATH …`): go goes on. */
const GO_WARNING = /^go(?: \w+)*: warning: /;
/** go's error about a line of go.mod (go.work, go.sum), after `go: errors parsing go.mod:`: `/src/m/go.mod:5: unknown directive: foo`. */
const GO_FILE_ERROR = /^(?:\S*\/)?go\.(?:mod|work|sum):\d+(?::\d+)?: /;
/**
 * go's errors about how it was run, whatever their words (go 1.19): a message that sends to `go
 * help` (`go: no modules specified (see 'go help mod download')` with no go.mod, `go: modules
 * disabled by GO111MODULE=off; see 'go help modules'`), GOFLAGS it cannot parse (`go: parsing
 * $GOFLAGS: non-flag "x"`), a vendor folder out of step with go.mod (`go: inconsistent vendoring in
 * DIR:`, -mod=vendor); and, with no `go:` before them, a flag it does not know (`flag provided but
 * not defined: -nosuchflag`) and a package pattern outside the module (`pattern ./...: directory
 * prefix . does not contain main module …`).
 */
const GO_RUN_ERROR = /^go(?: \w+)*: (?:parsing \$GOFLAGS: |inconsistent vendoring in |.*\bsee 'go help [\w ]+'\)?$)|^flag provided but not defined: -|^pattern \S+: /;
/** What go prints after a usage error: `usage: go mod download [-x] …`, `Run 'go help mod download' for details.` */
const GO_USAGE = /^usage: go\b|^Run 'go help[\w ]*' for (?:usage|details)\.$/;
const SNIFF_LINES = 2000;

interface OpenFetch { url: string; start: number | null; line: number }
interface RawFetch extends OpenFetch { end: number | null; status: number | null; error: string | null; seconds: number | null }

export async function loadGoLog(path: string, opts: GoLogOptions = {}): Promise<GoLogEvidence> {
  const max = opts.maxRecords ?? MAX_RECORDS;
  const fetches: RawFetch[] = [];
  const open = new Map<string, RawFetch[]>();
  const errors: GoErrorLine[] = [];
  const locks: GoLockLine[] = [];
  const commands: GoCommandLine[] = [];
  const openCommands: GoCommandLine[] = [];
  const downloads: GoDownloadLine[] = [];
  const modules: GoJsonModule[] = [];
  const lookups: GoLookupLine[] = [];
  const json = new JsonCollector();
  const dump = new GoroutineCollector();
  const warnings: string[] = [];
  let lines = 0, recognised = 0, timed = 0, untimedAfterTimed = 0, binary = 0, cut = 0, dropped = 0;
  let firstBad: { line: number; text: string } | null = null;
  let firstBinary: number | null = null;
  let firstCut: number | null = null;
  let firstTime: number | null = null, lastTime: number | null = null;
  let lastLineTime: number | null = null;
  let lastCd: string | null = null;
  let sawJson = false, sawPrefix = false, unterminated = false, badJsonCount = 0;
  const push = <T>(arr: T[], v: T): void => { if (arr.length < max) arr.push(v); else dropped++; };

  outer: for await (const batch of readLines(path, { signal: opts.signal })) {
    for (const l of batch) {
      lines++;
      if (l.unterminated) unterminated = true;
      if (l.binary) {
        binary++;
        if (firstBinary === null) firstBinary = l.no;
        if (firstBad === null) firstBad = { line: l.no, text: l.text };
        continue;
      }
      if (l.cut) { cut++; if (firstCut === null) firstCut = l.no; }
      const p = stripPrefix(l.text);
      let t = p.time;
      if (t !== null) {
        sawPrefix = true;
        timed++;
        if (firstTime === null || t < firstTime) firstTime = t;
        if (lastTime === null || t > lastTime) lastTime = t;
        lastLineTime = t;
      } else if (lastLineTime !== null) {
        // A line without a prefix in a timed log (e.g. a cut write): it happened no earlier.
        untimedAfterTimed++;
        t = lastLineTime;
      }
      const text = p.text;
      // A line counts as go output when the recorder timed it or when its text is recognised.
      let known = p.time !== null;
      if (text.trim() === '') {
        if (dump.open) dump.feed(text, l.no, t);
        continue;
      }
      // A -json object and a goroutine dump span lines: they take the line first.
      const j = json.feed(text, l.no, t);
      if (j.kind !== 'none') {
        sawJson = true;
        known = true;
        if (j.kind === 'object') {
          push(modules, j.module);
          if (j.module.error) {
            const ex = explainGoError(j.module.error);
            const mod = j.module.path && j.module.version ? `${j.module.path}@${j.module.version}` : j.module.path;
            push(errors, { line: j.module.line, t: j.module.time, text: j.module.error, stage: ex?.stage ?? null, reason: ex?.reason ?? null, module: mod, source: 'json' });
          }
        } else if (j.kind === 'bad') badJson(j.line, j.reason);
      } else if (dump.feed(text, l.no, t)) {
        known = true;
      } else {
        known = handleX(text, l.no, t) || known;
      }
      if (known) recognised++;
      else if (firstBad === null) firstBad = { line: l.no, text };
      if (recognised === 0 && l.no >= SNIFF_LINES) break outer;
      if (opts.signal?.aborted) break outer;
    }
  }

  function badJson(line: number, reason: string): void {
    if (++badJsonCount <= 5) warnings.push(`line ${line}: ${reason}`);
  }

  /** One -x / go: line. Returns whether it was go output. */
  function handleX(text: string, no: number, t: number | null): boolean {
    const x = parseXLine(text);
    switch (x.type) {
      case 'get-start': {
        const f: RawFetch = { url: x.url, start: t, line: no, end: null, status: null, error: null, seconds: null };
        if (fetches.length < max) {
          fetches.push(f);
          const q = open.get(x.url);
          if (q) q.push(f); else open.set(x.url, [f]);
        } else dropped++;
        return true;
      }
      case 'get-result': {
        const q = open.get(x.url);
        let f = q?.shift();
        if (q && q.length === 0) open.delete(x.url);
        if (!f) {
          // A result whose start line is missing (the log began late): kept with no start.
          f = { url: x.url, start: null, line: no, end: null, status: null, error: null, seconds: null };
          push(fetches, f);
        }
        f.end = t;
        f.status = x.status;
        f.seconds = x.seconds;
        f.error = x.error;
        if (x.error !== null) {
          const ex = explainGoError(x.error);
          push(errors, { line: no, t, text: x.error, stage: ex?.stage ?? null, reason: ex?.reason ?? null, module: null, source: 'x' });
        }
        if (t !== null && f.start === null && x.seconds !== null) f.start = t - x.seconds;
        return true;
      }
      case 'get-interrupted':
      case 'mkdir':
        return true;
      case 'cd':
        lastCd = x.dir;
        return true;
      case 'lock': {
        const vcs = /\/cache\/vcs\/([0-9a-f]+)\.lock$/.exec(x.path);
        push(locks, { line: no, t, path: x.path, module: vcs ? `vcs:${vcs[1]}` : null });
        return true;
      }
      case 'vcs-start': {
        const c: GoCommandLine = { line: no, start: t, end: null, seconds: null, command: x.command, argv: x.argv, dir: x.dir ?? lastCd, finished: false };
        lastCd = null;
        push(commands, c);
        if (openCommands.length < 64) openCommands.push(c);
        return true;
      }
      case 'vcs-done': {
        const i = openCommands.findIndex((c) => c.command === x.command && c.argv === x.argv && (c.dir === x.dir || x.dir === null));
        const c = i >= 0 ? openCommands.splice(i, 1)[0] : null;
        const start = t !== null ? t - x.seconds : null;
        if (c) { c.end = t; c.seconds = x.seconds; c.finished = true; if (start !== null) c.start = start; }
        else push(commands, { line: no, start, end: t, seconds: x.seconds, command: x.command, argv: x.argv, dir: x.dir, finished: true });
        return true;
      }
      case 'lookup':
        push(lookups, { line: no, t, host: x.host, order: x.order });
        return true;
      case 'netdns':
        return true;
      case 'downloading':
        if (/^go1\.\d/.test(x.module)) push(downloads, { line: no, t, module: 'golang.org/toolchain', version: x.module, toolchain: true });
        else push(downloads, { line: no, t, module: x.module, version: x.version, toolchain: false });
        return true;
      case 'go-message':
      case 'other': {
        const ex = explainGoError(x.text);
        const formError = GO_FILE_ERROR.test(x.text) || GO_RUN_ERROR.test(x.text);
        // go's words, not a module's name: `go: added github.com/pkg/errors v0.9.1` is no error; or
        // its form: an error about a module, a go.mod line or how go was run. A warning is none.
        const errorish = ex !== null || (!GO_WARNING.test(x.text) && (formError || GO_MODULE_ERROR.test(x.text) ||
          /error|cannot|invalid|failed|fatal|not found|unrecognized|malformed|unknown|missing/i.test(goWords(x.text))));
        if (x.type === 'go-message' || ex || formError) {
          if (errorish) {
            const mod = /\b([a-zA-Z0-9][\w.\-~]*(?:\/[\w.\-~+]+)*@v\d[\w.\-+]*)/.exec(x.text)?.[1] ?? null;
            push(errors, { line: no, t, text: x.text, stage: ex?.stage ?? null, reason: ex?.reason ?? null, module: mod, source: 'go' });
          }
          return true;
        }
        // Continuation lines of go's messages ("\tserver response: not found", "verifying …", its usage).
        return /^\s+\S|^verifying |^SECURITY ERROR|^\S+@\S+: /.test(x.text) || GO_USAGE.test(x.text);
      }
    }
  }
  dump.close();
  const jf = json.finish();
  if (jf.kind === 'bad') badJson(jf.line, jf.reason);
  if (badJsonCount > 5) warnings.push(`${badJsonCount - 5} more bad -json object(s)`);

  if (recognised === 0 && firstBad !== null) {
    const shown = firstBad.text.replace(/[^\x20-\x7e]+/g, '?').slice(0, 60);
    throw new GoLogFormatError(path, firstBad.line, `not a go log: no line looks like go output (first: "${shown}")`);
  }
  // (Not "add -x": record always adds it, and then an empty log means go fetched nothing.)
  if (lines === 0) warnings.push('go log is empty: go printed nothing (with -x, as record runs it, go fetched nothing, e.g. every module was in the cache; without -x, go mod download prints nothing)');
  if (binary) warnings.push(`${binary} line(s) with binary bytes skipped (first: line ${firstBinary})`);
  if (cut) warnings.push(`${cut} line(s) longer than 64 KiB were cut (first: line ${firstCut})`);
  if (unterminated) warnings.push('last line has no newline (the log was cut while go wrote it)');
  if (dropped) warnings.push(`record limit reached: ${dropped} more line(s) not kept`);
  if (dump.skipped) warnings.push(`goroutine dump: ${dump.skipped} more goroutine(s) not kept`);
  const assumptions: string[] = [];
  if (!sawPrefix && lines > 0) assumptions.push('go log lines have no timestamps: fetches are ordered only (record with gomod-trace record to time them)');
  if (untimedAfterTimed) assumptions.push(`${untimedAfterTimed} go log line(s) had no timestamp: given the time of the line before`);

  const format = [sawPrefix ? 'go -x (timestamped)' : 'go -x', sawJson ? '-json' : null, dump.done.length ? 'goroutine dump' : null]
    .filter(Boolean).join(', ');

  return {
    firstTime, lastTime,
    input: { kind: 'go-log', file: path, format, lines, warnings },
    assumptions,
    toRecords(t0: number): GoRecords {
      const rel = (t: number | null): number | null => (t === null ? null : Math.round((t - t0) * 1e6) / 1e6);
      return {
        fetches: fetches.map((f) => {
          const stage = f.error !== null ? explainGoError(f.error)?.stage ?? null : statusStage(f.status);
          let host = '';
          try { host = new URL(f.url).host; } catch { host = f.url.replace(/^\w+:\/\//, '').split('/')[0]; }
          return {
            url: f.url, host, start: rel(f.start), end: rel(f.end), status: f.status, error: f.error, seconds: f.seconds,
            errorStage: stage, line: f.line,
          };
        }),
        goroutines: dump.done.map(summarise),
        errors: errors.map((e) => ({ ...e, t: rel(e.t) })),
        locks: locks.map((k) => ({ ...k, t: rel(k.t) })),
        commands: commands.map((c) => ({ ...c, start: rel(c.start), end: rel(c.end) })),
        downloads: downloads.map((d) => ({ ...d, t: rel(d.t) })),
        modules: modules.map((m) => ({ ...m, time: rel(m.time) })),
        lookups: lookups.map((k) => ({ ...k, t: rel(k.t) })),
      };
    },
  };
}

/** Stage an HTTP status of a fetch points at: 404/410 the proxy lacks it, 407 the proxy's auth, 5xx the server. */
export function statusStage(status: number | null): StageName | null {
  if (status === 404 || status === 410) return 'not-found';
  if (status === 407) return 'proxy-connect';
  if (status !== null && status >= 500) return 'proxy-response';
  return null;
}
