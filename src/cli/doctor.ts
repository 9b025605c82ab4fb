import type { Command } from 'commander';
import { UsageError } from './errors.js';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('(not built yet)')
    .action(() => {
      throw new UsageError('doctor is not built yet');
    });
}
