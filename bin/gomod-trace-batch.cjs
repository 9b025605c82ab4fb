// The entry bin/gomod-trace starts for `analyze` and `redact`: the command line of those two
// (dist/bundle/cli.cjs, src/cli/batch.ts) loaded with V8's code cache (bin/code-cache.cjs). A
// CommonJS file, as node starts one about 5 ms sooner than an ES module. The other subcommands start
// from bin/gomod-trace.mjs.
'use strict';

let cli;
try {
  const { loadCommonJs } = require('./code-cache.cjs');
  cli = loadCommonJs(require('node:path').join(__dirname, '..', 'dist', 'bundle', 'cli.cjs'));
} catch (err) {
  // Only reached when dist/ is missing or broken: the CLI handles its own errors.
  process.stderr.write(`gomod-trace: cannot start (${err && err.message}); run \`npm run build\` first\n`);
  process.exitCode = 1;
}
if (cli) {
  cli.exports.main(process.argv).then(() => {
    // A cache holds what its run compiled, and a later run that finds it does not write it again:
    // only a run that did the work (not help, not a failure) writes one.
    const help = process.argv.some((a) => a === '-h' || a === '--help');
    if (process.exitCode === 0 && !help) cli.save();
    cli.exports.endBatchProcess(process.argv);
  });
}
