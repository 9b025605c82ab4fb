#!/usr/bin/env node
/**
 * One measured run for scripts/bench.mjs: `node scripts/bench-child.mjs STAGE FILE` runs the stage
 * once and prints {packets, ms, maxRssKb} as JSON. It loads only the stage and the library bundle,
 * as a `gomod-trace` process would; the parent times the whole process.
 */
import { loadLibrary, STAGES } from './bench-stages.mjs';

const [, , stage, file] = process.argv;
// As the CLI does on start: V8's flags (GOMOD_TRACE_V8_DEFAULTS=1 leaves V8 as it is), then the
// bundle with the code cache.
const { api, save } = await loadLibrary();
const t0 = process.hrtime.bigint();
const packets = await STAGES[stage].run(file, api);
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
// The cache is written by the stage that compiles the most of the library, so that it holds what
// every stage calls; the others only read it.
if (stage === 'conversations') save();
process.stdout.write(JSON.stringify({ packets, ms, maxRssKb: process.resourceUsage().maxRSS }));
process.exit(0);
