#!/usr/bin/env node
/**
 * One measured run for scripts/bench.mjs: `node scripts/bench-child.cjs STAGE FILE` runs the stage
 * once and prints {packets, ms, maxRssKb, userUs, sysUs} as JSON (the CPU times
 * are the whole process's, its start included). It loads only the stage and the library bundle,
 * as a `gomod-trace` process would (a CommonJS entry, the bundle with the code cache); the parent
 * times the whole process.
 */
'use strict';
const { loadLibrary, STAGES } = require('./bench-stages.cjs');

const [, , stage, file] = process.argv;
const { api, save } = loadLibrary();
const t0 = process.hrtime.bigint();
STAGES[stage].run(file, api).then((packets) => {
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  // The cache is written by the stage that compiles the most of the library, so that it holds what
  // every stage calls; the others only read it.
  if (stage === 'conversations') save();
  // Straight to the descriptor: process.stdout would load node's stream modules (compiled from
  // source under the launcher's V8 flags, docs/performance.md, session 8) inside the measured wall.
  const use = process.resourceUsage();
  require('node:fs').writeSync(1, JSON.stringify({ packets, ms, maxRssKb: use.maxRSS, userUs: use.userCPUTime, sysUs: use.systemCPUTime }));
  process.exit(0);
});
