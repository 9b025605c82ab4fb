/**
 * `gomod-trace lab list` and `gomod-trace lab SCENARIO [--timeout S] [-- record options]`: start a
 * lab scenario on loopback and run real `go mod download` under it. For now go runs directly with
 * -x and its output is printed as it comes; `record` plugs in its own runner through
 * setLabRunnerFactory() so that the run is captured and analysed.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { EXIT_STOPPED, UsageError, isUserFacing } from './errors.js';
import { SCENARIOS, findScenario, type Scenario } from '../lab/scenarios.js';
import { directRunner, runScenario, type Runner } from '../lab/runner.js';
import { recordRunner, type RecordRun } from '../lab/record-runner.js';
import { canIsolate } from '../lab/isolate.js';
import { recordSamples } from '../lab/samples.js';
import type { RecordOptions } from '../record/index.js';
import { parseLang } from './report-options.js';

/** Makes the runner for `lab SCENARIO -- RECORD-ARGS…`; set by the record command when it exists. */
export type LabRunnerFactory = (recordArgs: string[]) => Runner;
let runnerFactory: LabRunnerFactory | null = null;

export function setLabRunnerFactory(f: LabRunnerFactory | null): void {
  runnerFactory = f;
}

function onPath(tool: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((d) => {
    if (!d) return false;
    try {
      accessSync(join(d, tool), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export function describeVerdict(v: { stage: string; state: string; host?: string | null; address?: string | null; path?: string | null }): string {
  const parts = [`stage ${v.stage}`, `state ${v.state}`];
  if (v.host) parts.push(`host ${v.host}`);
  if (v.address) parts.push(`address ${v.address}`);
  if (v.path) parts.push(`path ${v.path}`);
  return parts.join(', ');
}

export function renderScenarioList(scenarios: readonly Scenario[] = SCENARIOS): string {
  const nameW = Math.max(...scenarios.map((s) => s.name.length), 'SCENARIO'.length);
  const verdicts = scenarios.map((s) => `${s.expect.stage} / ${s.expect.state}${s.expect.target !== 'none' ? ` (${s.expect.target})` : ''}`);
  const verdictW = Math.max(...verdicts.map((v) => v.length), 'EXPECTED VERDICT'.length);
  const lines = [`${'SCENARIO'.padEnd(nameW)}  ${'EXPECTED VERDICT'.padEnd(verdictW)}  WHAT IT DOES`];
  scenarios.forEach((s, i) => lines.push(`${s.name.padEnd(nameW)}  ${verdicts[i].padEnd(verdictW)}  ${s.description}`));
  return lines.join('\n') + '\n';
}

export interface LabRunOptions {
  timeout: string;
  /** Run go through `record` (implied by record options after --). */
  record?: boolean;
}

/**
 * The record options the lab passes on (after --): the ones that make sense for a lab run. The
 * lab decides the command, environment, interface, filter and timeout itself. --lang is read as
 * record reads it: zh, zh_CN … accepted, the default from LC_ALL / LC_MESSAGES / LANG in `env`.
 */
export function parseLabRecordArgs(args: string[], env: NodeJS.ProcessEnv = process.env): RecordOptions {
  const cmd = new Command('lab -- (record options)')
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, writeOut: () => undefined })
    .allowExcessArguments(false)
    .option('-o, --out <dir>', 'bundle folder')
    .option('--strace', 'also run go under strace')
    .option('--no-strace', 'no strace even where the scenario wants it')
    .option('--snaplen <bytes>', 'bytes kept per packet')
    .option('-s, --stall-after <s>', 'stop go after S seconds without progress')
    .option('--quit-grace <s>', 'seconds go gets for its goroutine dump')
    .option('--no-analyze', 'only record')
    .option('--lang <lang>', 'en or zh-CN');
  try {
    cmd.parse(args, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) throw new UsageError(`record options after --: ${err.message.replace(/^error: /, '')}`);
    throw err;
  }
  const o = cmd.opts<{ out?: string; strace?: boolean; snaplen?: string; stallAfter?: string; quitGrace?: string; analyze?: boolean; lang?: string }>();
  const num = (flag: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new UsageError(`record options after --: ${flag} ${JSON.stringify(v)} is not a number of seconds/bytes`);
    return n;
  };
  const out: RecordOptions = {};
  try {
    out.lang = parseLang(o.lang, env);
  } catch (err) {
    throw new UsageError(`record options after --: ${(err as Error).message}`);
  }
  if (o.out !== undefined) out.out = resolve(o.out);
  // commander sets strace only when one of the two flags is given
  if (args.includes('--strace') || args.includes('--no-strace')) out.strace = o.strace;
  const snaplen = num('--snaplen', o.snaplen);
  if (snaplen !== undefined) out.snaplen = snaplen;
  const stall = num('--stall-after', o.stallAfter);
  if (stall !== undefined) out.stallAfter = stall;
  const grace = num('--quit-grace', o.quitGrace);
  if (grace !== undefined) out.quitGraceMs = grace * 1000;
  if (o.analyze === false) out.analyze = false;
  return out;
}

export async function runLab(name: string, recordArgs: string[], opts: LabRunOptions, io: {
  stdout?: NodeJS.WritableStream; stderr?: NodeJS.WritableStream; runner?: Runner;
  /** Aborting stops go as the timeout would (the CLI aborts on Ctrl-C / SIGTERM). */
  signal?: AbortSignal;
} = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const scenario = findScenario(name);
  if (!scenario) {
    throw new UsageError(`unknown lab scenario ${JSON.stringify(name)}; \`gomod-trace lab list\` shows them: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  }
  const timeout = Number(opts.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0 || timeout > 24 * 3600) {
    throw new UsageError(`--timeout ${JSON.stringify(opts.timeout)}: expected seconds, a number above 0`);
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new UsageError('the lab needs root: it binds port 53 on loopback and gives go its own resolv.conf with unshare -m (run with sudo)');
  }
  const iso = await canIsolate();
  if (!iso.ok) throw new UsageError(`the lab cannot give go its own resolv.conf: ${iso.reason}`);
  for (const [tool, pkg] of [['go', 'golang-go'], ['openssl', 'openssl'], ['flock', 'util-linux'], ...(scenario.tools ?? []).map((t) => [t, t])]) {
    if (!onPath(tool)) throw new UsageError(`the lab needs ${tool}, which is not on PATH (apt-get install ${pkg})`);
  }
  const unavailable = await scenario.unavailable?.();
  if (unavailable) throw new UsageError(`scenario ${name} cannot run here: ${unavailable}`);
  let runner = io.runner ?? directRunner;
  let how = 'go runs directly with -x (not recorded)';
  let recorded = false;
  if (!io.runner && (opts.record || recordArgs.length > 0 || runnerFactory)) {
    if (runnerFactory) {
      runner = runnerFactory(recordArgs);
    } else {
      const ro = parseLabRecordArgs(recordArgs);
      // The world's folder goes at the end of the run: the bundle is kept in the current folder.
      ro.out ??= resolve(`gomod-trace-lab-${scenario.name}-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}`);
      runner = recordRunner({ ...ro, stdout, stderr });
      recorded = true;
    }
    how = `recorded through gomod-trace record ${recordArgs.join(' ')}`.trimEnd();
  }

  const note = (s: string) => stderr.write(`lab: ${s}\n`);
  note(`${scenario.name}: ${scenario.description}`);
  const run = await runScenario(scenario.name, {
    runner,
    timeoutMs: timeout * 1000,
    signal: io.signal,
    // record echoes go's output itself
    onLine: recorded ? undefined : (l) => (l.stream === 'O' ? stdout : stderr).write(`${l.text}\n`),
    onPrepared: (p) => {
      for (const n of p.notes) note(n);
      note(`running: ${p.command.join(' ')} (${how}); GOPROXY=${p.env.GOPROXY ?? ''}${p.env.HTTPS_PROXY ? ` HTTPS_PROXY=${p.env.HTTPS_PROXY}` : ''}`);
      note(`capture filter for this run: ${p.captureFilter}`);
      note(`work folder (GOPATH, cache, CA; removed at the end): ${p.world.dir}`);
    },
  }).catch((err: unknown) => {
    // The machine's problems (a tool, a port, a permission) are the user's to fix; anything else is our bug.
    const sys = typeof (err as NodeJS.ErrnoException)?.code === 'string';
    if (isUserFacing(err) || sys) throw new UsageError(`lab scenario ${name}: ${(err as Error).message}`, { cause: err });
    throw err;
  });
  const p = run.scenario;
  const r = run.result;
  const secs = (r.durationMs / 1000).toFixed(1);
  if (r.timedOut && io.signal?.aborted) note(`go was stopped after ${secs} s (interrupted).`);
  else if (r.timedOut) note(`go was stopped after ${secs} s (--timeout ${opts.timeout}); it would have kept waiting.`);
  else note(`go finished in ${secs} s with exit status ${r.exitCode ?? r.signal}.`);
  note(`expected verdict: ${describeVerdict(p.expected)}`);
  const report = (r as Partial<RecordRun>).report;
  if (report) {
    const v = report.verdict;
    const e = p.expected;
    const same = v.stage === e.stage && v.state === e.state && (e.host === undefined || v.host === e.host) &&
      (e.address === undefined || v.address === e.address) && (e.path === undefined || v.path === e.path);
    note(`verdict:          ${describeVerdict(v)}${same ? '' : '  (differs from the expected verdict)'}`);
    note(`bundle: ${(r as RecordRun).bundleDir}`);
  }
  return r.timedOut ? EXIT_STOPPED : (r.exitCode ?? 1);
}

/**
 * `lab samples DIR [SCENARIO…]`: record each scenario (default: all) into DIR/<scenario>/ through
 * record, and say for each whether the verdict is the expected one. Returns 0 when all are.
 */
export async function runLabSamples(args: string[], io: { stderr?: NodeJS.WritableStream } = {}): Promise<number> {
  const stderr = io.stderr ?? process.stderr;
  const [dir, ...names] = args;
  if (!dir) throw new UsageError('lab samples needs a folder: gomod-trace lab samples DIR [SCENARIO…]');
  for (const n of names) {
    if (!findScenario(n)) throw new UsageError(`unknown lab scenario ${JSON.stringify(n)}; \`gomod-trace lab list\` shows them`);
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) throw new UsageError('the lab needs root (port 53, unshare -m, tcpdump): run with sudo');
  const iso = await canIsolate();
  if (!iso.ok) throw new UsageError(`the lab cannot give go its own resolv.conf: ${iso.reason}`);
  const results = await recordSamples(resolve(dir), names.length ? names : undefined, (l) => stderr.write(`lab: ${l}\n`));
  const off = results.filter((r) => !r.matches && !r.skipped);
  stderr.write(`lab: ${results.length - off.length} of ${results.length} bundles in ${resolve(dir)} have the expected verdict${off.length ? `; not: ${off.map((r) => r.name).join(', ')}` : ''}\n`);
  return off.length ? 1 : 0;
}

export function registerLab(program: Command): void {
  const lab = program
    .command('lab')
    .description('run go mod download against loopback fault servers: each scenario reproduces one kind of stall')
    .argument('<scenario>', 'scenario name; "list" shows them all; "samples DIR [SCENARIO…]" records sample bundles')
    .argument('[record-args...]', 'after --: options for record (--out DIR, --strace, --stall-after S, …)')
    .option('--timeout <seconds>', 'stop go after this many seconds', '15')
    .option('--record', 'run go through `gomod-trace record` (capture, bundle, verdict); implied by record options after --')
    .action(async (scenario: string, recordArgs: string[], opts: LabRunOptions) => {
      if (scenario === 'list') {
        process.stdout.write(renderScenarioList());
        return;
      }
      if (scenario === 'samples') {
        process.exitCode = await runLabSamples(recordArgs);
        return;
      }
      // go runs in its own process group, so Ctrl-C reaches only us: stop go and tear the lab down.
      const ac = new AbortController();
      const stop = () => ac.abort();
      const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
      for (const sig of signals) process.on(sig, stop);
      try {
        process.exitCode = await runLab(scenario, recordArgs, opts, { signal: ac.signal });
      } finally {
        for (const sig of signals) process.off(sig, stop);
      }
    });
  lab.addHelpText('after', `\nScenarios: ${SCENARIOS.map((s) => s.name).join(', ')}\n` +
    'Examples: gomod-trace lab dns-silent --timeout 8\n          gomod-trace lab tls-no-serverhello --timeout 6 -- --strace --out ./tls-bundle\n' +
    '          gomod-trace lab samples ./samples healthy tls-no-serverhello');
}
