/**
 * V8 settings for a short batch run, applied once when the CLI starts (and by `npm run bench`, so
 * that it measures what users run).
 *
 * V8's tiering defaults suit a long-running server: a function is handed to the optimising compiler
 * (TurboFan) after a small "interrupt budget" of executed bytecode, and compiled on background
 * threads. Reading a capture is the opposite case: a few hundred milliseconds in which most code
 * (ClientHello parsing, JA3/JA4, DNS names, per-connection set-up) runs a few thousand times and is
 * never worth optimising. On the 300 MB bench capture the background compiles used about as much
 * CPU as the analysis itself, and on a 2-core machine they take it from the analysis. Raising the
 * budget to about 4.4× V8's default (67,584 bytes of bytecode) optimises only the code that
 * really is hot: the per-packet path. Measured in docs/performance.md (V8 tiering).
 *
 * `GOMOD_TRACE_V8_DEFAULTS=1` keeps V8's own settings (for comparison).
 */
import { createRequire } from 'node:module';

export const INTERRUPT_BUDGET = 300_000;

let applied = false;

/**
 * Apply the settings once per process; a no-op when GOMOD_TRACE_V8_DEFAULTS=1. Returns whether applied.
 * bin/gomod-trace passes the budget on node's command line: node:v8, which setting it at run time
 * needs, costs 3–6 ms to load (it brings node's stream modules with it), and is then not loaded.
 */
export function tuneV8ForBatch(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.GOMOD_TRACE_V8_DEFAULTS === '1') return false;
  if (!applied) {
    if (!process.execArgv.includes(`--interrupt-budget=${INTERRUPT_BUDGET}`)) {
      (createRequire(import.meta.url)('node:v8') as typeof import('node:v8')).setFlagsFromString(`--interrupt-budget=${INTERRUPT_BUDGET}`);
    }
    applied = true;
  }
  return true;
}
