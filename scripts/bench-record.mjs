#!/usr/bin/env node
// Overhead of `gomod-trace record`: `go mod download` of many generated modules from a local
// HTTP GOPROXY (this script serves it on a random 127.x.y.1 port), bare vs under record, and
// under record --strace, interleaved in one run. Prints go's own wall time (spawn to exit) and
// the whole record wall time, medians over the rounds, and the overhead against bare.
// Targets: ≤ 10 % without strace, ≤ 30 % with it. Needs root (tcpdump), go, tcpdump, strace,
// and a build (`npm run build`). Usage: node scripts/bench-record.mjs [--modules N] [--rounds R]
import { createServer } from 'node:http';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { spawn, fork } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const MODULES = opt('--modules', 150);
const ROUNDS = opt('--rounds', 5);
const MODES = (args.includes('--modes') ? args[args.indexOf('--modes') + 1] : 'bare,record,strace').split(',');
const SYSCALLS = args.includes('--strace-syscalls') ? args[args.indexOf('--strace-syscalls') + 1] : undefined;
/** --keep: leave the bundles (and everything else) in the work folder, to look at strace.log. */
const KEEP = args.includes('--keep');
const FILES_PER_MODULE = 6;
const FILE_BYTES = 8 * 1024;

const dist = new URL('../dist/record/index.js', import.meta.url);
if (!existsSync(fileURLToPath(dist))) {
  console.error('bench-record: dist/ is missing; run `npm run build` first');
  process.exit(2);
}
const { record } = await import(dist.href);
const { writeZip } = await import(new URL('../dist/lab/zip.js', import.meta.url).href);

// ---------------------------------------------------------------- generated modules

function generate(root) {
  const paths = [];
  for (let i = 0; i < MODULES; i++) {
    const path = `bench.example/m${String(i).padStart(4, '0')}`;
    const version = 'v1.0.0';
    const dir = join(root, path, '@v');
    mkdirSync(dir, { recursive: true });
    const goMod = `module ${path}\n\ngo 1.16\n`;
    const prefix = `${path}@${version}/`;
    const entries = [{ name: `${prefix}go.mod`, data: Buffer.from(goMod) }];
    for (let f = 0; f < FILES_PER_MODULE; f++) {
      const body = `package m\n\n// filler ${'x'.repeat(FILE_BYTES)}\nconst C${f} = ${f}\n`;
      entries.push({ name: `${prefix}f${f}.go`, data: Buffer.from(body) });
    }
    writeFileSync(join(dir, 'list'), `${version}\n`);
    writeFileSync(join(dir, `${version}.info`), JSON.stringify({ Version: version, Time: '2024-01-01T00:00:00Z' }));
    writeFileSync(join(dir, `${version}.mod`), goMod);
    writeFileSync(join(dir, `${version}.zip`), writeZip(entries, { method: 'store' }));
    paths.push(path);
  }
  return paths;
}

// ---------------------------------------------------------------- runs

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function runBare(env, cwd) {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const child = spawn('go', ['mod', 'download'], { env: { ...env, GOFLAGS: `${env.GOFLAGS ?? ''} -x`.trim() }, cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c) => { err = (err + c).slice(-2000); });
    child.on('close', (code) => (code === 0 ? resolve((performance.now() - t) / 1000) : reject(new Error(`go exited ${code}: ${err}`))));
  });
}

async function runRecord(env, cwd, out, host, port, withStrace, capture = true) {
  const t = performance.now();
  const r = await record({
    command: ['mod', 'download'],
    out,
    env,
    cwd,
    capture,
    interface: capture ? 'lo' : undefined,
    filter: capture ? `host ${host} and tcp port ${port}` : undefined,
    strace: withStrace,
    straceSyscalls: SYSCALLS,
    analyze: false,
    stdout: null,
    stderr: null,
    progress: false,
  });
  if (r.exitCode !== 0) throw new Error(`record exited ${r.exitCode}: see ${out}`);
  return { total: (performance.now() - t) / 1000, go: r.goSeconds };
}

// ---- the module proxy runs in a process of its own: in one process with record(), every
// event-loop turn record spends on go's output would delay the proxy's answers and count as
// record's overhead, which a real (remote) proxy would not see.
if (args[0] === '--serve') {
  const [, root, bindHost] = args;
  let served = 0;
  const server = createServer((req, res) => {
    served++;
    const file = join(root, decodeURIComponent((req.url ?? '/').split('?')[0]));
    if (!file.startsWith(root) || !existsSync(file)) {
      res.writeHead(404).end('not found\n');
      return;
    }
    const data = readFileSync(file);
    res.writeHead(200, { 'content-length': data.length }).end(data);
  });
  server.listen(0, bindHost, () => process.send({ port: server.address().port }));
  process.on('message', (m) => {
    if (m === 'count') process.send({ served });
    if (m === 'exit') server.close(() => process.exit(0));
  });
} else {
  await main();
}

async function main() {
const work = mkdtempSync(join(tmpdir(), 'gomod-trace-bench-'));
const host = `127.${randomInt(16, 250)}.${randomInt(1, 255)}.1`;
const proxyRoot = join(work, 'proxy');
const paths = generate(proxyRoot);
const proxy = fork(fileURLToPath(import.meta.url), ['--serve', proxyRoot, host], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const port = await new Promise((resolve, reject) => {
  proxy.once('message', (m) => resolve(m.port));
  proxy.once('exit', (code) => reject(new Error(`the module proxy exited (${code}) before listening`)));
});
const served = () => new Promise((resolve) => {
  proxy.once('message', (m) => resolve(m.served));
  proxy.send('count');
});

const modDir = join(work, 'mod');
mkdirSync(modDir);
writeFileSync(join(modDir, 'go.mod'), `module bench.example/main\n\ngo 1.16\n\nrequire (\n${paths.map((p) => `\t${p} v1.0.0\n`).join('')})\n`);
const baseEnv = (cache) => ({
  ...process.env,
  GOPROXY: `http://${host}:${port}`,
  GOSUMDB: 'off',
  GOFLAGS: '-mod=mod -modcacherw',
  GOPATH: cache,
  GOMODCACHE: join(cache, 'mod'),
  GOCACHE: join(work, 'gocache'),
  GOTOOLCHAIN: 'local',
});

const results = { bare: [], record: [], recordGo: [], strace: [], straceGo: [], nocap: [], nocapGo: [] };
try {
  console.log(`bench-record: ${MODULES} modules (${FILES_PER_MODULE} files of ${FILE_BYTES} B each) from http://${host}:${port}, ${ROUNDS} rounds`);
  // One warm-up of each so that file-system caches and go's build cache settle.
  for (let round = -1; round < ROUNDS; round++) {
    for (const mode of MODES) {
      const cache = join(work, `cache-${mode}-${round + 1}`);
      rmSync(join(modDir, 'go.sum'), { force: true });
      const env = baseEnv(cache);
      if (mode === 'bare') {
        const s = await runBare(env, modDir);
        if (round >= 0) results.bare.push(s);
      } else {
        const out = join(work, `bundle-${mode}-${round + 1}`);
        const r = await runRecord(env, modDir, out, host, port, mode === 'strace', mode !== 'nocap');
        if (round >= 0) {
          results[mode].push(r.total);
          results[`${mode}Go`].push(r.go);
        }
        if (!KEEP) rmSync(out, { recursive: true, force: true });
      }
      rmSync(cache, { recursive: true, force: true });
    }
  }
  const bare = median(results.bare);
  const pct = (x) => `${(((x - bare) / bare) * 100).toFixed(1)} %`;
  const row = (name, xs) => `${name.padEnd(34)} median ${median(xs).toFixed(3)} s  (${xs.map((x) => x.toFixed(2)).join(' ')})  overhead ${pct(median(xs))}`;
  console.log(row('bare go mod download', results.bare));
  if (results.nocap.length) console.log(row('record --no-capture: go wall time', results.nocapGo));
  console.log(row('record: go wall time', results.recordGo));
  console.log(row('record: whole command', results.record));
  console.log(row('record --strace: go wall time', results.straceGo));
  console.log(row('record --strace: whole command', results.strace));
  const okPlain = (median(results.recordGo) - bare) / bare <= 0.1;
  const okStrace = (median(results.straceGo) - bare) / bare <= 0.3;
  console.log(`targets (go wall time): without strace ≤ 10 %: ${okPlain ? 'met' : 'NOT met'}; with strace ≤ 30 %: ${okStrace ? 'met' : 'NOT met'}; ${await served()} proxy requests served`);
  process.exitCode = okPlain && okStrace ? 0 : 1;
} finally {
  proxy.send('exit');
  if (KEEP) console.log(`bundles kept in ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
}
void dirname;
