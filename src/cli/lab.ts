import type { Command } from 'commander';
import { UsageError } from './errors.js';

export function registerLab(program: Command): void {
  program
    .command('lab')
    .description('(not built yet)')
    .action(() => {
      throw new UsageError('lab is not built yet');
    });
}
