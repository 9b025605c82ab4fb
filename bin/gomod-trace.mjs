// The gomod-trace CLI's JavaScript entry, started by bin/gomod-trace (the launcher) for every
// subcommand but analyze and redact (bin/gomod-trace-batch.cjs). The CLI itself lives in src/cli,
// compiled to dist/cli and bundled into dist/bundle (scripts/bundle.mjs).

import('../dist/bundle/main.js').then(async (m) => {
  await m.main(process.argv);
  m.endBatchProcess(process.argv);
}).catch((err) => {
  // Only reached when dist/ is missing or broken: the CLI handles its own errors.
  process.stderr.write(`gomod-trace: cannot start (${err && err.message}); run \`npm run build\` first\n`);
  process.exitCode = 1;
});
