#!/usr/bin/env node
/**
 * Second half of `npm run build`: bundle what tsc wrote to dist/ into dist/bundle/, which is what
 * bin/gomod-trace runs. Why: Node's ESM loader resolves, reads and compiles each of dist/'s ~150
 * modules separately, which was most of the start-up of a short `gomod-trace analyze`; one bundle
 * per entry (with shared chunks, and each subcommand's code in its own chunk, loaded when argv names
 * it: src/cli/main.ts) starts in a fraction of that (docs/performance.md, start-up).
 *
 * Outputs: main.js (the CLI, with chunks) and index.js (the library API in src/index.ts, one file,
 * which `npm run bench` measures). npm packages stay external, resolved from node_modules as
 * before, except commander and cli-table3 in the CLI's bundle (below). The input is tsc's
 * JavaScript, not the TypeScript, so the bundle runs exactly the code the type checker saw.
 */
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
const OUT = join(DIST, 'bundle');

rmSync(OUT, { recursive: true, force: true });
/** Shared settings. Whitespace and syntax are minified (less to read and pre-parse at start-up); names are kept, for stack traces. */
const common = {
  absWorkingDir: ROOT,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  logLevel: 'warning',
};
/**
 * commander requires node:child_process when it loads, for subcommands that are executables of
 * their own, which gomod-trace has none of; loading it costs every start about 2 ms. In the CLI's
 * bundles commander gets a stand-in that loads the module on the first call of its one function.
 */
const lazyChildProcessForCommander = {
  name: 'lazy-child-process-for-commander',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      args.importer.includes(`${join('node_modules', 'commander')}`) ? { path: 'child_process', namespace: 'lazy' } : undefined);
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, () => ({
      contents: "module.exports = { spawn: (...args) => require('node:child_process').spawn(...args) };",
      loader: 'js',
    }));
  },
};

// The CLI: shared chunks, and each subcommand in a chunk of its own (loaded when argv names it).
// commander and cli-table3, which every command or its text output loads, are bundled in: node
// loads a CommonJS package from ESM by reading, scanning (for its named exports) and compiling each
// of its files, 10–15 ms for commander's 125 KB at every start; inside the bundle V8 only pre-parses
// what is not called. execa (record and lab only) and dns-packet (lab only) stay external.
// (cli-table3 is imported by the library modules the CLI shares, so it is bundled either way.)
await build({
  ...common,
  packages: undefined,
  external: ['execa', 'dns-packet'],
  // Their `require('node:…')` calls need a require in ES module scope.
  banner: { js: "import { createRequire as __gomodTraceCreateRequire } from 'node:module'; const require = __gomodTraceCreateRequire(import.meta.url);" },
  entryPoints: { main: join(DIST, 'cli', 'main.js') },
  plugins: [lazyChildProcessForCommander],
  outdir: OUT,
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
});
// The library: one file, nothing else to resolve.
await build({ ...common, entryPoints: { index: join(DIST, 'index.js') }, outdir: OUT });

// The same two as CommonJS scripts, for V8's code cache (bin/code-cache.cjs): node 20 can hand V8
// a code cache only for a script compiled through node:vm, not for an ES module. `analyze` and
// `redact` run from cli.cjs (bin/gomod-trace-batch.cjs), and `npm run bench` measures index.cjs
// loaded the same way. cli.cjs is the command line with those two subcommands only (src/cli/batch.ts), in
// one file (no chunks in CommonJS output). import.meta.url (the version lookup, node:crypto for
// the HTML report) comes from the script's file name.
const script = {
  ...common,
  format: 'cjs',
  outExtension: { '.js': '.cjs' },
  define: { 'import.meta.url': '__gomodTraceModuleUrl' },
  banner: { js: "const __gomodTraceModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  outdir: OUT,
};
await build({
  ...script, packages: undefined, external: ['execa', 'dns-packet'], plugins: [lazyChildProcessForCommander],
  entryPoints: { cli: join(DIST, 'cli', 'batch.js') },
});
await build({ ...script, entryPoints: { index: join(DIST, 'index.js') } });
