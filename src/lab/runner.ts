/**
 * Running go under a prepared scenario. The runner is pluggable: the default one runs go directly
 * with -x and timestamps every line it prints (the go.log format `record` writes:
 * `<epoch seconds, 6 decimals> <O|E> <line>`); `record` passes its own runner to capture the run.
 * On timeout the default runner sends go SIGQUIT (so its goroutine dump lands in the output),
 * then kills the whole process group (go, git, askpass helpers).
 */
import { spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { findScenario, type PreparedScenario, type PrepareOptions } from './scenarios.js';
import { LabError } from './errors.js';

export interface RunResult {
  /** go's exit status when it finished by itself; null when stopped by a signal. */
  exitCode: number | null;
  signal: string | null;
  /** True when the runner stopped go at the timeout. */
  timedOut: boolean;
  durationMs: number;
  /** Every line go printed, in order, with the time it arrived. */
  lines: { t: number; stream: 'O' | 'E'; text: string }[];
  /** stdout and stderr together, in arrival order. */
  output: string;
}

export interface RunOptions {
  timeoutMs: number;
  /** Called for each line as it arrives. */
  onLine?: (line: { t: number; stream: 'O' | 'E'; text: string }) => void;
  /** Also write the timestamped lines to this file (go.log format). */
  logPath?: string;
  signal?: AbortSignal;
}

export type Runner = (scenario: PreparedScenario, opts: RunOptions) => Promise<RunResult>;

/** GOFLAGS with -x added (once). */
export function withTraceFlag(env: Record<string, string>): Record<string, string> {
  const flags = (env.GOFLAGS ?? '').split(/\s+/).filter(Boolean);
  if (!flags.includes('-x')) flags.push('-x');
  return { ...env, GOFLAGS: flags.join(' ') };
}

export const directRunner: Runner = (p, opts) => {
  const argv = [...p.wrap, ...p.command];
  const started = Date.now();
  const lines: RunResult['lines'] = [];
  let output = '';
  let log: WriteStream | null = null;
  if (opts.logPath) log = createWriteStream(opts.logPath);

  return new Promise<RunResult>((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), {
      cwd: p.cwd, env: withTraceFlag(p.env), stdio: ['ignore', 'pipe', 'pipe'], detached: true,
    });
    let timedOut = false;
    let killTimer: NodeJS.Timeout | null = null;
    const killGroup = (sig: NodeJS.Signals) => {
      try { process.kill(-child.pid!, sig); } catch { /* gone */ }
    };
    const stop = () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      timedOut = true;
      // SIGQUIT to go itself: it prints every goroutine's stack and exits.
      try { child.kill('SIGQUIT'); } catch { /* gone */ }
      killTimer = setTimeout(() => killGroup('SIGKILL'), 1500);
    };
    const timer = setTimeout(stop, opts.timeoutMs);
    const onAbort = () => stop();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) setImmediate(stop);

    const reader = (stream: 'O' | 'E') => {
      let rest = '';
      return (chunk: Buffer) => {
        const t = Date.now() / 1000;
        output += chunk.toString('utf8');
        const parts = (rest + chunk.toString('utf8')).split('\n');
        rest = parts.pop() ?? '';
        for (const text of parts) emit({ t, stream, text });
      };
      function emit(line: { t: number; stream: 'O' | 'E'; text: string }) {
        lines.push(line);
        log?.write(`${line.t.toFixed(6)} ${line.stream} ${line.text}\n`);
        opts.onLine?.(line);
      }
    };
    child.stdout!.on('data', reader('O'));
    child.stderr!.on('data', reader('E'));
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new LabError(`cannot run ${argv[0]}: ${err.message}`, { cause: err }));
    });
    // A child of go (git, an askpass helper) can keep go's output pipes open after go exits:
    // give it a moment, then end the group so that 'close' comes.
    child.once('exit', () => {
      const t = setTimeout(() => killGroup('SIGKILL'), 500);
      child.once('close', () => clearTimeout(t));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      // Whatever go left behind in its group (git, askpass) goes too.
      killGroup('SIGKILL');
      const done = () => resolve({ exitCode: code, signal, timedOut, durationMs: Date.now() - started, lines, output });
      if (log) log.end(done);
      else done();
    });
  });
};

export interface ScenarioRun {
  scenario: PreparedScenario;
  result: RunResult;
}

/**
 * Prepare the scenario, run it with `runner` (default: go directly), let `inspect` look at the
 * servers while they still exist, then clean everything up.
 */
export async function runScenario<T = void>(name: string, opts: {
  runner?: Runner;
  timeoutMs?: number;
  prepare?: PrepareOptions;
  onLine?: RunOptions['onLine'];
  logPath?: string;
  signal?: AbortSignal;
  /** Called once the servers are up, before go starts. */
  onPrepared?: (scenario: PreparedScenario) => void | Promise<void>;
  inspect?: (run: ScenarioRun) => T | Promise<T>;
} = {}): Promise<ScenarioRun & { inspected: T | undefined }> {
  const s = findScenario(name);
  if (!s) throw new LabError(`no such lab scenario: ${name}`);
  const why = await s.unavailable?.();
  if (why) throw new LabError(`scenario ${name} cannot run here: ${why}`);
  const prepared = await s.prepare(opts.prepare);
  try {
    await opts.onPrepared?.(prepared);
    const result = await (opts.runner ?? directRunner)(prepared, {
      timeoutMs: opts.timeoutMs ?? 20_000, onLine: opts.onLine, logPath: opts.logPath, signal: opts.signal,
    });
    const run = { scenario: prepared, result };
    const inspected = opts.inspect ? await opts.inspect(run) : undefined;
    return { ...run, inspected };
  } finally {
    await prepared.cleanup();
  }
}
