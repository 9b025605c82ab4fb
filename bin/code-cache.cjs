// Loads one of the CommonJS bundles (dist/bundle/cli.cjs, index.cjs) with V8's code cache. Itself
// CommonJS, like bin/gomod-trace-batch.cjs that loads it: node starts a CommonJS entry about 5 ms
// sooner than an ES module one.
//
// Most of a short gomod-trace run is spent before and around its first packets: node compiles every
// function the first time it is called (lazy compilation), 20–30 ms for `analyze` of a recorded
// sample. V8 can write the bytecode it compiled during a run into a code cache and, given it at
// the next start, skip that work. Node 20 offers this only for scripts compiled through node:vm
// (`cachedData`), not for ES modules, hence the CommonJS bundles. docs/performance.md (start-up).
//
// The cache is one file per bundle (named by its hash; the newest 4 of a bundle name are kept),
// node version, architecture and V8 flag set, in $GOMOD_TRACE_CACHE_DIR, else
// $XDG_CACHE_HOME/gomod-trace, else ~/.cache/gomod-trace. It holds a copy of the bundle's bytes
// next to V8's data, and is used only when that copy equals the bundle byte for byte (V8 itself
// checks no more than the source's length) and V8's data has the hash it was written with (V8
// does not check its payload in release builds: spoiled data crashes node). V8 rejects data made
// by another node or with other flags (the script then compiles as usual). A missing, foreign or
// rejected cache is written anew after the command ran, so that it holds the functions this run
// compiled. Nothing here fails a command: an unreadable or unwritable cache only costs the time it
// would have saved. GOMOD_TRACE_CODE_CACHE=0 turns it off; GOMOD_TRACE_CODE_CACHE=log says on
// stderr what happened.
'use strict';
const { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, statSync, unlinkSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { basename, dirname, join } = require('node:path');
const vm = require('node:vm');

/**
 * File format: MAGIC, then the bundle's length, the V8 data's length and the hash of the V8 data
 * (uint32 LE each), then the bundle's bytes and the V8 data.
 */
const MAGIC = Buffer.from('gomod-trace v8 cache 3\n');
const HEADER = MAGIC.length + 12;

/**
 * The checksum: a 32-bit hash in the manner of MurmurHash3 (each little-endian 32-bit word mixed
 * in with its multiply-rotate-multiply, the state rotated, multiplied by 5 and offset; then the
 * length and the final avalanche), over the bytes padded with zeros to whole words. Computed by
 * the small WebAssembly function below rather than zlib's CRC-32: node:zlib brings node:stream
 * with it, and with V8 flags on node's command line (bin/gomod-trace gives two) node compiles
 * those from source at every start, 6–9 ms (docs/performance.md, session 8). In JavaScript the
 * same loop runs in the interpreter, 3–4 ms for a 290 KB cache; here it takes well under one.
 * test/cli/code-cache.test.ts checks it against a JavaScript version of the same hash.
 */
function leb(v) {
  // Signed LEB128, as WebAssembly's i32.const wants its operand.
  const out = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) return [...out, b];
    out.push(b | 0x80);
  }
}
function uleb(v) {
  // Unsigned LEB128, as WebAssembly's sizes are written.
  const out = [];
  do {
    out.push((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
    v >>>= 7;
  } while (v > 0);
  return out;
}
const I32_CONST = 0x41, LOCAL_GET = 0x20, LOCAL_SET = 0x21, I32_LOAD = 0x28, I32_GE_U = 0x4f, I32_ADD = 0x6a;
const I32_MUL = 0x6c, I32_XOR = 0x73, I32_SHR_U = 0x76, I32_ROTL = 0x77, BLOCK = 0x02, LOOP = 0x03, BR = 0x0c, BR_IF = 0x0d, END = 0x0b;
// (func (param $padded i32) (param $length i32) (result i32) (local $i i32) (local $h i32))
const PADDED = 0, LENGTH = 1, I = 2, H = 3;
const avalanche = (shift, factor) => [LOCAL_GET, H, LOCAL_GET, H, I32_CONST, shift, I32_SHR_U, I32_XOR, I32_CONST, ...leb(factor | 0), I32_MUL, LOCAL_SET, H];
const BODY = [
  1, 2, 0x7f, // two i32 locals: $i, $h (both start at 0: the seed is 0)
  BLOCK, 0x40, LOOP, 0x40,
  LOCAL_GET, I, LOCAL_GET, PADDED, I32_GE_U, BR_IF, 1,
  // k = rotl(word * 0xcc9e2d51, 15) * 0x1b873593
  LOCAL_GET, I, I32_LOAD, 2, 0, I32_CONST, ...leb(0xcc9e2d51 | 0), I32_MUL, I32_CONST, 15, I32_ROTL, I32_CONST, ...leb(0x1b873593), I32_MUL,
  // h = rotl(h ^ k, 13) * 5 + 0xe6546b64
  LOCAL_GET, H, I32_XOR, I32_CONST, 13, I32_ROTL, I32_CONST, 5, I32_MUL, I32_CONST, ...leb(0xe6546b64 | 0), I32_ADD, LOCAL_SET, H,
  LOCAL_GET, I, I32_CONST, 4, I32_ADD, LOCAL_SET, I,
  BR, 0, END, END,
  LOCAL_GET, H, LOCAL_GET, LENGTH, I32_XOR, LOCAL_SET, H,
  ...avalanche(16, 0x85ebca6b), ...avalanche(13, 0xc2b2ae35),
  LOCAL_GET, H, LOCAL_GET, H, I32_CONST, 16, I32_SHR_U, I32_XOR,
  END,
];
const HASH_MODULE = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0, // "\0asm", version 1
  1, 7, 1, 0x60, 2, 0x7f, 0x7f, 1, 0x7f, // types: (i32, i32) -> i32
  2, 8, 1, 1, 0x6d, 1, 0x6d, 2, 0, 0, // imports: memory "m" "m", at least 0 pages
  3, 2, 1, 0, // functions: one, of type 0
  7, 5, 1, 1, 0x68, 0, 0, // exports: "h" = function 0
  10, ...uleb(BODY.length + uleb(BODY.length).length + 1), 1, ...uleb(BODY.length), ...BODY, // code
]);

/** The hash of `bytes` (a uint32), or null where WebAssembly is unavailable (no cache then). */
const hash = (() => {
  let module;
  try {
    module = new WebAssembly.Module(HASH_MODULE);
  } catch {
    return null;
  }
  return (bytes) => {
    const padded = (bytes.length + 3) & ~3;
    const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(padded / 65536)) });
    new Uint8Array(memory.buffer).set(bytes);
    const { h } = new WebAssembly.Instance(module, { m: { m: memory } }).exports;
    return h(padded, bytes.length) >>> 0;
  };
})();

/** Where caches live; null when there is no home to put them in. */
function cacheDir(env = process.env) {
  if (env.GOMOD_TRACE_CACHE_DIR) return env.GOMOD_TRACE_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'gomod-trace');
  if (env.HOME) return join(env.HOME, '.cache', 'gomod-trace');
  return null;
}

/**
 * Compile and run the CommonJS bundle at path `file` as node's loader would (module, exports,
 * require, __filename, __dirname), with the code cache when there is a good one. Returns its
 * exports and `save()`, which writes the cache when this run had none to use (call it after the
 * work, before exiting).
 */
function loadCommonJs(file, { env = process.env } = {}) {
  const bytes = readFileSync(file);
  const mode = env.GOMOD_TRACE_CODE_CACHE;
  const off = mode === '0' || hash === null;
  const log = mode === 'log' ? (what) => process.stderr.write(`gomod-trace: code cache ${what}\n`) : () => {};
  const dir = off ? null : cacheDir(env);
  // Named by the bundle's hash as well, so that the caches of two builds (a checkout and its CI
  // clone, two installed versions) live side by side instead of replacing each other at every run.
  // The V8 flags a cache is made with are part of its name: with or without the interrupt budget
  // bin/gomod-trace puts on node's command line (src/cli/v8-tuning.ts; GOMOD_TRACE_V8_DEFAULTS=1).
  const flags = process.execArgv.some((a) => a.startsWith('--interrupt-budget')) ? 'tuned' : 'default';
  const suffix = `-${process.version}-${process.arch}-${flags}.v8cache`;
  const path = dir === null ? null : join(dir, `${basename(file)}-${hash(bytes).toString(16).padStart(8, '0')}${suffix}`);

  let cachedData;
  let state = off ? 'off' : dir === null ? 'no cache directory' : 'miss';
  if (path !== null) {
    const data = readCache(path, dir, bytes);
    if (data === 'foreign') state = 'miss (made for other bytes)';
    else if (data === 'damaged') state = 'miss (damaged)';
    else if (data === 'unsafe') state = 'not used (directory not owned by this user, or writable by others)';
    else if (data !== null) cachedData = data;
  }
  // The wrapper node's own CommonJS loader uses; columns on the first line are given back to the
  // bundle's own text.
  const prefix = '(function (exports, require, module, __filename, __dirname) { ';
  const script = new vm.Script(`${prefix}${bytes.toString('utf8')}\n})`, {
    filename: file,
    columnOffset: -prefix.length,
    cachedData,
  });
  if (cachedData !== undefined) state = script.cachedDataRejected ? 'rejected by V8 (other node or flags)' : 'hit';
  log(`${state}: ${path ?? '-'}`);
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));

  const writable = path !== null && state !== 'hit' && !state.startsWith('not used');
  return {
    exports: module.exports,
    save() {
      if (!writable) return;
      try {
        writeCache(path, dir, bytes, script.createCachedData());
        log(`written: ${path}`);
        prune(dir, basename(file), suffix);
      } catch (err) {
        log(`not written (${err && err.code ? err.code : err})`);
      }
    },
  };
}

/** The V8 data for these bundle bytes; null (none or unreadable), 'foreign', 'damaged' or 'unsafe'. */
function readCache(path, dir, bytes) {
  let fd;
  try {
    // Bytecode is code: only from a directory this user owns (not one another user could fill).
    const d = statSync(dir);
    if (typeof process.getuid === 'function' && d.uid !== process.getuid()) return 'unsafe';
    if ((d.mode & 0o022) !== 0) return 'unsafe';
    fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    if (size < HEADER || size > HEADER + bytes.length + 64 * 1024 * 1024) return null;
    const buf = Buffer.allocUnsafe(size);
    if (readSync(fd, buf, 0, size, 0) !== size) return null;
    if (!buf.subarray(0, MAGIC.length).equals(MAGIC)) return null;
    const sourceLength = buf.readUInt32LE(MAGIC.length);
    const dataLength = buf.readUInt32LE(MAGIC.length + 4);
    if (HEADER + sourceLength + dataLength !== size) return null;
    if (!buf.subarray(HEADER, HEADER + sourceLength).equals(bytes)) return 'foreign';
    const data = buf.subarray(HEADER + sourceLength);
    return hash(data) === buf.readUInt32LE(MAGIC.length + 8) ? data : 'damaged';
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Write the cache next to its final name and rename it into place (readers see all or nothing). */
function writeCache(path, dir, bytes, data) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const head = Buffer.alloc(HEADER);
  MAGIC.copy(head);
  head.writeUInt32LE(bytes.length, MAGIC.length);
  head.writeUInt32LE(data.length, MAGIC.length + 4);
  head.writeUInt32LE(hash(data), MAGIC.length + 8);
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, Buffer.concat([head, bytes, data]), { mode: 0o600 });
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // never written
    }
    throw err;
  }
}

/** Caches kept per bundle name, node, architecture and flag set (one per build); older ones go. */
const KEEP = 4;

/** Remove all but the KEEP newest caches of this bundle name for this node, architecture and flags. */
function prune(dir, name, suffix) {
  try {
    const mine = readdirSync(dir)
      .filter((f) => f.startsWith(`${name}-`) && f.endsWith(suffix) && /^[0-9a-f]{8}$/.test(f.slice(name.length + 1, f.length - suffix.length)))
      .map((f) => ({ f, t: statSync(join(dir, f)).mtimeMs }))
      .sort((a, b) => b.t - a.t);
    for (const { f } of mine.slice(KEEP)) unlinkSync(join(dir, f));
  } catch {
    // Pruning is housekeeping: a file that went away meanwhile, or a directory we cannot list, is no error.
  }
}

module.exports = { loadCommonJs, hash };
