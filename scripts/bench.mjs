#!/usr/bin/env node
/**
 * `npm run bench`: wall time and peak RSS of gomod-trace's pipeline stages on a ~300 MB Ethernet
 * pcap shaped like module downloads, beside `tcpdump -r FILE -w /dev/null` on the same file, in
 * the same run. Each measurement runs in its own child process (peak RSS from
 * process.resourceUsage().maxRSS, or GNU time for tcpdump); the best of N runs is reported.
 *
 *   node scripts/bench.mjs [--file F] [--size MB] [--runs N] [--stages read,decode,conversations] [--v8-reference]
 *
 * Stages are entries in STAGES (scripts/bench-stages.mjs): add one and it becomes a row. Each is
 * measured in a fresh process running scripts/bench-child.mjs.
 * Optional comparison stages: pcap-parser (count packets), cap-decoders (our reader + cap's JS
 * decoders; needs CAP_MODULE=/path/to/node_modules/cap).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');

import { STAGES } from './bench-stages.mjs';

function arg(name, dflt) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
}

function timeChild(cmd, args, env = process.env) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 20, env });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return { wall, r };
}

function measureStage(stage, file, env) {
  const { wall, r } = timeChild(process.execPath, [join(ROOT, 'scripts', 'bench-child.mjs'), stage, file], env);
  const j = JSON.parse(r.stdout);
  return { wall, inner: j.ms / 1000, packets: j.packets, rssMb: j.maxRssKb / 1024 };
}

function measureTcpdump(file) {
  const haveTime = existsSync('/usr/bin/time');
  const { wall, r } = haveTime
    ? timeChild('/usr/bin/time', ['-f', 'MAXRSS %M', 'tcpdump', '-r', file, '-w', '/dev/null'])
    : timeChild('tcpdump', ['-r', file, '-w', '/dev/null']);
  const m = /MAXRSS (\d+)/.exec(r.stderr);
  return { wall, inner: wall, packets: null, rssMb: m ? Number(m[1]) / 1024 : NaN };
}

function best(n, f) {
  let b = null;
  for (let i = 0; i < n; i++) {
    const x = f();
    if (!b || x.wall < b.wall) b = { ...x, rssMb: Math.max(x.rssMb, b?.rssMb ?? 0) };
  }
  return b;
}

// ---- parent mode.
const runs = Number(arg('runs', '3'));
const sizeMb = Number(arg('size', '300'));
const stages = arg('stages', 'read,decode,conversations').split(',').filter(Boolean);
/** Also measure `conversations` with V8's default tiering (--v8-reference). */
const v8Reference = process.argv.includes('--v8-reference');
/** The targets of the issues that set them: decoding (issue 2) and the full reconstruction (issue 3). */
const TARGETS = { decode: { ratio: 1.5, rssMb: 100 }, conversations: { ratio: 2, rssMb: 150 } };
let file = arg('file', null);
if (!file) {
  const dir = join(ROOT, 'bench', 'data');
  mkdirSync(dir, { recursive: true });
  // The generator is imported here, not at the top: a measured child process should not load it.
  const { generate, GENERATOR_VERSION } = await import('./gen-bench-capture.mjs');
  file = join(dir, `modules-${sizeMb}mb-v${GENERATOR_VERSION}.pcap`);
  if (!existsSync(file)) {
    process.stdout.write(`generating ${file} …\n`);
    generate(file, sizeMb);
  }
}
if (!existsSync(join(DIST, 'bundle', 'index.js'))) {
  console.error('bench: dist/ is missing; run `npm run build` first (npm run bench does)');
  process.exit(2);
}
const size = statSync(file).size;
console.log(`file: ${file} (${(size / 1048576).toFixed(1)} MiB), best of ${runs} runs, node ${process.version}`);

const tcpdump = spawnSync('tcpdump', ['--version']).status === 0 ? best(runs, () => measureTcpdump(file)) : null;
const rows = [];
if (tcpdump) rows.push(['tcpdump -r FILE -w /dev/null', '-', tcpdump.wall.toFixed(3), '1.00', tcpdump.rssMb.toFixed(1), '']);
let failed = false;
for (const s of stages) {
  const def = STAGES[s];
  if (!def) {
    console.error(`bench: unknown stage ${s} (known: ${Object.keys(STAGES).join(', ')})`);
    process.exit(2);
  }
  if (def.requires && !existsSync(join(DIST, def.requires))) {
    rows.push([s, 'skipped', `(${def.requires} not built yet)`, '', '', '']);
    continue;
  }
  if (s === 'pcap-parser' && !existsSync(join(ROOT, 'node_modules', 'pcap-parser'))) {
    rows.push([s, 'skipped', '(pcap-parser not installed)', '', '', '']);
    continue;
  }
  if (s === 'cap-decoders' && !process.env.CAP_MODULE) {
    rows.push([s, 'skipped', '(set CAP_MODULE)', '', '', '']);
    continue;
  }
  const m = best(runs, () => measureStage(s, file));
  const ratio = tcpdump ? m.wall / tcpdump.wall : NaN;
  let verdict = '';
  const target = TARGETS[s];
  if (target) {
    const ok = (!tcpdump || ratio <= target.ratio) && m.rssMb <= target.rssMb;
    verdict = `${ok ? 'meets' : 'MISSES'} targets (≤${target.ratio}× tcpdump, ≤${target.rssMb} MB)`;
    if (!ok) failed = true;
  }
  rows.push([s, String(m.packets), `${m.wall.toFixed(3)} (in-process ${m.inner.toFixed(3)})`, tcpdump ? ratio.toFixed(2) : '-', m.rssMb.toFixed(1), verdict]);
  if (s === 'conversations' && v8Reference) {
    // The same stage with V8's default tiering (no src/cli/v8-tuning.ts), for the record.
    const d = best(runs, () => measureStage(s, file, { ...process.env, GOMOD_TRACE_V8_DEFAULTS: '1' }));
    rows.push([`${s} (V8 defaults)`, String(d.packets), `${d.wall.toFixed(3)} (in-process ${d.inner.toFixed(3)})`, tcpdump ? (d.wall / tcpdump.wall).toFixed(2) : '-', d.rssMb.toFixed(1), '']);
  }
}

const head = ['stage', 'packets', 'wall s', '× tcpdump', 'peak RSS MB', ''];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (r) => r.map((c, i) => String(c).padEnd(widths[i])).join('  ').trimEnd();
console.log(line(head));
for (const r of rows) console.log(line(r));
process.exitCode = failed && process.env.BENCH_STRICT ? 1 : 0;
