/**
 * The whole pipeline: read the capture (and the strace and go logs, or a record bundle), put
 * everything on one clock (t0 = first packet; without a capture the first timed log line), decide
 * the verdict and return the report document. The CLI's `analyze` calls this.
 */
import { readTextFile, stat } from '../io/files.js';
import { basename, join } from 'node:path';
import { captureSize, readCapture } from '../capture/reader.js';
import type { CaptureSummary } from '../capture/types.js';
import { undecodedWarning } from '../capture/summary.js';
import { redactReport } from '../report/redact.js';
import {
  REPORT_SCHEMA, REPORT_VERSION,
  type AnomalyRecord, type FetchRecord, type GoEnvironment,
  type GoroutineSummary, type HostLookupRecord, type InputSummary, type ProcessRecord, type Report, type StageName, type SyscallRecord,
} from '../report/schema.js';
import { VERSION } from '../version.js';
import { ConversationBuilder, type Conversations } from '../protocols/conversations.js';
import { loadStrace, sniffStraceClock, type StraceEvidence } from '../strace/index.js';
import { loadGoLog, type GoLogEvidence } from '../gotool/index.js';
import { recordsFromSnapshot } from './snapshot.js';
import { lastFetchMark } from './join.js';
import { decide } from './verdict.js';
import type { GoEnvHints } from './relevance.js';
import type { Lang } from './hints.js';

export interface AnalyzeInputs {
  /** Capture file path, '-' for stdin, or a record bundle folder. */
  capture?: string;
  strace?: string;
  goLog?: string;
  bundleDir?: string;
}

export interface AnalyzeOptions {
  lang?: Lang;
  /** YYYY-MM-DD for strace -t/-tt logs (default: the capture's date). */
  straceDate?: string;
  /** Time zone of strace -t/-tt times (default: local). */
  straceTz?: string;
  /** Replace credentials found in the evidence by *** (default true; `--no-redact` turns it off). */
  redact?: boolean;
  /**
   * Reading progress for a display (src/cli/progress.ts renders it on a terminal): called every few
   * MiB of the capture and every chunk of the strace log, and once when each input is done.
   */
  onProgress?: (p: AnalyzeProgress) => void;
}

/** How far reading one input has got. */
export interface AnalyzeProgress {
  kind: 'capture' | 'strace';
  /** The path as given ('-' for stdin). */
  file: string;
  /** Bytes read so far. */
  bytes: number;
  /** Size of the input in bytes; null when unknown (stdin). */
  total: number | null;
  /** Packets (capture) or lines (strace) read so far. */
  count: number;
  /** This input is read to the end. */
  done: boolean;
}

/** A user-facing input problem (bad bundle, missing file): one line, exit 2. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

// ---------------------------------------------------------------- bundle

export interface BundleFiles {
  dir: string;
  capture: string | null;
  goLog: string | null;
  strace: string | null;
  env: Record<string, unknown> | null;
  meta: BundleMetaLike | null;
  warnings: string[];
}

interface BundleMetaLike {
  versions?: { go?: string | null };
  start?: { epoch?: number };
  end?: { epoch?: number } | null;
  exit?: { code?: number | null };
  stoppedBy?: string;
  command?: string[];
  locks?: Array<{ path?: string; pid?: number; command?: string }>;
  /** record's /proc snapshot of go's processes when it stopped them (src/record/snapshot.ts). */
  stopped?: unknown;
}

export async function isDir(p: string): Promise<boolean> {
  try { return (await stat(p)).isDirectory(); } catch { return false; }
}
async function isFile(p: string): Promise<boolean> {
  try { return (await stat(p)).isFile(); } catch { return false; }
}

async function readJson(path: string, warnings: string[]): Promise<Record<string, unknown> | null> {
  try {
    const text = await readTextFile(path);
    if (text.length > 16 * 1024 * 1024) { warnings.push(`${basename(path)}: larger than 16 MiB, ignored`); return null; }
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    warnings.push(`${basename(path)}: not a JSON object, ignored`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') warnings.push(`${basename(path)}: unreadable JSON, ignored (${oneLine(String((err as Error).message ?? err))})`);
  }
  return null;
}

export async function readBundle(dir: string): Promise<BundleFiles> {
  const warnings: string[] = [];
  let capture: string | null = null;
  for (const name of ['capture.pcap', 'capture.pcapng', 'capture.redacted.pcap', 'capture.redacted.pcapng']) {
    if (await isFile(join(dir, name))) { capture = join(dir, name); break; }
  }
  const goLog = (await isFile(join(dir, 'go.log'))) ? join(dir, 'go.log') : null;
  const strace = (await isFile(join(dir, 'strace.log'))) ? join(dir, 'strace.log') : null;
  if (!capture && !goLog && !strace) {
    throw new InputError(`${dir}: not a record bundle (no capture.pcap, capture.pcapng, go.log or strace.log inside)`);
  }
  const env = await readJson(join(dir, 'env.json'), warnings);
  const meta = (await readJson(join(dir, 'meta.json'), warnings)) as BundleMetaLike | null;
  return { dir, capture, goLog, strace, env, meta, warnings };
}

/**
 * Every string setting in env.json by its name as written, the first one met depth-first (`go env
 * -json` at the top level or under `go`, the proxy variables under `proxy`). envHints and
 * bundleEnvironment read it.
 */
function envStrings(env: Record<string, unknown> | null): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (o: unknown): void => {
    if (!o || typeof o !== 'object' || Array.isArray(o)) return;
    for (const [k, v] of Object.entries(o as Record<string, unknown>)) {
      if (typeof v === 'string') { if (!found.has(k)) found.set(k, v); } else if (k !== 'GOENV') walk(v);
    }
  };
  walk(env);
  return found;
}

/** GOPROXY & co. from env.json, the proxy variables in either case. */
export function envHints(env: Record<string, unknown> | null): GoEnvHints | null {
  if (!env) return null;
  const out: GoEnvHints = {};
  for (const [k, v] of envStrings(env)) {
    const key = k.toUpperCase();
    if (['GOPROXY', 'GOSUMDB', 'GONOSUMDB', 'GOPRIVATE', 'GONOPROXY', 'HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY', 'GOFLAGS', 'GOTOOLCHAIN'].includes(key)) {
      (out as Record<string, string>)[key] ??= v;
    }
  }
  return out;
}

/** The settings report.environment shows, in its order; the proxy variables in either case. */
const ENVIRONMENT_SETTINGS = ['GOPROXY', 'GONOPROXY', 'GOPRIVATE', 'GONOSUMDB', 'GOSUMDB', 'GOFLAGS', 'GOINSECURE', 'GOTOOLCHAIN',
  'HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy'];

/**
 * report.environment from a bundle: go's version, its command and the settings that decide where it
 * fetches from (env.json: `go env -json` at the top level or under `go`, proxies under `proxy`).
 */
export function bundleEnvironment(env: Record<string, unknown> | null, meta: BundleMetaLike | null): GoEnvironment | null {
  const found = envStrings(env);
  const settings: Record<string, string> = {};
  for (const k of ENVIRONMENT_SETTINGS) {
    const v = found.get(k);
    if (v !== undefined && v.trim() !== '') settings[k] = v;
  }
  const version = found.get('GOVERSION') || (typeof meta?.versions?.go === 'string' ? meta.versions.go : '');
  const command = Array.isArray(meta?.command) && meta.command.length > 0 && meta.command.every((a) => typeof a === 'string') ? meta.command : null;
  if (!version && !command && Object.keys(settings).length === 0) return null;
  return { goVersion: version || null, command, settings };
}

// ---------------------------------------------------------------- pipeline

function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').slice(0, 500);
}

/** Local calendar date (in `tz` when given) of an epoch time, for strace -t/-tt logs. */
export function dateOf(epoch: number, tz?: string): string {
  const off = tz ? /^([+-])(\d{2}):?(\d{2})$/.exec(tz) : null;
  if (off) {
    const secs = (off[1] === '-' ? -1 : 1) * (Number(off[2]) * 3600 + Number(off[3]) * 60);
    return new Date((epoch + secs) * 1000).toISOString().slice(0, 10);
  }
  const d = new Date(epoch * 1000);
  try {
    const parts = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
    if (/^\d{4}-\d{2}-\d{2}$/.test(parts)) return parts;
  } catch { /* unknown zone: fall through to UTC */ }
  return d.toISOString().slice(0, 10);
}

export async function analyze(inputs: AnalyzeInputs, opts: AnalyzeOptions = {}): Promise<Report> {
  const lang: Lang = opts.lang ?? 'en';
  let capturePath = inputs.capture ?? null;
  let stracePath = inputs.strace ?? null;
  let goLogPath = inputs.goLog ?? null;
  let bundle: BundleFiles | null = null;
  let bundleDir = inputs.bundleDir ?? null;
  if (!bundleDir && capturePath && capturePath !== '-' && (await isDir(capturePath))) {
    bundleDir = capturePath;
    capturePath = null;
  }
  if (bundleDir) {
    bundle = await readBundle(bundleDir);
    capturePath ??= bundle.capture;
    stracePath ??= bundle.strace;
    goLogPath ??= bundle.goLog;
  }
  if (!capturePath && !stracePath && !goLogPath) throw new InputError('nothing to analyse: give a capture, --strace FILE, --go-log FILE or a bundle folder');

  const inputList: InputSummary[] = [];
  const anomalies: AnomalyRecord[] = [];

  // ---- strace
  let straceEv: StraceEvidence | null = null;
  const readStrace = async (path: string, captureFirst: number | null): Promise<StraceEvidence> => {
    const date = opts.straceDate ?? (captureFirst !== null ? dateOf(captureFirst, opts.straceTz) :
      bundle?.meta?.start?.epoch ? dateOf(bundle.meta.start.epoch, opts.straceTz) : undefined);
    // A -r log needs the epoch of its first line: the recorder's start is close; a bare capture is not.
    const anchor = bundle?.meta?.start?.epoch ?? undefined;
    const onProgress = opts.onProgress;
    let last = { bytes: 0, total: 0 };
    const ev = await loadStrace(path, {
      date, tz: opts.straceTz, anchor,
      onProgress: onProgress ? (p) => { last = p; onProgress({ kind: 'strace', file: path, bytes: p.bytes, total: p.total, count: p.lines, done: false }); } : undefined,
    });
    onProgress?.({ kind: 'strace', file: path, bytes: last.bytes, total: last.total, count: ev.input.lines ?? 0, done: true });
    return ev;
  };
  // A log whose times need no date (-ttt, -r, or --strace-date given) is read before the capture:
  // the capture's connections are not yet in memory while its millions of lines go by, which keeps
  // the peak lower (docs/performance.md). A -t/-tt log waits for the capture's date.
  // (Not when the capture is missing: that error comes first, as it always did.)
  const straceFirst = stracePath !== null && capturePath !== null && (capturePath === '-' || (await isFile(capturePath))) &&
    (opts.straceDate !== undefined || ['epoch', 'rel'].includes((await sniffStraceClock(stracePath)) ?? ''));
  if (stracePath && straceFirst) straceEv = await readStrace(stracePath, null);

  // ---- capture
  let conv: Conversations | null = null;
  let summary: CaptureSummary | null = null;
  if (capturePath) {
    // addRaw decodes, puts IP fragments back together and adds (a fast lane for common TCP segments).
    const builder = new ConversationBuilder();
    const onProgress = opts.onProgress;
    const file = capturePath;
    let total: number | null = null;
    let read = 0;
    if (onProgress) {
      try { total = await captureSize(capturePath); } catch { /* readCapture reports a missing file */ }
    }
    summary = await readCapture(capturePath, builder.addRaw, onProgress ? { onProgress: (bytes, count) => { read = bytes; onProgress({ kind: 'capture', file, bytes, total, count, done: false }); } } : {});
    onProgress?.({ kind: 'capture', file, bytes: read, total, count: summary.packets, done: true });
    conv = builder.finish();
    anomalies.push(...conv.anomalies);
  }

  // ---- strace and go log: need the capture's date for time-of-day logs
  let goEv: GoLogEvidence | null = null;
  const captureFirst = summary?.firstTime ?? null;
  if (stracePath && !straceFirst) straceEv = await readStrace(stracePath, captureFirst);
  if (goLogPath) {
    goEv = await loadGoLog(goLogPath);
  }

  // ---- one clock
  const t0 = conv?.t0 ?? captureFirst ?? minOf(straceEv?.firstTime, goEv?.firstTime, bundle?.meta?.start?.epoch) ?? 0;
  const rel = (t: number | null | undefined): number | null => (t === null || t === undefined ? null : t - t0);

  let goErrors: Array<{ line: number; t: number | null; text: string; stage: StageName | null }> = [];
  let syscalls: SyscallRecord[] = [];
  let processes: ProcessRecord[] = [];
  let fetches: FetchRecord[] = [];
  let goroutines: GoroutineSummary[] = [];
  let lookups: HostLookupRecord[] = [];
  const captureEnd = summary ? (summary.lastTime !== null ? summary.lastTime - t0 : conv?.end ?? null) : null;
  // Interfaces of a link type the decoder does not know, with the packets lost to it.
  const undecoded = (summary?.interfaces ?? [])
    .map((i) => ({ i, packets: conv?.stats.undecoded.get(i.id) ?? 0 }))
    .filter((u) => u.packets > 0);
  if (summary) {
    inputList.push({
      kind: 'capture', file: summary.file, format: summary.format,
      linkTypes: [...new Set(summary.interfaces.map((i) => i.linkTypeName))],
      packets: summary.packets, start: rel(summary.firstTime), end: captureEnd,
      warnings: [...summary.warnings, ...undecoded.map((u) => undecodedWarning(u.i, u.packets))],
    });
  }
  if (straceEv) {
    const r = straceEv.toRecords(t0);
    syscalls = r.syscalls;
    processes = r.processes;
    anomalies.push(...r.anomalies);
    inputList.push({ ...straceEv.input, warnings: [...straceEv.input.warnings, ...straceEv.assumptions], start: rel(straceEv.firstTime), end: rel(straceEv.lastTime) });
  }
  if (goEv) {
    const r = goEv.toRecords(t0);
    fetches = r.fetches;
    goroutines = r.goroutines;
    goErrors = r.errors;
    lookups = r.lookups.map((l) => ({ t: l.t, host: l.host, order: l.order, line: l.line }));
    inputList.push({ ...goEv.input, warnings: [...goEv.input.warnings, ...goEv.assumptions], start: rel(goEv.firstTime), end: rel(goEv.lastTime) });
  }
  if (bundle?.meta?.stopped) {
    // What go and its children were blocked in when record stopped them. With a strace log, only
    // what strace did not see (a call outside its syscall set, e.g. git's read of its askpass
    // pipe; a process it did not follow) is added: strace's own records have exact times.
    const r = recordsFromSnapshot(bundle.meta.stopped, t0, lastFetchMark(fetches));
    const open = new Set(syscalls.filter((c) => c.duration === null).map((c) => `${c.pid} ${c.name}`));
    const known = new Set(processes.map((p) => p.pid));
    syscalls = [...syscalls, ...r.syscalls.filter((c) => !open.has(`${c.pid} ${c.name}`))];
    processes = [...processes, ...r.processes.filter((p) => !known.has(p.pid))];
  }
  if (bundle) {
    inputList.unshift({ kind: 'bundle', file: bundle.dir, format: 'gomod-trace record', start: rel(bundle.meta?.start?.epoch), end: rel(bundle.meta?.end?.epoch ?? null), warnings: bundle.warnings });
  }

  const ends = [captureEnd, rel(straceEv?.lastTime), rel(goEv?.lastTime), rel(bundle?.meta?.end?.epoch ?? null)]
    .filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  const evidenceEnd = ends.length ? Math.max(...ends) : 0;
  const goStart = rel(goEv?.firstTime ?? bundle?.meta?.start?.epoch ?? null);
  const lockHolders = (bundle?.meta?.locks ?? [])
    .filter((l): l is { path: string; pid: number; command?: string } => typeof l?.path === 'string' && typeof l?.pid === 'number')
    .map((l) => ({ path: l.path, pid: l.pid, command: l.command ?? null }));
  // go's exit code when it exited by itself; record stopping it (or a signal) is no failure of go's.
  const stoppedBy = bundle?.meta?.stoppedBy;
  const exitCode = bundle?.meta?.exit?.code;
  const goExit = typeof stoppedBy === 'string'
    ? { code: stoppedBy === 'go-exited' && typeof exitCode === 'number' ? exitCode : null } : null;

  const dns = conv?.dns ?? [];
  const connections = conv?.connections ?? [];
  const { verdict, findings } = decide({
    dns, connections, syscalls, processes, fetches, goroutines,
    captureEnd, evidenceEnd, goStart, env: envHints(bundle?.env ?? null), lockHolders, goErrors, goExit, lookups,
    packets: summary ? {
      total: summary.packets,
      undecoded: undecoded.reduce((n, u) => n + u.packets, 0),
      linkTypes: [...new Set(undecoded.map((u) => u.i.linkType))],
    } : null,
  }, lang);

  const environment = bundle ? bundleEnvironment(bundle.env, bundle.meta) : null;
  const report: Report = {
    schema: REPORT_SCHEMA, version: REPORT_VERSION, generator: `gomod-trace ${VERSION}`, t0,
    inputs: inputList, ...(environment ? { environment } : {}), dns, connections, syscalls, processes, fetches, goroutines, lookups,
    verdict, findings, anomalies,
  };
  if (opts.redact !== false) {
    const n = redactReport(report);
    if (n > 0 && report.inputs.length > 0) {
      report.inputs[0].warnings.push(`${n} string${n === 1 ? '' : 's'} with credentials redacted (URL user:password, tokens, auth headers); --no-redact keeps them`);
    }
  }
  return report;
}

function minOf(...xs: Array<number | null | undefined>): number | null {
  const v = xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  return v.length ? Math.min(...v) : null;
}
