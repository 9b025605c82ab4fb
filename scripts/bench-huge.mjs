#!/usr/bin/env node
/**
 * Huge inputs in bounded memory (issue 8): runs the real CLI (`bin/gomod-trace analyze …
 * --format json > file`) and prints the wall time and peak RSS of each run. The inputs:
 *  - captures of 300 MiB, 1 GiB and 2 GiB;
 *  - strace logs of 1 and 5 million lines;
 *  - the largest of both together;
 *  - the largest capture size again as 16 long downloads;
 *  - the largest log again without git children;
 *  - 60,000 short connections, over the 50,000-connection cap.
 * Memory follows the connections and processes, not the bytes or the lines.
 *
 * Inputs are generated once and cached in bench/data/ (gitignored; about 7 GB with all sizes):
 * scripts/gen-bench-capture.mjs and scripts/gen-bench-strace.mjs. Needs a build (`npm run
 * bench:huge` builds first). Peak RSS comes from GNU time (`/usr/bin/time -f %M`) when installed,
 * else from polling VmHWM in /proc/PID/status every 20 ms (may miss a last short peak).
 *
 *   node scripts/bench-huge.mjs [--only capture|strace|both] [--quick]
 *     --quick   300 MiB captures and 1M-line logs only (under a minute instead of several)
 * Exits 1 when a peak is over its target (TARGET_MIB, docs/performance.md).
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate, GENERATOR_VERSION } from './gen-bench-capture.mjs';
import { generateStrace, STRACE_GENERATOR_VERSION } from './gen-bench-strace.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const data = join(root, 'bench', 'data');
const bin = join(root, 'bin', 'gomod-trace');
const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;
const quick = args.includes('--quick');

/** The documented targets (docs/performance.md): peak RSS in MiB. */
const TARGET_MIB = { capture: 250, strace: 250, both: 300, 'cap-limit': 400 };

if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) {
  console.error('bench-huge: no build in dist/; run `npm run bench:huge` (it builds first)');
  process.exit(2);
}
mkdirSync(data, { recursive: true });

function capturePath(mb) {
  const file = join(data, `modules-${mb}mb-v${GENERATOR_VERSION}.pcap`);
  if (!existsSync(file)) {
    process.stderr.write(`generating ${file} …\n`);
    generate(file, mb);
  }
  return file;
}

function stracePath(lines, gitEvery = 8) {
  const file = join(data, `strace-${lines}l${gitEvery === 8 ? '' : `-git${gitEvery}`}-v${STRACE_GENERATOR_VERSION}.log`);
  if (!existsSync(file)) {
    process.stderr.write(`generating ${file} …\n`);
    generateStrace(file, lines, { gitEvery });
  }
  return file;
}

/**
 * The other shape of a big capture: the same bytes in a few long connections (16 downloads of
 * SIZE/16 each: handshake, 1448-byte segments, an ACK every second segment, FIN). Shows that
 * memory follows the number of connections, not the bytes.
 */
function bulkPath(mb) {
  return tcpCapture(join(data, `bulk-${mb}mb-v2.pcap`), 16, Math.floor((mb * 1048576) / 16 / 1532));
}

/** Many short connections (a handshake, a request, two segments, a close): shows the connection cap. */
function manyPath(conns) {
  return tcpCapture(join(data, `conns-${conns}-v1.pcap`), conns, 2);
}

function tcpCapture(file, conns, per) {
  if (existsSync(file)) return file;
  process.stderr.write(`generating ${file} …\n`);
  const fd = openSync(file, 'w');
  const buf = Buffer.alloc(4 << 20);
  let pos = 0;
  let written = 0;
  buf.writeUInt32LE(0xa1b2c3d4, 0); buf.writeUInt16LE(2, 4); buf.writeUInt16LE(4, 6);
  buf.writeUInt32LE(262144, 16); buf.writeUInt32LE(1, 20);
  pos = 24;
  let usec = 1_764_045_000_000_000;
  const frame = (conn, toServer, flags, seq, ack, len) => {
    const size = 54 + len;
    if (pos + 16 + size > buf.length) { writeSync(fd, buf, 0, pos); written += pos; pos = 0; }
    usec += 20;
    buf.writeUInt32LE(Math.floor(usec / 1e6), pos); buf.writeUInt32LE(usec % 1e6, pos + 4);
    buf.writeUInt32LE(size, pos + 8); buf.writeUInt32LE(size, pos + 12);
    const o = pos + 16;
    buf.fill(0, o, o + 54);
    buf[o + 5] = toServer ? 2 : 1; buf[o + 11] = toServer ? 1 : 2; buf.writeUInt16BE(0x0800, o + 12);
    buf[o + 14] = 0x45; buf.writeUInt16BE(40 + len, o + 16); buf.writeUInt16BE(0x4000, o + 20); buf[o + 22] = 64; buf[o + 23] = 6;
    const c = [10, 20, (conn >> 8) & 255, conn & 255], srv = [198, 51, 100, 20 + (conn % 16)];
    buf.set(toServer ? c : srv, o + 26); buf.set(toServer ? srv : c, o + 30);
    buf.writeUInt16BE(toServer ? 41000 + (conn % 16) : 443, o + 34); buf.writeUInt16BE(toServer ? 443 : 41000 + (conn % 16), o + 36);
    buf.writeUInt32BE(seq >>> 0, o + 38); buf.writeUInt32BE(ack >>> 0, o + 42);
    buf[o + 46] = 0x50; buf[o + 47] = flags; buf.writeUInt16BE(65535, o + 48);
    if (len) buf.fill(0x5a, o + 54, o + 54 + len);
    pos = o + size;
  };
  for (let conn = 0; conn < conns; conn++) {
    let cs = 1000 + conn, ss = 900000 + conn;
    frame(conn, true, 0x02, cs++, 0, 0);
    frame(conn, false, 0x12, ss++, cs, 0);
    frame(conn, true, 0x10, cs, ss, 0);
    frame(conn, true, 0x18, cs, ss, 200); cs += 200;
    for (let i = 0; i < per; i++) {
      frame(conn, false, 0x10, ss, cs, 1448); ss += 1448;
      if (i % 2 === 1) frame(conn, true, 0x10, cs, ss, 0);
    }
    frame(conn, true, 0x11, cs++, ss, 0);
    frame(conn, false, 0x11, ss++, cs, 0);
    frame(conn, true, 0x10, cs, ss, 0);
  }
  writeSync(fd, buf, 0, pos);
  closeSync(fd);
  return file;
}

const haveGnuTime = existsSync('/usr/bin/time');

/** Run `bin/gomod-trace analyze ARGS --format json > OUT`; wall seconds and peak RSS in KiB. */
function measure(cliArgs, out) {
  const node = [bin, 'analyze', ...cliArgs, '--format', 'json'];
  const timeFile = join(tmpdir(), `bench-huge-${process.pid}.time`);
  const cmd = haveGnuTime ? ['/usr/bin/time', '-f', '%e %M', '-o', timeFile, ...node] : node;
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const fd = openSync(out, 'w');
    const child = spawn(cmd[0], cmd.slice(1), { stdio: ['ignore', fd, 'pipe'] });
    closeSync(fd);
    let stderr = '';
    child.stderr.on('data', (b) => { stderr += b; });
    let polled = 0;
    const poll = haveGnuTime ? null : setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) polled = Math.max(polled, Number(m[1]));
      } catch { /* exited */ }
    }, 20);
    child.on('error', reject);
    child.on('exit', (code) => {
      if (poll) clearInterval(poll);
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      if (code !== 0) { reject(new Error(`analyze ${cliArgs.join(' ')} exited ${code}: ${stderr.trim()}`)); return; }
      let peakKiB = polled;
      if (haveGnuTime) {
        const [, kib] = readFileSync(timeFile, 'utf8').trim().split(/\s+/).slice(-2);
        peakKiB = Number(kib);
        rmSync(timeFile, { force: true });
      }
      resolve({ wall, peakKiB });
    });
  });
}

const cases = [];
const caps = quick ? [300] : [300, 1024, 2048];
const logs = quick ? [1_000_000] : [1_000_000, 5_000_000];
if (!only || only === 'capture') for (const mb of caps) cases.push({ kind: 'capture', label: `capture ${mb >= 1024 ? `${mb / 1024} GiB` : `${mb} MiB`}`, files: () => ({ capture: capturePath(mb) }) });
if (!only || only === 'capture') {
  const mb = caps[caps.length - 1];
  cases.push({ kind: 'capture', label: `bulk ${mb >= 1024 ? `${mb / 1024} GiB` : `${mb} MiB`}, 16 conns`, files: () => ({ capture: bulkPath(mb) }) });
  if (!quick) cases.push({ kind: 'cap-limit', label: '60,000 short connections', files: () => ({ capture: manyPath(60_000) }) });
}
if (!only || only === 'strace') for (const n of logs) cases.push({ kind: 'strace', label: `strace ${n / 1e6}M lines`, files: () => ({ strace: stracePath(n) }) });
if (!only || only === 'strace') {
  const n = logs[logs.length - 1];
  cases.push({ kind: 'strace', label: `strace ${n / 1e6}M, no git`, files: () => ({ strace: stracePath(n, 0) }) });
}
if (!only || only === 'both') {
  const mb = caps[caps.length - 1];
  const n = logs[logs.length - 1];
  cases.push({ kind: 'both', label: `both (${mb >= 1024 ? `${mb / 1024} GiB` : `${mb} MiB`} + ${n / 1e6}M)`, files: () => ({ capture: capturePath(mb), strace: stracePath(n) }) });
}

const out = join(data, 'bench-huge-report.json');
const rows = [];
for (const c of cases) {
  const f = c.files();
  const cliArgs = [];
  if (f.capture) cliArgs.push(f.capture);
  if (f.strace) cliArgs.push('--strace', f.strace);
  const bytes = (f.capture ? statSync(f.capture).size : 0) + (f.strace ? statSync(f.strace).size : 0);
  process.stderr.write(`running ${c.label} …\n`);
  const { wall, peakKiB } = await measure(cliArgs, out);
  const report = JSON.parse(readFileSync(out, 'utf8'));
  const packets = report.inputs.find((i) => i.kind === 'capture')?.packets ?? null;
  const lines = report.inputs.find((i) => i.kind === 'strace')?.lines ?? null;
  const peakMiB = peakKiB / 1024;
  rows.push({
    input: c.label, mib: bytes / 1048576, packets, lines, seconds: wall, peakMiB,
    mibPerSecond: bytes / 1048576 / wall, targetMiB: TARGET_MIB[c.kind], ok: peakMiB <= TARGET_MIB[c.kind],
    reportMiB: statSync(out).size / 1048576,
    records: { dns: report.dns.length, connections: report.connections.length, syscalls: report.syscalls.length, processes: report.processes.length },
    verdict: `${report.verdict.state} at ${report.verdict.stage}`,
  });
}
rmSync(out, { force: true });

const fmt = (n, d = 1) => (n === null ? '' : n.toFixed(d));
const table = [
  ['input', 'size MiB', 'packets', 'lines', 'wall s', 'MiB/s', 'peak RSS MiB', 'target', 'report MiB', 'conns', 'procs'],
  ...rows.map((r) => [r.input, fmt(r.mib, 0), r.packets?.toLocaleString('en-US') ?? '', r.lines?.toLocaleString('en-US') ?? '',
    fmt(r.seconds), fmt(r.mibPerSecond, 0), fmt(r.peakMiB), `≤ ${r.targetMiB} ${r.ok ? 'ok' : 'OVER'}`, fmt(r.reportMiB),
    String(r.records.connections), String(r.records.processes)]),
];
const widths = table[0].map((_, i) => Math.max(...table.map((row) => String(row[i]).length)));
for (const [i, row] of table.entries()) {
  console.log(row.map((v, j) => (j === 0 ? String(v).padEnd(widths[j]) : String(v).padStart(widths[j]))).join('  '));
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}
console.log(`peak RSS by ${haveGnuTime ? 'GNU time (%M)' : 'polling VmHWM'}; node ${process.version}`);
console.log(JSON.stringify({ bench: 'huge', rows }));
process.exitCode = rows.every((r) => r.ok) ? 0 : 1;
