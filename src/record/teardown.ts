/**
 * Stopping everything, in the one order that keeps the evidence: SIGQUIT to go first (its
 * goroutine dump goes to stderr, hence go.log), a short wait, then SIGKILL to go and every
 * descendant (git, ssh), then strace (which exits once its tracees are gone, flushing its log),
 * then tcpdump with SIGINT so it flushes the capture. `ensureNothingLeft` is the last resort
 * for every path, including an exception of our own and the process exiting.
 */
import type { GoRun } from './golog.js';
import type { CaptureProcess, CaptureStats } from './capture.js';
import { descendants, groupMembers, isAlive, killTree, signal } from './proctree.js';

export interface StopGoResult {
  quitSent: boolean;
  /** go was still running after the SIGQUIT grace period and was killed. */
  killed: boolean;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitUntil(cond: () => boolean, ms: number, stepMs = 50): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await sleep(stepMs);
  }
  return cond();
}

/**
 * Stop go that gomod-trace decided to stop (timeout, stall, Ctrl-C). `quit` false skips the
 * SIGQUIT (a second Ctrl-C means "now").
 */
export async function stopGo(go: GoRun, opts: { quit: boolean; graceMs: number; hurry?: () => boolean; goPid?: number | null }): Promise<StopGoResult> {
  const top = go.child.pid;
  if (top === undefined) return { quitSent: false, killed: false };
  let quitSent = false;
  // Under strace, go is found through strace's tree; if strace died, the pid remembered earlier.
  const found = go.goPid();
  const goPid = found !== null && found !== top && isAlive(found) ? found : opts.goPid ?? found;
  // When the wrapper is gone, go (re-parented) is watched by its pid alone.
  const wrapperGone = go.wrapped && !go.running;
  if (opts.quit && goPid !== null && isAlive(goPid)) {
    quitSent = signal(goPid, 'SIGQUIT');
    if (quitSent) await waitUntil(() => !isAlive(goPid) || (!wrapperGone && !go.running) || (opts.hurry?.() ?? false), opts.graceMs);
  }
  const stillThere = (goPid !== null && isAlive(goPid)) || go.running;
  killGoTree(go);
  if (goPid !== null && goPid !== top && isAlive(goPid)) killTree(goPid, {});
  return { quitSent, killed: stillThere };
}

/** SIGKILL go, its children and its process group; under strace, everything strace traces but strace itself. */
export function killGoTree(go: GoRun): void {
  const top = go.child.pid;
  if (top === undefined) return;
  if (go.wrapped) {
    // strace leads the group: kill its descendants, keep strace so it writes the end of its log.
    for (const pid of descendants(top)) killTree(pid, { spare: [top] });
    // Children of a go that already died were re-parented away from strace but stay in its group.
    for (const pid of groupMembers(top)) if (pid !== top) killTree(pid, { spare: [top] });
  } else {
    killTree(top, { group: true });
  }
}

/** Wait for the wrapper (strace) to exit after its tracees died; then TERM, then KILL. */
export async function finishWrapper(go: GoRun, graceMs = 5000): Promise<void> {
  const top = go.child.pid;
  if (top === undefined) return;
  if (!(await waitFor(go, graceMs))) {
    signal(top, 'SIGTERM');
    if (!(await waitFor(go, 2000))) {
      signal(top, 'SIGKILL');
      await waitFor(go, 2000);
    }
  }
  // Anything that escaped into the process group (a daemonised child) goes now.
  signal(-top, 'SIGKILL');
}

function waitFor(go: GoRun, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    void go.exited.then(() => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

export interface TeardownResult {
  stopGo: StopGoResult | null;
  capture: CaptureStats | null;
}

/**
 * The whole sequence. `stopRequested` says whether gomod-trace stops go (else go already
 * exited on its own and only leftovers and the recorders are cleaned up).
 */
export async function teardown(parts: { go: GoRun | null; capture: CaptureProcess | null }, opts: { stopRequested: boolean; quit: boolean; graceMs: number; hurry?: () => boolean; goPid?: number | null }): Promise<TeardownResult> {
  let stopped: StopGoResult | null = null;
  if (parts.go) {
    const orphan = opts.goPid !== undefined && opts.goPid !== null && opts.goPid !== parts.go.child.pid && isAlive(opts.goPid);
    if (opts.stopRequested && (parts.go.running || orphan)) stopped = await stopGo(parts.go, { quit: opts.quit, graceMs: opts.graceMs, hurry: opts.hurry, goPid: opts.goPid });
    else killGoTree(parts.go);
    await finishWrapper(parts.go);
    parts.go.releaseGuard();
  }
  const capture = parts.capture ? await parts.capture.stop() : null;
  return { stopGo: stopped, capture };
}

/** Synchronous last resort (process 'exit', fatal error): SIGKILL whatever is still running. */
export function ensureNothingLeft(parts: { go: GoRun | null; capture: CaptureProcess | null }): void {
  const top = parts.go?.child.pid;
  if (top !== undefined) {
    if (parts.go?.running) killTree(top, {});
    signal(-top, 'SIGKILL');
    parts.go?.releaseGuard();
  }
  parts.capture?.killNow();
}
