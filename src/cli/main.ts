/**
 * The `gomod-trace` command line with every subcommand (dist/bundle/main.js, started by
 * bin/gomod-trace.mjs for all but analyze and redact, which run from batch.ts through
 * bin/gomod-trace-batch.cjs). The wiring is in program.ts.
 */
import { buildProgram as build, endBatchProcess as end, runProgram, subcommandsFor as forArgv, type Subcommands } from './program.js';
import type { Command } from 'commander';

/** Every subcommand, in the order `--help` lists them, with the loader of its registration. */
const SUBCOMMANDS: Subcommands = [
  ['analyze', async () => (await import('./analyze.js')).registerAnalyze],
  ['record', async () => (await import('./record.js')).registerRecord],
  ['doctor', async () => (await import('./doctor.js')).registerDoctor],
  ['lab', async () => (await import('./lab.js')).registerLab],
  ['redact', async () => (await import('./redact.js')).registerRedact],
];

/** The subcommands to register for this argv (program.ts, subcommandsFor). */
export function subcommandsFor(argv: readonly string[]): string[] | null {
  return forArgv(argv, SUBCOMMANDS);
}

export function buildProgram(only: readonly string[] | null = null): Promise<Command> {
  return build(SUBCOMMANDS, only);
}

export function main(argv: string[]): Promise<void> {
  return runProgram(argv, SUBCOMMANDS);
}

export function endBatchProcess(argv: readonly string[]): void {
  end(argv, SUBCOMMANDS);
}
