/**
 * Runs one fuzz target in a worker thread for a time budget and watches it from the main thread:
 *  - a hang: the worker has been busy on one input longer than `hangMs` (the input is read from
 *    shared memory, the worker terminated and restarted with the corpus found so far);
 *  - memory: the worker ran out of its old-generation limit (`memMb`);
 *  - an input whose promise never settles (the worker's event loop drains while busy).
 * All three are crashes, like a thrown error the target does not document.
 */
import { Worker } from 'node:worker_threads';
import { MAX_INPUT, STATE_BYTES, sharedState } from './engine.mjs';
import { cleanUpOnExit } from './scratch.mjs';

const WORKER = new URL('./worker.mjs', import.meta.url);

/**
 * @param {object} o
 * @param {string} o.targetUrl  file: URL of the target module
 * @param {number} o.timeMs     total budget
 * @returns {Promise<{name:string, execs:number, corpus:number, features:number, blocks:number,
 *   crashes:Array<object>, restarts:number, seconds:number, growth:Array<[number,number]>, error?:string}>}
 */
export async function runTarget(o) {
  cleanUpOnExit();
  const hangMs = o.hangMs ?? 2000;
  const started = Date.now();
  const result = { execs: 0, corpus: 0, features: 0, blocks: 0, crashes: [], restarts: 0, seconds: 0, growth: [] };
  const found = [];
  const signatures = new Set();
  let round = 0;

  const addCrash = (c) => {
    if (signatures.has(c.signature)) return;
    signatures.add(c.signature);
    result.crashes.push(c);
    o.onCrash?.(c);
  };

  for (;;) {
    const left = o.timeMs - (Date.now() - started);
    if (round > 0 && (left < 200 || round > (o.maxRestarts ?? 20))) break;
    const sab = new SharedArrayBuffer(STATE_BYTES + MAX_INPUT);
    const st = sharedState(sab);
    const outcome = await new Promise((resolve) => {
      const w = new Worker(WORKER, {
        workerData: {
          targetUrl: o.targetUrl, seed: (o.seed ?? 1) + round * 7919, timeMs: Math.max(left, 100),
          maxExecs: o.maxExecs !== undefined ? o.maxExecs - result.execs : undefined,
          guided: o.guided, measure: o.measure, minimise: o.minimise, stopOnCrash: o.stopOnCrash, initialCorpus: found, sab,
        },
        resourceLimits: { maxOldGenerationSizeMb: o.memMb ?? 512 },
        stdout: true, stderr: true,
      });
      let lastSeq = -1, since = Date.now(), settled = false, progress = null;
      const snapshot = () => st.bytes.slice(0, Math.min(Atomics.load(st.ints, 2), st.bytes.length));
      // Inputs run in this round, from the shared counter: exact even when the worker had to be killed.
      const finish = (v) => { if (!settled) { settled = true; clearInterval(watch); resolve({ ...v, ran: Atomics.load(st.ints, 0) }); } };
      const watch = setInterval(() => {
        const seq = Atomics.load(st.ints, 0);
        if (seq !== lastSeq) { lastSeq = seq; since = Date.now(); return; }
        if (Atomics.load(st.ints, 1) === 1 && Date.now() - since > hangMs) {
          const input = snapshot();
          void w.terminate();
          finish({ progress, crash: { kind: 'hang', atExec: result.execs + seq, signature: `hang (> ${hangMs} ms on one input)`, message: `no result after ${hangMs} ms`, stack: '', input, original: input } });
        }
      }, 25);
      w.stdout.resume();
      w.stderr.resume();
      w.on('message', (m) => {
        if (m.type === 'corpus') found.push(m.input);
        else if (m.type === 'crash') addCrash({ ...m, atExec: result.execs + m.atExec });
        else if (m.type === 'progress') { progress = m; o.onProgress?.(m); }
        else if (m.type === 'done') finish({ progress, stats: m.stats });
      });
      w.on('error', (err) => {
        const busy = Atomics.load(st.ints, 1) === 1;
        const oom = err && err.code === 'ERR_WORKER_OUT_OF_MEMORY';
        const input = snapshot();
        finish({ progress, crash: busy || oom
          ? { kind: oom ? 'memory' : 'exception', signature: oom ? `out of memory (> ${o.memMb ?? 512} MB heap)` : `worker error: ${err?.name}`, message: String(err?.message ?? err), stack: String(err?.stack ?? ''), input, original: input }
          : null, error: busy || oom ? undefined : String(err?.stack ?? err) });
      });
      w.on('exit', (code) => {
        if (settled) return;
        const input = snapshot();
        const busy = Atomics.load(st.ints, 1) === 1;
        finish({ progress, crash: busy ? { kind: 'hang', signature: 'promise never settled (event loop drained)', message: `worker exited (${code}) while an input was running`, stack: '', input, original: input } : null, error: busy ? undefined : `worker exited with code ${code} before finishing` });
      });
    });
    const s = outcome.stats ?? outcome.progress;
    result.execs += outcome.stats ? outcome.stats.execs : outcome.ran;
    if (s) {
      result.features = Math.max(result.features, s.features);
      result.blocks = Math.max(result.blocks, s.blocks);
      result.corpus = Math.max(result.corpus, s.corpus);
      if (outcome.stats?.growth) {
        const base = Math.round((Date.now() - started) / 1000 - outcome.stats.seconds);
        for (const [t, f] of outcome.stats.growth) result.growth.push([t + base, f]);
      }
    }
    if (outcome.crash) addCrash(outcome.crash);
    if (outcome.error) { result.error = outcome.error; break; }
    if (outcome.stats) break;
    round++;
    result.restarts = round;
  }
  result.seconds = (Date.now() - started) / 1000;
  return result;
}
