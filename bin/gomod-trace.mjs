// The gomod-trace CLI's JavaScript entry, started by bin/gomod-trace (the launcher). The CLI itself
// lives in src/cli, compiled to dist/cli and bundled into dist/bundle (scripts/bundle.mjs).

// The launcher hands NODE_EXTRA_CA_CERTS over under another name, so that node does not load the CA
// bundle it names at start-up (gomod-trace makes no TLS connections of its own). Put it back for the
// processes gomod-trace starts (go, git, tcpdump, strace): they see the environment unchanged.
const handed = process.env.GOMOD_TRACE_NODE_EXTRA_CA_CERTS;
if (handed !== undefined) {
  process.env.NODE_EXTRA_CA_CERTS = handed;
  delete process.env.GOMOD_TRACE_NODE_EXTRA_CA_CERTS;
}

/**
 * `analyze` and `redact` run from the CLI's CommonJS bundle with V8's code cache (bin/code-cache.mjs):
 * for them start-up is a large part of the run. The others (record, lab and doctor run for seconds
 * and load execa, an ES module) and help run from the ES module bundle.
 */
async function run() {
  const sub = process.argv[2];
  if (sub === 'analyze' || sub === 'redact') {
    // The V8 flags first: they are part of what a code cache was made with.
    const { tuneV8ForBatch } = await import('../dist/bundle/v8-tuning.js');
    const tuned = tuneV8ForBatch();
    const { loadCommonJs } = await import('./code-cache.mjs');
    const cli = loadCommonJs(new URL('../dist/bundle/cli.cjs', import.meta.url), { flags: tuned ? 'tuned' : 'default' });
    await cli.exports.main(process.argv);
    cli.save();
    cli.exports.endBatchProcess(process.argv);
    return;
  }
  const m = await import('../dist/bundle/main.js');
  await m.main(process.argv);
  m.endBatchProcess(process.argv);
}

run().catch((err) => {
  // Only reached when dist/ is missing or broken: the CLI handles its own errors.
  process.stderr.write(`gomod-trace: cannot start (${err && err.message}); run \`npm run build\` first\n`);
  process.exitCode = 1;
});
