/**
 * Which of node's own modules `analyze` loads. Under the launcher's V8 flags node compiles every
 * module it loads after its start from source (its built-in code cache is made for default flags),
 * so each one costs a few milliseconds of every run (docs/performance.md, session 8). The analysis
 * path therefore keeps away from node:zlib (the code cache's checksum is a WebAssembly function),
 * node:fs/promises and read streams (src/io/files.ts), which bring node:stream, readline and the
 * file watchers with them. node:stream still comes when the report is written to stdout.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/gomod-trace', import.meta.url));
const sample = (name: string): string => fileURLToPath(new URL(`../../samples/${name}`, import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'gomod-trace-modules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Loaded before the entry (node's --require): at exit, writes the modules node loaded.
const preload = join(dir, 'record-modules.cjs');
writeFileSync(preload, `'use strict';
const { writeFileSync } = require('node:fs');
process.on('exit', () => writeFileSync(process.env.MODULES_OUT, process.moduleLoadList.join('\\n')));
`);

let runs = 0;
/** Run `gomod-trace ARGS` with stdout to a file; returns node's module list at exit. */
function modulesOf(args: string[]): string[] {
  const out = join(dir, `modules-${++runs}.txt`);
  const r = spawnSync(BIN, args, {
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: `--require ${preload}`, MODULES_OUT: out, GOMOD_TRACE_CACHE_DIR: join(dir, 'cache') },
  });
  expect(r.status, r.stderr).toBe(0);
  return readFileSync(out, 'utf8').split('\n');
}

const HEAVY = ['NativeModule zlib', 'NativeModule fs/promises', 'NativeModule internal/readline/interface', 'NativeModule internal/fs/streams'];

describe('analyze loads none of the heavy node modules it has no use for', () => {
  for (const name of ['goproxy-silent-https', 'cache-lock']) {
    it(`${name} (${name === 'cache-lock' ? 'capture, go log and strace log' : 'capture and go log'}), twice: without and with the code cache`, () => {
      for (let i = 0; i < 2; i++) {
        const loaded = modulesOf(['analyze', sample(name), '--format', 'json', '-o', join(dir, `report-${runs}.json`)]);
        // The run did load the library and read through node:fs (the list is real).
        expect(loaded).toContain('NativeModule vm');
        expect(loaded.filter((m) => HEAVY.includes(m))).toEqual([]);
      }
    });
  }
});
