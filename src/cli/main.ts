/**
 * The `gomod-trace` command line: commander wiring only. Each subcommand lives in its own file
 * (analyze.ts, record.ts, doctor.ts, lab.ts, redact.ts) and throws UsageError for the user's mistakes.
 */
import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.js';
import { EXIT_USAGE, reportError } from './errors.js';
import { registerAnalyze } from './analyze.js';
import { registerRecord } from './record.js';
import { registerDoctor } from './doctor.js';
import { registerLab } from './lab.js';
import { registerRedact } from './redact.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('gomod-trace')
    .description('Find out why `go mod download` hangs: DNS, connect, TLS, proxy, GOPROXY, body, or a module-cache lock.')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerAnalyze(program);
  registerRecord(program);
  registerDoctor(program);
  registerLab(program);
  registerRedact(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
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
