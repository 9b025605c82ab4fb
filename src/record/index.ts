/**
 * `record(options)`: run go under tcpdump (and strace), keep everything in a bundle folder, stop
 * go when it hangs, analyse the bundle. Exit status: go's own when it finished (128+N when a
 * signal not ours killed it), 124 when gomod-trace stopped it, 2 for usage or set-up errors
 * before go runs (thrown as UsageError).
 */
import { release } from 'node:os';
import { join, resolve } from 'node:path';
import { openSync, readSync, closeSync, readFileSync, statfsSync, existsSync, rmSync, rmdirSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { UsageError, EXIT_STOPPED, describeFsError } from '../cli/errors.js';
import { VERSION } from '../version.js';
import { findTool, requireTool, which, type ToolInfo } from './tools.js';
import { CaptureProcess, CaptureStartError, firstErrorLine, type CaptureStats } from './capture.js';
import { straceArgs, straceFormat, STRACE_SYSCALLS } from './strace.js';
import { GoRun, withNetdnsDebug, withXFlag, nowEpoch } from './golog.js';
import { teardown, ensureNothingLeft, type TeardownResult } from './teardown.js';
import { createBundleDir, goEnvJson, envDocument, writeJson, chownBundle, redactCredentials, BUNDLE_FILES, BUNDLE_SCHEMA, BUNDLE_VERSION, type BundleMeta } from './bundle.js';
import { resolveRunAs, goEnvironment, sudoEnvWarning, captureFixHint } from './privileges.js';
import { StallWatcher, describeStop, type StopReason } from './stall.js';
import { PacketCounter } from './packetcount.js';
import { Progress } from './progress.js';
import { analyzeBundle, type AnalysisResult } from './analysis.js';
import { heldCacheLocks } from './doctor.js';
import { snapshotProcesses } from './snapshot.js';
import { ProcessSockets, goTrafficFilter } from './sockets.js';
import { descendants, isAlive } from './proctree.js';
import { shareCapture } from './share.js';
import { terminalColumns } from '../report/wrap.js';
import { temporaryPath } from '../io/files.js';

export interface RecordOptions {
  /** go's arguments (after `go`); default ['mod', 'download']. A leading 'go' is dropped. */
  command?: string[];
  out?: string;
  capture?: boolean;
  interface?: string;
  filter?: string;
  snaplen?: number;
  strace?: boolean;
  /** Override strace's syscall set (benchmarks). */
  straceSyscalls?: string;
  timeout?: number | null;
  stallAfter?: number | null;
  /** Milliseconds go gets to print its goroutine dump after SIGQUIT; default 2000. */
  quitGraceMs?: number;
  /** Command words run before go (inside strace when --strace), e.g. the lab's resolv.conf helper. */
  prefix?: string[];
  /** Extra environment for go (the lab sets GOPROXY, SSL_CERT_FILE, …). */
  env?: Record<string, string>;
  /** Base environment; default process.env. */
  baseEnv?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Run go as root even under sudo. */
  asRoot?: boolean;
  /** Analyse the bundle afterwards (default true). */
  analyze?: boolean;
  lang?: 'en' | 'zh-CN';
  /** Install SIGINT/SIGTERM/SIGHUP handlers (the CLI does; library callers use `signal`). */
  handleSignals?: boolean;
  /** Abort to stop go as Ctrl-C would. */
  signal?: AbortSignal;
  /** Where go's output is echoed and our messages go; null for quiet. */
  stdout?: NodeJS.WritableStream | null;
  stderr?: NodeJS.WritableStream | null;
  /** Show the live progress line (default: when stderr is a TTY). */
  progress?: boolean;
  /** How long tcpdump may take to start listening (ms). */
  captureStartTimeoutMs?: number;
  /** Also write capture.redacted.pcap, a copy safe to share (src/share/). */
  redactCapture?: boolean;
  /** With redactCapture: delete capture.pcap once the redacted copy is written. */
  dropRawCapture?: boolean;
}

export interface RecordResult {
  exitCode: number;
  bundleDir: string;
  stoppedBy: string;
  goExit: { code: number | null; signal: string | null };
  /** go's wall time, from spawn to exit (seconds). */
  goSeconds: number;
  capture: CaptureStats | null;
  analysis: AnalysisResult | null;
  warnings: string[];
  /** Path of the shareable capture, when --redact-capture wrote one. */
  redactedCapture: string | null;
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Why record stops go: a limit, a signal, the bundle's disk full, or strace gone mid-run. */
type RecordStop =
  | StopReason
  | { kind: 'signal'; name: string }
  | { kind: 'disk-full'; file: string }
  | { kind: 'strace-died'; how: string };

export async function record(options: RecordOptions = {}): Promise<RecordResult> {
  validate(options);
  const stderr = options.stderr === undefined ? process.stderr : options.stderr;
  const ui: Messages = {
    clearStatus: () => {},
    say: (msg) => {
      ui.clearStatus();
      stderr?.write(`gomod-trace: ${msg}\n`);
    },
  };
  // ---- stop requests (signals, abort, stall watcher) — installed before any set-up work, so that a
  // Ctrl-C during set-up ends as documented rather than by node's default (exit 130)
  const stops = new StopRequests(ui.say, options.handleSignals ? SIGNALS : []);
  options.signal?.addEventListener('abort', stops.onAbort);
  try {
    return await recordWith(options, stops, ui);
  } finally {
    stops.uninstall();
    options.signal?.removeEventListener('abort', stops.onAbort);
  }
}

/** Our lines on stderr, clearing the live status line first (once there is one). */
interface Messages {
  say: (msg: string) => void;
  clearStatus: () => void;
}

async function recordWith(options: RecordOptions, stops: StopRequests, ui: Messages): Promise<RecordResult> {
  const stderr = options.stderr === undefined ? process.stderr : options.stderr;
  const say = ui.say;
  const baseEnv = options.baseEnv ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const args = goArgs(options.command);
  const wantCapture = options.capture !== false;
  const warnings: string[] = [];

  // ---- set-up: every failure here is exit 2, before go runs; a stop here is exit 124
  const setUpExit = (dir: string | null, madeDir: boolean) => (r: RecordStop) => {
    if (dir) discardBundle(dir, madeDir);
    return { status: EXIT_STOPPED, line: `${stopText(r)} again during set-up: go never started; nothing recorded` };
  };
  stops.exitNow = setUpExit(null, false);
  const runAs = resolveRunAs(baseEnv, { asRoot: options.asRoot });
  const env = goEnvironment(baseEnv, runAs, options.env ?? {});
  const goTool = await findTool('go', env);
  const goPath = requireTool(goTool, 'record runs go');
  const tcpdumpTool: ToolInfo | null = wantCapture ? await findTool('tcpdump', baseEnv) : null;
  if (tcpdumpTool) requireTool(tcpdumpTool, 'record captures packets with it; or use --no-capture');
  const straceTool: ToolInfo | null = options.strace ? await findTool('strace', baseEnv) : null;
  if (straceTool) requireTool(straceTool, '--strace needs it');
  const sudoWarning = sudoEnvWarning(baseEnv, runAs);
  if (sudoWarning) {
    warnings.push(sudoWarning);
    say(sudoWarning);
  }

  stops.checkSetUp();
  // Only a folder this run made is removed when a stop leaves it with nothing recorded.
  const madeDir = options.out === undefined || !existsSync(resolve(cwd, options.out));
  const bundleDir = createBundleDir(options.out, cwd);
  stops.exitNow = setUpExit(bundleDir, madeDir);
  const files = {
    capture: join(bundleDir, BUNDLE_FILES.capture),
    goLog: join(bundleDir, BUNDLE_FILES.goLog),
    strace: join(bundleDir, BUNDLE_FILES.strace),
  };
  const ids = runAs.sudo ? { uid: runAs.uid, gid: runAs.gid } : undefined;
  const goEnv = await goEnvJson(goPath, env, cwd, ids);
  if (stops.reason) discardBundle(bundleDir, madeDir);
  stops.checkSetUp();
  if (goEnv.error) warnings.push(`go env -json: ${goEnv.error.split('\n')[0]}`);
  writeJson(join(bundleDir, BUNDLE_FILES.env), envDocument(goEnv.env, goEnv.error, env));

  const start = new Date();
  const meta: BundleMeta = {
    schema: BUNDLE_SCHEMA,
    version: BUNDLE_VERSION,
    generator: `gomod-trace ${VERSION}`,
    command: ['go', ...args].map(redactCredentials),
    cwd,
    versions: {
      go: goTool.version,
      tcpdump: tcpdumpTool?.version ?? null,
      strace: straceTool?.version ?? null,
      kernel: release(),
      node: process.version,
    },
    start: { iso: start.toISOString(), epoch: start.getTime() / 1000 },
    end: null,
    exit: { code: null, signal: null, status: 2 },
    stoppedBy: 'error',
    limits: { timeout: options.timeout ?? null, stallAfter: options.stallAfter ?? null },
    capture: null,
    strace: null,
    user: { uid: runAs.uid, gid: runAs.gid, name: runAs.name, home: runAs.home, sudo: runAs.sudo },
    warnings,
  };
  let metaWriteFailed = false;
  const finishMeta = (): void => {
    try {
      writeJson(join(bundleDir, BUNDLE_FILES.meta), meta);
      if (runAs.sudo) chownBundle(bundleDir, runAs.uid, runAs.gid);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const msg = `could not write meta.json: ${describeFsError({ code: e?.code, path: e?.path ?? join(bundleDir, BUNDLE_FILES.meta) }) ?? e?.message}`;
      if (!metaWriteFailed) say(msg);
      metaWriteFailed = true;
    }
  };

  const parts: { go: GoRun | null; capture: CaptureProcess | null } = { go: null, capture: null };
  const lastResort = (): void => ensureNothingLeft(parts);
  process.on('exit', lastResort);
  try {
    if (tcpdumpTool?.path) {
      // tcpdump, starting, is not yet in `parts`: an exit now could leave it behind.
      stops.exitNow = null;
      meta.capture = {
        file: BUNDLE_FILES.capture,
        interface: options.interface ?? 'any',
        filter: options.filter ?? null,
        snaplen: options.snaplen ?? 0,
        captured: null,
        receivedByFilter: null,
        droppedByKernel: null,
      };
      try {
        parts.capture = await CaptureProcess.start({
          tcpdump: tcpdumpTool.path,
          file: files.capture,
          interface: options.interface,
          filter: options.filter,
          snaplen: options.snaplen,
          startTimeoutMs: options.captureStartTimeoutMs,
          env: baseEnv,
          version: tcpdumpTool.version,
          setpriv: which('setpriv', baseEnv.PATH),
        });
      } catch (err) {
        if (!(err instanceof CaptureStartError)) throw err;
        meta.end = { iso: new Date().toISOString(), epoch: Date.now() / 1000 };
        meta.stoppedBy = 'capture-failed';
        meta.warnings.push(err.message);
        finishMeta();
        const hint = err.permission ? `; ${captureFixHint()}` : isFilterError(err.stderr) ? '; check --filter (tcpdump could not compile it)' : '';
        throw new UsageError(`cannot capture packets: ${err.message}${hint}`, { cause: err });
      }
    }

    const wrap = straceTool?.path
      ? { command: straceTool.path, args: straceArgs({ strace: straceTool.path, version: straceTool.version, file: files.strace, user: runAs.sudo ? runAs.name ?? `${runAs.uid}:${runAs.gid}` : undefined, syscalls: options.straceSyscalls }) }
      : null;
    if (straceTool?.path) {
      meta.strace = { file: BUNDLE_FILES.strace, command: straceFormat({ strace: straceTool.path, version: straceTool.version, file: files.strace }), syscalls: options.straceSyscalls ?? STRACE_SYSCALLS };
    }

    // ---- go runs
    if (options.signal?.aborted) stops.request({ kind: 'signal', name: 'abort' });
    stops.checkSetUp();
    stops.goStarts();

    // --stall-after counts only go's traffic as progress: DNS, and the 4-tuples of the sockets go's
    // process tree holds (refreshed from /proc at every poll).
    const goSockets = options.stallAfter ? new ProcessSockets() : null;
    const counter = parts.capture ? new PacketCounter(files.capture, goSockets ? goTrafficFilter(goSockets) : undefined) : null;
    const watcher = new StallWatcher({ timeout: options.timeout, stallAfter: options.stallAfter, onStop: (r) => stops.request(r) });
    const showProgress = options.progress ?? !!(stderr && (stderr as { isTTY?: boolean }).isTTY);
    const progress = new Progress({ out: showProgress ? stderr : null, captureFile: parts.capture ? files.capture : null });
    ui.clearStatus = () => progress.clear();

    const go = new GoRun({
      go: goPath,
      args,
      env: { ...env, GOFLAGS: withXFlag(env.GOFLAGS), GODEBUG: wrap ? withoutAsyncPreempt(withNetdnsDebug(env.GODEBUG)) : withNetdnsDebug(env.GODEBUG) },
      cwd,
      logFile: files.goLog,
      echo: options.stdout === null || stderr === null ? null : { stdout: progress.wrap(options.stdout ?? process.stdout), stderr: progress.wrap(stderr ?? process.stderr) },
      wrap,
      prefix: options.prefix,
      ...(runAs.sudo ? { uid: runAs.uid, gid: runAs.gid } : {}),
      onLine: (t, stream, line) => {
        watcher.progress();
        progress.line(t, stream, line);
      },
    });
    parts.go = go;
    let captureDied: string | null = null;
    parts.capture?.child.on('exit', (code, sig) => {
      if (!go.running || stops.reason) return;
      const said = firstErrorLine(parts.capture?.stderr ?? '');
      const at = new Date().toISOString();
      captureDied = sig
        ? `tcpdump was killed by ${sig}; ${BUNDLE_FILES.capture} ends at ${at}`
        : `tcpdump exited with status ${code}${said ? `: ${said}` : ''}; ${BUNDLE_FILES.capture} ends at ${at}`;
      say(`warning: tcpdump stopped during the recording: ${sig ? `killed by ${sig}` : said || `exit status ${code}`}; the capture ends here (go goes on)`);
    });
    // Under strace, the go process itself (strace's child): remembered so that go can still be
    // stopped if strace dies and go is re-parented away from it.
    let knownGoPid: number | null = wrap ? null : go.child.pid ?? null;
    go.child.on('exit', (code, sig) => {
      if (!wrap || stops.reason) return;
      const pid = knownGoPid ?? go.goPid();
      if (pid !== null && pid !== go.child.pid && isAlive(pid)) {
        stops.request({ kind: 'strace-died', how: sig ? `strace was killed by ${sig}` : `strace exited with status ${code}` });
      }
    });
    const goStarted = nowEpoch();
    let goEnded: number | null = null;
    void go.exited.then(() => {
      goEnded = nowEpoch();
    });
    const poll = setInterval(() => {
      if (goSockets && go.child.pid) goSockets.refresh([go.child.pid, ...descendants(go.child.pid)]);
      if (counter && counter.poll() > 0 && (!goSockets || counter.takeRelevant() > 0)) watcher.progress();
      progress.tick(counter?.packets ?? null, watcher.idle());
      if (wrap && go.running) {
        const pid = go.goPid();
        if (pid !== null && pid !== go.child.pid) knownGoPid = pid;
      }
      if (go.running && !stops.reason) {
        const full = diskFull(bundleDir, go.logError, go.logError ? files.goLog : parts.capture ? files.capture : files.goLog);
        if (full) stops.request({ kind: 'disk-full', file: full });
      }
    }, 200);


    let torn: TeardownResult;
    let goExit: { code: number | null; signal: string | null };
    let stoppedByUs = false;
    // The steps after go that a stop then skips, in order.
    const steps = [...(options.redactCapture && parts.capture ? ['redaction'] : []), ...(options.analyze !== false ? ['analysis'] : [])];
    try {
      const first = await Promise.race([go.exited.then(() => 'exited' as const), stops.requested.then(() => 'stop' as const)]);
      watcher.stop();
      stoppedByUs = first === 'stop';
      if (first === 'exited') stops.goExited(exitStatus(false, await go.exited), steps);
      if (first === 'stop') {
        go.note(`stopping go: ${stopText(stops.reason)}`);
        // Who holds a module-cache lock right now (only visible while it is held).
        const modcache = goEnv.env?.GOMODCACHE;
        if (modcache) {
          const ours = new Set([go.child.pid, ...(go.child.pid ? descendants(go.child.pid) : [])]);
          meta.locks = heldCacheLocks(modcache).filter((l) => !ours.has(l.pid));
        }
        // What go and its children are blocked in right now (read before teardown kills them).
        if (go.child.pid) meta.stopped = snapshotProcesses(go.child.pid);
      }
      torn = await teardown(parts, { stopRequested: first === 'stop', quit: !stops.quitNow, graceMs: options.quitGraceMs ?? 2000, hurry: () => stops.quitNow, goPid: knownGoPid });
      const e = await go.exited;
      goExit = { code: e.code, signal: e.signal };
      if (first === 'stop') stops.goExited(EXIT_STOPPED, steps);
    } finally {
      clearInterval(poll);
      watcher.stop();
      counter?.poll();
      counter?.close();
      await progress.done();
    }
    await go.closeLog();
    if (go.logError && !describeFsError({ code: (go.logError as NodeJS.ErrnoException).code, path: files.goLog })) warnings.push(`go.log: ${go.logError.message}`);

    const exitCode = exitStatus(stoppedByUs, goExit);
    meta.end = { iso: new Date().toISOString(), epoch: nowEpoch() };
    meta.exit = { code: goExit.code, signal: goExit.signal, status: exitCode };
    meta.stoppedBy = stoppedByUs ? stopName(stops.reason) : goExit.signal ? `go-killed:${goExit.signal}` : 'go-exited';
    if (meta.capture && torn.capture) {
      meta.capture.captured = torn.capture.captured;
      meta.capture.receivedByFilter = torn.capture.receivedByFilter;
      meta.capture.droppedByKernel = torn.capture.droppedByKernel;
      if (torn.capture.droppedByKernel) warnings.push(`tcpdump: ${torn.capture.droppedByKernel} packets dropped by kernel`);
      if (captureDied) warnings.push(captureDied);
      else if (torn.capture.exit.code !== 0 && torn.capture.exit.code !== null) {
        const said = firstErrorLine(parts.capture?.stderr ?? '');
        warnings.push(`tcpdump exited with status ${torn.capture.exit.code}${said ? `: ${said}` : ''}`);
      }
      const inFile = counter?.broken ? null : counter?.packets ?? null;
      if (torn.capture.captured !== null && inFile !== null && inFile < torn.capture.captured) {
        const full = stops.reason?.kind === 'disk-full' || diskFull(bundleDir, null, files.capture) !== null;
        warnings.push(`${BUNDLE_FILES.capture}: tcpdump captured ${torn.capture.captured} packets, ${inFile} reached the file${full ? ' (no space left on device)' : ''}`);
      }
    }
    const logFs = go.logError ? describeFsError({ code: (go.logError as NodeJS.ErrnoException).code, path: files.goLog }) : null;
    if (logFs) warnings.push(`go.log is incomplete: ${logFs}`);
    if (wrap && !straceRanGo(files.strace)) {
      // strace failed before go ran (ptrace not permitted, bad option): a set-up error.
      meta.end = { iso: new Date().toISOString(), epoch: nowEpoch() };
      meta.exit = { code: goExit.code, signal: goExit.signal, status: 2 };
      meta.stoppedBy = 'strace-failed';
      const said = straceComplaint(files.goLog);
      meta.warnings.push(`strace could not run go${said ? `: ${said}` : ''}`);
      finishMeta();
      throw new UsageError(`strace could not run go${said ? `: ${said}` : ''}; try without --strace, or check ptrace restrictions (kernel.yama.ptrace_scope, containers need CAP_SYS_PTRACE)`);
    }
    if (torn.stopGo?.quitSent === false && stoppedByUs) warnings.push('go was gone before SIGQUIT could be sent');
    const stopNow = stops.reason;
    if (stopNow?.kind === 'strace-died') warnings.push(`${stopNow.how} while go was running; ${BUNDLE_FILES.strace} ends there and go was stopped`);
    // ---- after go: the recording is complete once meta.json is written; a stop from here on skips
    // the steps not yet begun (checked between them: redaction and analysis cannot be cut short),
    // and a second one exits at once.
    finishMeta();
    const redactedTmp = temporaryPath(join(bundleDir, BUNDLE_FILES.redactedCapture));
    stops.exitNow = (r) => {
      // redactCapture's temporary file, when the exit cuts it short (src/share/redact-capture.ts).
      rmSync(redactedTmp, { force: true });
      return { status: exitCode, line: `${stopText(r)} again: exiting now with status ${exitCode}; bundle: ${bundleDir}` };
    };
    const redact = !!options.redactCapture && stops.begin('redaction');
    if (options.redactCapture && !redact) warnings.push(`${BUNDLE_FILES.redactedCapture} not written (${stopText(stops.afterStop)}); \`gomod-trace redact ${bundleDir}\` writes it`);
    const shared = meta.capture ? await shareCapture(bundleDir, meta, { redact, dropRaw: redact && !!options.dropRawCapture }) : null;
    if (shared?.warning) warnings.push(shared.warning);
    finishMeta();

    say(`${describeEnd(meta.stoppedBy, goExit)}; bundle: ${bundleDir}`);
    for (const w of warnings) if (w !== sudoWarning) say(`warning: ${w}`);
    if (shared?.notice) say(shared.notice);

    let analysis: AnalysisResult | null = null;
    if (options.analyze !== false && !stops.begin('analysis')) say(`analysis skipped (${stopText(stops.afterStop)}); \`gomod-trace analyze ${bundleDir}\` analyses the bundle`);
    else if (options.analyze !== false) {
      const out = options.stdout === undefined ? process.stdout : options.stdout;
      const tty = !!(out as { isTTY?: boolean } | null)?.isTTY;
      analysis = await analyzeBundle(bundleDir, options.lang, { width: Math.min(140, terminalColumns(out as { columns?: number } | null) ?? 100), color: tty && !process.env.NO_COLOR });
      if (runAs.sudo) chownBundle(bundleDir, runAs.uid, runAs.gid);
      for (const w of analysis.warnings) say(w);
      if (analysis.text) out?.write(`${analysis.text}\n`);
    }
    const goSeconds = (goEnded ?? nowEpoch()) - goStarted;
    return { exitCode, bundleDir, stoppedBy: meta.stoppedBy, goExit, goSeconds, capture: torn.capture, analysis, warnings, redactedCapture: shared?.redacted ?? null };
  } catch (err) {
    ensureNothingLeft(parts);
    if (stops.phase === 'set-up' && stops.reason) discardBundle(bundleDir, madeDir);
    else if (meta.end === null) {
      meta.end = { iso: new Date().toISOString(), epoch: Date.now() / 1000 };
      meta.warnings.push(`recording failed: ${(err as Error).message}`);
      finishMeta();
    }
    throw err;
  } finally {
    process.off('exit', lastResort);
  }
}

/**
 * Ctrl-C, SIGTERM, SIGHUP (with `handleSignals`) and the caller's AbortSignal, from before any
 * set-up work to the end. What a stop does depends on the phase:
 * - set-up: go never starts; record ends with exit 124 at the next step and removes what it wrote
 *   (checkSetUp); a second signal exits at once;
 * - go: go is stopped (SIGQUIT first); a second stop skips the wait for the goroutine dump;
 * - after go exited: the recording is complete, the post-processing steps not yet begun are
 *   skipped (begin; they cannot be cut short in the middle); a second signal exits at once.
 */
class StopRequests {
  phase: 'set-up' | 'go' | 'after' = 'set-up';
  reason: RecordStop | null = null;
  /** A second stop while go is being stopped: no more waiting for the goroutine dump. */
  quitNow = false;
  readonly requested: Promise<void>;
  /** Tidies up for an exit at once and says which status and why (set by record as it goes). */
  exitNow: ((reason: RecordStop) => { status: number; line: string }) | null = null;
  /** The stop received after go exited, if any. */
  afterStop: RecordStop | null = null;
  private resolveRequested: () => void = () => {};
  private stepsLeft: string[] = [];
  private readonly onSignal = (sig: NodeJS.Signals): void => this.request({ kind: 'signal', name: sig });
  readonly onAbort = (): void => this.request({ kind: 'signal', name: 'abort' });

  constructor(private readonly say: (msg: string) => void, private readonly signals: NodeJS.Signals[]) {
    this.requested = new Promise<void>((r) => {
      this.resolveRequested = r;
    });
    for (const s of signals) process.on(s, this.onSignal);
  }

  uninstall(): void {
    for (const s of this.signals) process.off(s, this.onSignal);
  }

  request(reason: RecordStop): void {
    if (this.phase === 'after') {
      if (reason.kind !== 'signal') return;
      if (this.afterStop) return this.exit(reason);
      this.afterStop = reason;
      const again = reason.name === 'abort' ? '' : `; a second ${reason.name} exits at once`;
      this.say(this.stepsLeft.length
        ? `${stopText(reason)}: go has exited and the recording is complete; skipping ${this.stepsLeft.join(' and ')} (checked between steps: the one under way finishes first)${again}`
        : `${stopText(reason)}: go has exited and only the step under way is left (it cannot be cut short)${again}`);
      return;
    }
    if (this.reason) {
      if (reason.kind !== 'signal') return;
      if (this.phase === 'set-up') this.exit(reason);
      // A second Ctrl-C: no more waiting for the goroutine dump.
      else this.quitNow = true;
      return;
    }
    this.reason = reason;
    if (this.phase === 'go') this.say(`${stopText(reason)}: stopping go (SIGQUIT for its goroutine dump first)${reason.kind === 'disk-full' ? '; the bundle keeps what fit' : ''}`);
    this.resolveRequested();
  }

  /** During set-up: a stop so far ends record here (exit 124, one line). */
  checkSetUp(): void {
    if (this.reason) throw new UsageError(`${stopText(this.reason)} during set-up: go never started; nothing recorded`, { exitCode: EXIT_STOPPED });
  }

  goStarts(): void {
    this.phase = 'go';
    this.exitNow = null;
  }

  /** go is gone (by itself, or stopped and torn down): what follows is post-processing. */
  goExited(status: number, steps: string[]): void {
    this.phase = 'after';
    this.stepsLeft = [...steps];
    this.exitNow = (r) => ({ status, line: `${stopText(r)} again: exiting now with status ${status}` });
  }

  /** A post-processing step starts, unless a stop after go exited skips it. */
  begin(step: string): boolean {
    this.stepsLeft = this.stepsLeft.filter((s) => s !== step);
    return this.afterStop === null;
  }

  /** Exit at once, when record can leave nothing behind (exitNow set); else the first stop runs its course. */
  private exit(reason: RecordStop): void {
    if (!this.exitNow) return;
    const how = this.exitNow(reason);
    this.say(how.line);
    process.exit(how.status);
  }
}

/** The exit status: 124 when record stopped go, else go's own (128+N for a signal that killed it). */
function exitStatus(stoppedByUs: boolean, e: { code: number | null; signal: string | null }): number {
  return stoppedByUs ? EXIT_STOPPED : e.code ?? (e.signal ? 128 + (osConstants.signals[e.signal as NodeJS.Signals] ?? 0) : 1);
}

/**
 * A stop before go started: nothing was recorded. The files set-up wrote into the bundle (it was
 * new or empty) go, and the folder too when this run made it.
 */
function discardBundle(dir: string, madeDir: boolean): void {
  for (const f of [BUNDLE_FILES.meta, BUNDLE_FILES.env, BUNDLE_FILES.capture]) rmSync(join(dir, f), { force: true });
  if (!madeDir) return;
  try {
    rmdirSync(dir);
  } catch {
    // something else appeared in it: left as it is
  }
}

function validate(o: RecordOptions): void {
  const positive = (v: number | null | undefined, flag: string): void => {
    if (v !== undefined && v !== null && !(Number.isFinite(v) && v > 0)) throw new UsageError(`${flag} must be a positive number of seconds, got ${v}`);
  };
  positive(o.timeout, '--timeout');
  positive(o.stallAfter, '--stall-after');
  if (o.snaplen !== undefined && !(Number.isInteger(o.snaplen) && o.snaplen >= 0 && o.snaplen <= 262144)) throw new UsageError(`--snaplen must be an integer from 0 to 262144, got ${o.snaplen}`);
  if (o.capture === false && (o.interface || o.filter)) throw new UsageError('--interface and --filter need a capture; drop --no-capture');
  if (o.capture === false && o.redactCapture) throw new UsageError('--redact-capture needs a capture; drop --no-capture');
  if (o.dropRawCapture && !o.redactCapture) throw new UsageError('--drop-raw-capture needs --redact-capture');
}

/**
 * Under strace, every signal stops the tracee; go's asynchronous preemption sends SIGURG to its
 * threads constantly, which costs more than the traced syscalls. Turn it off (the user's other
 * GODEBUG settings kept, theirs winning if they set asyncpreemptoff themselves).
 */
export function withoutAsyncPreempt(godebug: string | undefined): string {
  const parts = (godebug ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (parts.some((p) => p.startsWith('asyncpreemptoff='))) return parts.join(',');
  return [...parts, 'asyncpreemptoff=1'].join(',');
}

/** go's arguments: default `mod download`; a leading `go` is dropped. */
export function goArgs(command: string[] | undefined): string[] {
  const c = command && command.length > 0 ? command : ['mod', 'download'];
  return c[0] === 'go' ? c.slice(1) : c;
}

/** strace.log shows go's execve succeeding. */
function straceRanGo(file: string): boolean {
  try {
    const fd = openSync(file, 'r');
    try {
      const buf = Buffer.alloc(64 * 1024);
      const n = readSync(fd, buf, 0, buf.length, 0);
      return /execve\([^\n]*\) = 0/.test(buf.subarray(0, n).toString('latin1'));
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

/** strace's own complaint, as it landed in go.log (strace shares go's stderr). */
function straceComplaint(goLog: string): string | null {
  try {
    const text = readFileSync(goLog, 'utf8').slice(0, 64 * 1024);
    // strace names itself by the path it was run as: `/usr/bin/strace: invalid system call …`.
    const m = /^\S+ E (?:\S*\/)?(strace: .*)$/m.exec(text);
    return m ? m[1].slice(0, 300) : null;
  } catch {
    return null;
  }
}

function isFilterError(stderr: string): boolean {
  return /syntax error|can't parse filter|illegal|unknown host/i.test(stderr);
}

function stopName(r: RecordStop | null): string {
  if (!r) return 'go-exited';
  return r.kind === 'signal' ? `signal:${r.name}` : r.kind;
}

function stopText(r: RecordStop | null): string {
  if (!r) return 'unknown';
  if (r.kind === 'signal') return `${r.name} received`;
  if (r.kind === 'disk-full') return `${r.file}: no space left on device`;
  if (r.kind === 'strace-died') return r.how;
  return describeStop(r);
}

/**
 * The bundle's file system is full: go.log failed with ENOSPC, or no block is left for us (root
 * may use the reserved ones). Returns the file to name in the message, or null.
 */
export function diskFull(dir: string, logError: Error | null, busiest: string): string | null {
  const code = (logError as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return busiest;
  try {
    const st = statfsSync(dir);
    const root = typeof process.getuid === 'function' && process.getuid() === 0;
    if ((root ? st.bfree : st.bavail) === 0) return busiest;
  } catch {
    // statfs unsupported: rely on write errors
  }
  return null;
}

function describeEnd(stoppedBy: string, e: { code: number | null; signal: string | null }): string {
  if (stoppedBy === 'go-exited') return `go exited with status ${e.code}`;
  if (stoppedBy.startsWith('go-killed:')) return `go was killed by ${e.signal} (not by gomod-trace)`;
  return `go stopped by gomod-trace (${stoppedBy}); exit status ${EXIT_STOPPED}`;
}
