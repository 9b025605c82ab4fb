/**
 * The command line as dist/bundle/cli.cjs holds it: `analyze` and `redact` only, the subcommands
 * bin/gomod-trace-batch.cjs runs from that CommonJS bundle with V8's code cache
 * (bin/code-cache.cjs). The bundle then holds no code of the others (record, lab, doctor and execa
 * with them), which a run without a cache would have to pre-parse. Same wiring as main.ts
 * (program.ts).
 */
import { endBatchProcess as end, runProgram, type Subcommands } from './program.js';

const BATCH_SUBCOMMANDS: Subcommands = [
  ['analyze', async () => (await import('./analyze.js')).registerAnalyze],
  ['redact', async () => (await import('./redact.js')).registerRedact],
];

export function main(argv: string[]): Promise<void> {
  return runProgram(argv, BATCH_SUBCOMMANDS);
}

export function endBatchProcess(argv: readonly string[]): void {
  end(argv, BATCH_SUBCOMMANDS);
}
