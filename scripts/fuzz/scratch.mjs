/**
 * Scratch files for targets that must read from a path (the log loaders): one folder per fuzzing
 * process on tmpfs (/dev/shm when there is one), one subfolder per worker thread. The main thread
 * removes the folder on exit and on Ctrl-C / SIGTERM, so a terminated worker leaves nothing behind.
 */
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';

const base = (() => { try { return statSync('/dev/shm').isDirectory() ? '/dev/shm' : tmpdir(); } catch { return tmpdir(); } })();
export const SCRATCH = join(base, `gomod-trace-fuzz-${process.pid}`);

export function scratchDir(name) {
  const d = join(SCRATCH, name);
  mkdirSync(d, { recursive: true });
  return d;
}

let hooked = false;
/** Main thread only: remove the scratch folder when this process ends. */
export function cleanUpOnExit() {
  if (!isMainThread || hooked) return;
  hooked = true;
  const clean = () => rmSync(SCRATCH, { recursive: true, force: true });
  process.on('exit', clean);
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.once(sig, () => { clean(); process.kill(process.pid, sig); });
  }
}
