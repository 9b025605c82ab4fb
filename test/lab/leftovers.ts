/** Test helper: processes that still refer to any of `dirs` (in their command line or environment). */
import { readdirSync, readFileSync } from 'node:fs';

export function processesReferring(dirs: string[]): string[] {
  if (dirs.length === 0) return [];
  const left: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    if (Number(pid) === process.pid) continue;
    let cmd = '';
    let env = '';
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      env = readFileSync(`/proc/${pid}/environ`, 'utf8');
    } catch {
      continue; // gone, or a kernel thread
    }
    if (dirs.some((d) => cmd.includes(d) || env.includes(d))) left.push(`${pid}: ${cmd.replace(/\0/g, ' ').trim()}`);
  }
  return left;
}
