/**
 * The fuzz loop, run inside a worker thread (see worker.mjs): pick a corpus entry, mutate it, run
 * the target, read V8 block coverage; an input that shows a feature never seen before joins the
 * corpus. A thrown error the target does not document as expected is a crash: it is minimised
 * (cheaply) and reported once per signature (error name + top stack frame).
 *
 * The input being run is mirrored into a SharedArrayBuffer with a busy flag and an exec counter, so
 * the supervisor on the main thread can spot a hang (busy too long) and save the input even after
 * it has to terminate this worker.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Coverage } from './coverage.mjs';
import { mutate } from './mutate.mjs';
import { Rng } from './rng.mjs';

/** Shared state layout: Int32 [0] exec counter, [1] busy flag, [2] input length; bytes from 16. */
export const STATE_BYTES = 16;
export const MAX_INPUT = 1024 * 1024;

export function sharedState(sab) {
  return { ints: new Int32Array(sab, 0, 4), bytes: new Uint8Array(sab, STATE_BYTES) };
}

/**
 * Where an error was thrown: "Name @ file:line:col" of the first stack frame, paths shortened;
 * for a target's invariant failures, plus the message with numbers blanked.
 */
export function crashSignature(err) {
  const name = err instanceof Error ? err.name : typeof err;
  const stack = err instanceof Error && typeof err.stack === 'string' ? err.stack : '';
  const frame = stack.split('\n').find((l) => /^\s+at /.test(l)) ?? '';
  const where = /\(?((?:file:\/\/)?[^\s()]+:\d+:\d+)\)?\s*$/.exec(frame)?.[1] ?? '?';
  const message = err instanceof Error ? err.message : '';
  // A target's invariant checks throw from a few lines: tell them apart by the message's shape.
  const shape = message.startsWith('invariant:') ? ` [${message.replace(/\d+/g, 'N').slice(0, 48)}]` : '';
  return `${name} @ ${where.replace(/^.*\/(dist|scripts|test|src)\//, '$1/')}${shape}`;
}

function toBytes(x) {
  if (x instanceof Uint8Array) return x;
  if (typeof x === 'string') return new TextEncoder().encode(x);
  throw new TypeError('seeds and dictionary entries must be Uint8Array or string');
}

/**
 * Run `target` for `timeMs` (or `maxExecs` inputs). `post(kind, payload)` reports progress,
 * corpus additions and crashes. Returns the final stats.
 */
export async function fuzzLoop(target, opts, post) {
  const rng = new Rng(opts.seed);
  const maxLen = Math.min(target.maxLen ?? 64 * 1024, MAX_INPUT);
  const dictionary = (target.dictionary ?? []).map(toBytes);
  // Unguided runs (--no-guidance) still measure coverage, for comparison, unless told not to.
  const guided = opts.guided !== false;
  const cov = guided || opts.measure !== false ? new Coverage(target.cover ?? ['/dist/']) : null;
  const state = opts.sab ? sharedState(opts.sab) : null;
  const seen = new Set();
  const blocks = new Set();
  const corpus = [];
  const crashes = new Map();
  const features = [];
  const stats = { execs: 0, corpus: 0, features: 0, blocks: 0, crashes: 0, crashInputs: 0, growth: [] };
  const started = performance.now();
  const deadline = started + opts.timeMs;
  const maxExecs = opts.maxExecs ?? Infinity;

  /** Run one input; returns the error if it is a crash, else null. */
  async function exec(input) {
    if (state) {
      state.bytes.set(input.subarray(0, Math.min(input.length, state.bytes.length)));
      Atomics.store(state.ints, 2, input.length);
      Atomics.add(state.ints, 0, 1);
      Atomics.store(state.ints, 1, 1);
    }
    let crash = null;
    try {
      const r = target.run(input);
      if (r && typeof r.then === 'function') await r;
    } catch (err) {
      if (!target.expected || !target.expected(err)) crash = err ?? new Error(`threw ${String(err)}`);
    }
    if (state) Atomics.store(state.ints, 1, 0);
    return crash;
  }

  /** Features of the last exec that are new; adds them to `seen`. */
  function newFeatures() {
    if (!cov) return 0;
    features.length = 0;
    cov.take(features);
    let fresh = 0;
    for (const f of features) {
      if (!seen.has(f)) {
        seen.add(f);
        fresh++;
        if (f % 16 !== 0) blocks.add(Math.floor(f / 16));
      }
    }
    return fresh;
  }

  async function minimise(input, sig) {
    let best = input;
    let tries = 0;
    for (let chunk = best.length >> 1; chunk >= 1 && tries < 400; chunk >>= 1) {
      for (let at = 0; at < best.length && tries < 400; ) {
        const cand = new Uint8Array(best.length - Math.min(chunk, best.length - at));
        cand.set(best.subarray(0, at));
        cand.set(best.subarray(at + chunk), at);
        tries++;
        const e = await exec(cand);
        if (e && crashSignature(e) === sig) best = cand;
        else at += chunk;
      }
    }
    cov?.reset();
    return best;
  }

  async function handleCrash(input, err) {
    stats.crashInputs++;
    const sig = crashSignature(err);
    if (crashes.has(sig)) { crashes.set(sig, crashes.get(sig) + 1); return; }
    crashes.set(sig, 1);
    stats.crashes = crashes.size;
    const small = opts.minimise === false ? input : await minimise(input, sig);
    const message = err instanceof Error ? err.message : String(err);
    const stack = err instanceof Error ? err.stack ?? '' : '';
    post('crash', { kind: 'exception', atExec: stats.execs, signature: sig, message: message.slice(0, 2000), stack: stack.slice(0, 4000), input: small, original: input });
  }

  function keep(input) {
    corpus.push(input);
    stats.corpus = corpus.length;
    post('corpus', { input });
  }

  cov?.reset();
  // Seeds first (and the corpus handed over after a restart): kept whether or not they add coverage.
  const initial = [...(opts.initialCorpus ?? []), ...(await target.seeds()).map(toBytes)];
  if (target.extraSeeds) for (const s of await target.extraSeeds()) initial.push(toBytes(s));
  for (const raw of initial) {
    const input = raw.length > maxLen ? raw.slice(0, maxLen) : raw;
    const err = await exec(input);
    stats.execs++;
    newFeatures();
    if (err) await handleCrash(input, err);
    else corpus.push(input);
  }
  if (corpus.length === 0) corpus.push(new Uint8Array(0));
  stats.corpus = corpus.length;
  stats.features = seen.size;
  stats.blocks = blocks.size;

  const ctx = { corpus, dictionary, maxLen };
  let lastReport = performance.now();
  for (;;) {
    const now = performance.now();
    if (now >= deadline || stats.execs >= maxExecs) break;
    if (now - lastReport >= 1000) {
      lastReport = now;
      stats.features = seen.size;
      stats.blocks = blocks.size;
      stats.growth.push([Math.round((now - started) / 1000), seen.size]);
      post('progress', { ...stats, growth: undefined });
    }
    // Newer entries are likelier parents: they sit at the frontier.
    const parent = rng.oneIn(2) ? corpus[corpus.length - 1 - rng.below(Math.min(corpus.length, 16))] : rng.pick(corpus);
    const input = mutate(rng, parent, ctx);
    const err = await exec(input);
    stats.execs++;
    const fresh = newFeatures();
    if (err) {
      await handleCrash(input, err);
      if (opts.stopOnCrash) break;
    } else if (guided && fresh > 0 && corpus.length < 20000) keep(input);
    if ((stats.execs & 255) === 0) await yieldToLoop();
  }
  stats.features = seen.size;
  stats.blocks = blocks.size;
  stats.seconds = (performance.now() - started) / 1000;
  stats.signatures = Object.fromEntries(crashes);
  cov?.close();
  return stats;
}
