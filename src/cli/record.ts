import type { Command } from 'commander';
import { UsageError } from './errors.js';

export function registerRecord(program: Command): void {
  program
    .command('record')
    .description('(not built yet)')
    .action(() => {
      throw new UsageError('record is not built yet');
    });
}
