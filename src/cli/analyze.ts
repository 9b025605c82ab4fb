import type { Command } from 'commander';
import { UsageError } from './errors.js';

export function registerAnalyze(program: Command): void {
  program
    .command('analyze')
    .argument('<capture>', 'capture file (pcap or pcapng), a record bundle folder, or - for stdin')
    .description('analyse a capture (and optionally strace and go logs) and name the stall')
    .action(() => {
      throw new UsageError('analyze is not built yet');
    });
}
