#!/usr/bin/env node
/**
 * npm run fuzz [-- options]: coverage-guided fuzzing of gomod-trace's parsers (built dist/), one
 * target after another, each for a set time. See docs/fuzzing.md.
 *
 *   --time S        seconds per target (default 20)
 *   --target NAME   only these targets (repeat or comma-separate); --list shows them
 *   --seed N        PRNG seed, for a repeatable run (default: from the clock, printed)
 *   --out DIR       where crashing inputs go (default test-output/fuzz-crashes)
 *   --hang-ms MS    one input running longer than this is a hang (default 2000)
 *   --mem-mb MB     heap limit of the fuzzing worker; running out is a crash (default 512)
 *   --no-guidance   mutate seeds only, without coverage feedback (to compare)
 *   --json FILE     also write the per-target figures as JSON
 *   --repro FILE    run one input (with --target) once and print what happens
 *   --target-module PATH  fuzz (or --repro) a target module of your own instead
 * Exit status: 0 no crash, 1 a crash was found, 2 bad usage.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runTarget } from './fuzz/supervisor.mjs';
import { TARGETS, targetUrl } from './fuzz/targets.mjs';
import { crashSignature } from './fuzz/engine.mjs';

function usage(msg) {
  process.stderr.write(`fuzz: ${msg}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const o = { time: 20, targets: [], seed: null, out: 'test-output/fuzz-crashes', hangMs: 2000, memMb: 512, guided: true, json: null, repro: null, list: false, module: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => { if (i + 1 >= argv.length) usage(`${a} needs a value`); return argv[++i]; };
    const num = (v) => { const n = Number(v); if (!Number.isFinite(n) || n < 0) usage(`${a}: "${v}" is not a number`); return n; };
    if (a === '--time') o.time = num(val());
    else if (a === '--target') o.targets.push(...val().split(',').filter(Boolean));
    else if (a === '--seed') o.seed = Math.floor(num(val()));
    else if (a === '--out') o.out = val();
    else if (a === '--hang-ms') o.hangMs = num(val());
    else if (a === '--mem-mb') o.memMb = num(val());
    else if (a === '--no-guidance') o.guided = false;
    else if (a === '--json') o.json = val();
    else if (a === '--repro') o.repro = val();
    else if (a === '--list') o.list = true;
    else if (a === '--target-module') o.module = val();
    else if (a === '--help' || a === '-h') { process.stdout.write(readFileSync(new URL(import.meta.url), 'utf8').split('\n').slice(2, 16).map((l) => l.replace(/^ \*? ?/, '')).join('\n') + '\n'); process.exit(0); }
    else usage(`unknown option ${a} (see --help)`);
  }
  for (const t of o.targets) if (!TARGETS.includes(t)) usage(`unknown target "${t}"; targets: ${TARGETS.join(', ')}`);
  if (o.module) {
    if (o.targets.length) usage('--target-module and --target do not mix');
    o.targets = [basename(o.module).replace(/\.m?js$/, '')];
    o.urls = { [o.targets[0]]: pathToFileURL(resolve(o.module)).href };
  }
  if (o.targets.length === 0) o.targets = [...TARGETS];
  return o;
}

async function repro(o) {
  if (o.targets.length !== 1) usage('--repro needs exactly one --target');
  const target = await import(urlOf(o, o.targets[0]));
  let input;
  try {
    input = new Uint8Array(readFileSync(o.repro));
  } catch (err) {
    usage(`${o.repro}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
  }
  try {
    await target.run(input);
    console.log(`${o.targets[0]}: ${o.repro}: no crash (${input.length} bytes)`);
    return 0;
  } catch (err) {
    if (target.expected?.(err)) {
      console.log(`${o.targets[0]}: ${o.repro}: expected error: ${err.message}`);
      return 0;
    }
    console.log(`${o.targets[0]}: ${o.repro}: CRASH ${crashSignature(err)}\n${err?.stack ?? err}`);
    return 1;
  }
}

function urlOf(o, name) {
  return o.urls?.[name] ?? targetUrl(name);
}

function saveCrash(outDir, target, c) {
  const dir = join(outDir, target);
  mkdirSync(dir, { recursive: true });
  const hash = createHash('sha1').update(c.signature).digest('hex').slice(0, 10);
  const base = join(dir, `${c.kind}-${hash}`);
  writeFileSync(`${base}.bin`, c.input);
  if (c.original && c.original.length !== c.input.length) writeFileSync(`${base}.orig.bin`, c.original);
  writeFileSync(`${base}.txt`, `target: ${target}\nkind: ${c.kind}\nsignature: ${c.signature}\nmessage: ${c.message}\n` +
    `input: ${c.input.length} bytes (minimised from ${c.original?.length ?? c.input.length})\n` +
    (c.atExec !== undefined ? `found after: ${c.atExec} inputs\n` : '') +
    `reproduce: node scripts/fuzz.mjs ${TARGETS.includes(target) ? `--target ${target}` : '--target-module <module>'} --repro ${relative(process.cwd(), `${base}.bin`)}\n\n${c.stack}\n`);
  return `${base}.bin`;
}

const o = parseArgs(process.argv.slice(2));
if (o.list) { console.log(TARGETS.join('\n')); process.exit(0); }
if (o.repro) process.exit(await repro(o));

const seed = o.seed ?? (Date.now() % 1_000_000);
const outDir = resolve(o.out);
console.log(`fuzz: ${o.targets.length} target(s), ${o.time} s each, seed ${seed}${o.guided ? '' : ', no coverage guidance'}; crashes go to ${relative(process.cwd(), outDir) || '.'}`);
const rows = [];
let anyCrash = false, anyError = false;
for (const name of o.targets) {
  process.stdout.write(`  ${name.padEnd(14)} `);
  const r = await runTarget({ targetUrl: urlOf(o, name), timeMs: o.time * 1000, seed, hangMs: o.hangMs, memMb: o.memMb, guided: o.guided });
  const files = r.crashes.map((c) => saveCrash(outDir, name, c));
  const row = { target: name, execs: r.execs, seconds: +r.seconds.toFixed(1), execsPerSec: Math.round(r.execs / Math.max(r.seconds, 0.001)), corpus: r.corpus, blocks: r.blocks, features: r.features, crashes: r.crashes.length, restarts: r.restarts, growth: r.growth, crashFiles: files.map((f) => relative(process.cwd(), f)), signatures: r.crashes.map((c) => c.signature), crashAt: r.crashes.map((c) => c.atExec ?? null), error: r.error };
  rows.push(row);
  console.log(`${String(row.execs).padStart(8)} inputs ${String(row.execsPerSec).padStart(6)}/s  corpus ${String(row.corpus).padStart(5)}  blocks ${String(row.blocks).padStart(5)}  features ${String(row.features).padStart(6)}  crashes ${row.crashes}`);
  for (let i = 0; i < files.length; i++) console.log(`      crash: ${row.signatures[i]} -> ${row.crashFiles[i]}`);
  if (r.error) { console.log(`      harness error: ${r.error.split('\n')[0]}`); anyError = true; }
  if (r.crashes.length) anyCrash = true;
}
if (o.json) writeFileSync(o.json, JSON.stringify({ seed, time: o.time, guided: o.guided, rows }, null, 2) + '\n');
const total = rows.reduce((n, r) => n + r.execs, 0);
console.log(`fuzz: ${total} inputs in all, ${rows.reduce((n, r) => n + r.crashes, 0)} distinct crash(es)`);
process.exit(anyCrash || anyError ? 1 : 0);
