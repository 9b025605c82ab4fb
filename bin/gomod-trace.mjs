// The gomod-trace CLI's JavaScript entry, started by bin/gomod-trace (the launcher) for every
// subcommand but analyze and redact (bin/gomod-trace-batch.cjs). The CLI itself lives in src/cli,
// compiled to dist/cli and bundled into dist/bundle (scripts/bundle.mjs).

// The launcher hands NODE_EXTRA_CA_CERTS over under another name, so that node does not load the CA
// bundle it names at start-up (gomod-trace makes no TLS connections of its own). Put it back for the
// processes gomod-trace starts (go, git, tcpdump, strace): they see the environment unchanged.
const handed = process.env.GOMOD_TRACE_NODE_EXTRA_CA_CERTS;
if (handed !== undefined) {
  process.env.NODE_EXTRA_CA_CERTS = handed;
  delete process.env.GOMOD_TRACE_NODE_EXTRA_CA_CERTS;
}

import('../dist/bundle/main.js').then(async (m) => {
  await m.main(process.argv);
  m.endBatchProcess(process.argv);
}).catch((err) => {
  // Only reached when dist/ is missing or broken: the CLI handles its own errors.
  process.stderr.write(`gomod-trace: cannot start (${err && err.message}); run \`npm run build\` first\n`);
  process.exitCode = 1;
});
