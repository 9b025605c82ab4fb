/**
 * The `gomod-trace` command line over a list of subcommands: commander wiring only. The lists are
 * main.ts (every subcommand: the CLI) and batch.ts (analyze and redact: the CommonJS bundle that
 * bin/gomod-trace-batch.cjs runs those two from, with V8's code cache). Each subcommand lives in
 * its own file (analyze.ts, record.ts, doctor.ts, lab.ts, redact.ts) and throws UsageError for the
 * user's mistakes.
 *
 * A subcommand's module (and what it imports: the lab's servers, the recorder, …) is loaded only
 * when argv names that subcommand; `--help`, no subcommand or an unknown one loads them all. So
 * `gomod-trace analyze` starts without loading `lab` or `record` (docs/performance.md, start-up).
 */
import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.js';
import { EXIT_USAGE, reportError, watchStdio } from './errors.js';
import { tuneV8ForBatch } from './v8-tuning.js';

export type Register = (program: Command) => void;

/** Subcommands in the order `--help` lists them, each with the loader of its registration. */
export type Subcommands = ReadonlyArray<readonly [string, () => Promise<Register>]>;

/**
 * The subcommands to register for this argv: the one it names, none for a bare `--version`, and
 * all of them (null) otherwise: help and errors list every subcommand.
 */
export function subcommandsFor(argv: readonly string[], all: Subcommands): string[] | null {
  const first = argv[2];
  if (all.some(([name]) => name === first)) return [first];
  if (argv.length === 3 && (first === '-V' || first === '--version')) return [];
  return null;
}

/** The program with the subcommands `only` registered, or all of them when `only` is null. */
export async function buildProgram(all: Subcommands, only: readonly string[] | null = null): Promise<Command> {
  const program = new Command();
  program
    .name('gomod-trace')
    .description('Find out why `go mod download` hangs: DNS, connect, TLS, proxy, GOPROXY, body, or a module-cache lock.')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const wanted = all.filter(([name]) => only === null || only.includes(name));
  const registers = await Promise.all(wanted.map(([, load]) => load()));
  for (const register of registers) register(program);
  return program;
}

/**
 * bin/gomod-trace hands NODE_EXTRA_CA_CERTS over under another name, so that node does not load the
 * CA bundle it names at start-up (gomod-trace makes no TLS connections of its own). Put it back for
 * the processes gomod-trace starts (go, git, tcpdump, strace): they see the environment unchanged.
 */
function restoreHandedEnvironment(env: NodeJS.ProcessEnv = process.env): void {
  const handed = env.GOMOD_TRACE_NODE_EXTRA_CA_CERTS;
  if (handed === undefined) return;
  env.NODE_EXTRA_CA_CERTS = handed;
  delete env.GOMOD_TRACE_NODE_EXTRA_CA_CERTS;
}

export async function runProgram(argv: string[], all: Subcommands): Promise<void> {
  restoreHandedEnvironment();
  watchStdio();
  tuneV8ForBatch();
  try {
    const program = await buildProgram(all, subcommandsFor(argv, all));
    await program.parseAsync(argv);
    if (process.exitCode === undefined) process.exitCode = 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage errors were already printed by commander.
      process.exitCode = err.exitCode === 0 ? 0 : EXIT_USAGE;
      return;
    }
    process.exitCode = reportError(err);
  }
}

/**
 * Subcommands whose work is all done when `main` returns. Letting node end such a process on its
 * own tears the whole heap down first: about 30 ms after analysing a 300 MB capture (10 ms of it
 * beyond process.exit), more for larger ones.
 */
const BATCH = new Set(['analyze', 'redact']);

/**
 * Called by the entry scripts after `main`: for a batch subcommand, end the process as soon as
 * stdout and stderr have flushed, with the exit status `main` set (2 instead of 0 when stdout could
 * not be written: watchStdio in errors.ts). Other subcommands (record, lab) end on their own, after
 * their child processes and servers have.
 */
export function endBatchProcess(argv: readonly string[], all: Subcommands): void {
  const only = subcommandsFor(argv, all);
  if (only === null || only.length !== 1 || !BATCH.has(only[0])) return;
  const code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  // An empty write calls back once what was queued before it has gone out; only where something
  // is queued (/dev/full fails even an empty write).
  const queued = [process.stdout, process.stderr].filter((s) => s.writableLength > 0);
  let pending = queued.length + 1;
  const flushed = (): void => {
    // A failed write says so in an 'error' event a tick or two after its callback: exit after it.
    if (--pending === 0) setImmediate(() => process.exit(code));
  };
  for (const s of queued) s.write('', flushed);
  flushed();
}
