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
// The cache is one file per bundle (named by its CRC-32; the newest 4 of a bundle name are kept),
// node version, architecture and V8 flag set, in $GOMOD_TRACE_CACHE_DIR, else
// $XDG_CACHE_HOME/gomod-trace, else ~/.cache/gomod-trace. It holds a copy of the bundle's bytes
// next to V8's data, and is used only when that copy equals the bundle byte for byte (V8 itself
// checks no more than the source's length) and V8's data has the CRC-32 it was written with (V8
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
const zlib = require('node:zlib');

/**
 * File format: MAGIC, then the bundle's length, the V8 data's length and the CRC-32 of the V8 data
 * (uint32 LE each), then the bundle's bytes and the V8 data.
 */
const MAGIC = Buffer.from('gomod-trace v8 cache 2\n');
const HEADER = MAGIC.length + 12;
/** zlib.crc32 came with node 20.15; without it there is no cache. */
const crc32 = typeof zlib.crc32 === 'function' ? zlib.crc32 : null;

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
  const off = mode === '0' || crc32 === null;
  const log = mode === 'log' ? (what) => process.stderr.write(`gomod-trace: code cache ${what}\n`) : () => {};
  const dir = off ? null : cacheDir(env);
  // Named by the bundle's CRC-32 as well, so that the caches of two builds (a checkout and its CI
  // clone, two installed versions) live side by side instead of replacing each other at every run.
  // The V8 flags a cache is made with are part of its name: with or without the interrupt budget
  // bin/gomod-trace puts on node's command line (src/cli/v8-tuning.ts; GOMOD_TRACE_V8_DEFAULTS=1).
  const flags = process.execArgv.some((a) => a.startsWith('--interrupt-budget')) ? 'tuned' : 'default';
  const suffix = `-${process.version}-${process.arch}-${flags}.v8cache`;
  const path = dir === null ? null : join(dir, `${basename(file)}-${crc32(bytes).toString(16).padStart(8, '0')}${suffix}`);

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
    return crc32(data) === buf.readUInt32LE(MAGIC.length + 8) ? data : 'damaged';
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
  head.writeUInt32LE(crc32(data), MAGIC.length + 8);
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

module.exports = { loadCommonJs };
