/**
 * What the strace and go-log targets share: the loaders read files, so each input is written to a
 * per-worker file on tmpfs (scratch.mjs); seeds come from the repository's own log
 * fixtures, cut into windows of lines.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { isUserFacing } from '../../../dist/cli/errors.js';
import { cleanUpOnExit, scratchDir } from '../scratch.mjs';

cleanUpOnExit(); // when loaded in the main thread (--repro); the supervisor does it for workers
export const inputPath = join(scratchDir(`thread-${threadId}`), 'input.log');

export function writeInput(b) {
  writeFileSync(inputPath, b);
  return inputPath;
}

/** The loaders' documented failures: the CLI's user-facing errors (one line, no stack). */
export function expected(err) {
  return isUserFacing(err) && !err.message.includes('\n');
}

const FIXTURES = new URL('../../../test/fixtures/', import.meta.url);

/** Windows of up to `lines` lines from each fixture file under test/fixtures/<sub>/ (recursively). */
export function fixtureSeeds(sub, lines, maxPerFile, match = /\.(log|txt|\d+)$/) {
  const out = [];
  const walk = (url) => {
    for (const e of readdirSync(url, { withFileTypes: true })) {
      const u = new URL(e.name + (e.isDirectory() ? '/' : ''), url);
      if (e.isDirectory()) { walk(u); continue; }
      if (!match.test(e.name)) continue;
      const all = readFileSync(u, 'utf8').split('\n');
      const step = Math.max(lines, Math.ceil(all.length / maxPerFile));
      for (let i = 0; i < all.length; i += step) out.push(new TextEncoder().encode(all.slice(i, i + lines).join('\n') + '\n'));
    }
  };
  try { walk(new URL(sub + '/', FIXTURES)); } catch { /* no fixtures: built-in seeds only */ }
  return out;
}
