#!/usr/bin/env node
/**
 * One measured run for scripts/bench.mjs: `node scripts/bench-child.mjs STAGE FILE` runs the stage
 * once and prints {packets, ms, maxRssKb} as JSON. It loads only the stage and the library bundle,
 * as a `gomod-trace` process would; the parent times the whole process.
 */
import { API, STAGES } from './bench-stages.mjs';

const [, , stage, file] = process.argv;
// As the CLI does on start (src/cli/v8-tuning.ts); GOMOD_TRACE_V8_DEFAULTS=1 leaves V8 as it is.
const { tuneV8ForBatch } = await import(API);
tuneV8ForBatch();
const t0 = process.hrtime.bigint();
const packets = await STAGES[stage].run(file);
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
process.stdout.write(JSON.stringify({ packets, ms, maxRssKb: process.resourceUsage().maxRSS }));
process.exit(0);
