/**
 * V8's code cache for `analyze` and `redact` (bin/code-cache.cjs): written by the first run, used
 * by the next, never trusted beyond what it was made for, and never the reason a command fails.
 * Each case runs the real launcher with its own cache directory and compares the report with a run
 * that has the cache turned off.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/gomod-trace', import.meta.url));
const SAMPLE = fileURLToPath(new URL('../../samples/goproxy-silent-https', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'gomod-trace-code-cache-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
function freshDir(): string {
  return join(root, `c${++n}`);
}

/** `analyze SAMPLE --format json` with the cache in `dir`; the report and what the cache did. */
function analyze(dir: string, extra: Record<string, string> = {}): { status: number | null; report: string; cache: string[]; stderr: string } {
  const r = spawnSync(BIN, ['analyze', SAMPLE, '--format', 'json'], {
    encoding: 'utf8',
    env: { ...process.env, GOMOD_TRACE_CACHE_DIR: dir, GOMOD_TRACE_CODE_CACHE: 'log', ...extra },
  });
  const cache = r.stderr.split('\n').filter((l) => l.startsWith('gomod-trace: code cache ')).map((l) => l.slice('gomod-trace: code cache '.length).replace(/:.*$/, ''));
  return { status: r.status, report: r.stdout, cache, stderr: r.stderr };
}

const plain = spawnSync(BIN, ['analyze', SAMPLE, '--format', 'json'], { encoding: 'utf8', env: { ...process.env, GOMOD_TRACE_CODE_CACHE: '0' } });

function cacheFile(dir: string): string {
  const files = readdirSync(dir).filter((f) => f.endsWith('.v8cache'));
  expect(files).toHaveLength(1);
  return join(dir, files[0]);
}

describe('code cache', () => {
  it('the first run writes it, the next one uses it, and the report is the same either way', () => {
    expect(plain.status, plain.stderr).toBe(0);
    const dir = freshDir();
    const first = analyze(dir);
    expect(first.status, first.stderr).toBe(0);
    expect(first.cache).toEqual(['miss', 'written']);
    expect(cacheFile(dir)).toMatch(new RegExp(`cli\\.cjs-[0-9a-f]{8}-${process.version.replace(/\./g, '\\.')}-${process.arch}-tuned\\.v8cache$`));
    const second = analyze(dir);
    expect(second.status, second.stderr).toBe(0);
    expect(second.cache).toEqual(['hit']);
    expect(first.report).toBe(plain.stdout);
    expect(second.report).toBe(plain.stdout);
  });

  it('is written only by a run that did the work: not by --help, not by a failing run', () => {
    const dir = freshDir();
    const run = (args: string[]) => spawnSync(BIN, args, { encoding: 'utf8', env: { ...process.env, GOMOD_TRACE_CACHE_DIR: dir, GOMOD_TRACE_CODE_CACHE: 'log' } });
    const help = run(['analyze', '--help']);
    expect(help.status).toBe(0);
    expect(help.stderr).toContain('code cache miss');
    expect(help.stderr).not.toContain('written');
    const failing = run(['analyze', join(root, 'no-such.pcap')]);
    expect(failing.status).not.toBe(0);
    expect(failing.stderr).not.toContain('written');
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
    expect(analyze(dir).cache).toEqual(['miss', 'written']);
  });

  it('is made per V8 flag set: GOMOD_TRACE_V8_DEFAULTS=1 has a cache of its own', () => {
    const dir = freshDir();
    expect(analyze(dir).cache).toEqual(['miss', 'written']);
    const other = analyze(dir, { GOMOD_TRACE_V8_DEFAULTS: '1' });
    expect(other.cache).toEqual(['miss', 'written']);
    expect(readdirSync(dir).filter((f) => f.endsWith('.v8cache')).sort().map((f) => f.replace(/^.*-/, ''))).toEqual(['default.v8cache', 'tuned.v8cache']);
    expect(other.report).toBe(plain.stdout);
  });

  it('is not used when it was made for other bytes of the bundle (same length), and is then made again', () => {
    const dir = freshDir();
    analyze(dir);
    const file = cacheFile(dir);
    const bytes = readFileSync(file);
    // The copy of the bundle inside the cache starts after the magic line, two lengths and a hash: change
    // one byte of it. V8 alone would not notice (it checks the source's length only).
    const at = bytes.indexOf(0x0a) + 1 + 12 + 100;
    bytes[at] ^= 0x20;
    writeFileSync(file, bytes);
    const r = analyze(dir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.cache).toEqual(['miss (made for other bytes)', 'written']);
    expect(r.report).toBe(plain.stdout);
    expect(analyze(dir).cache).toEqual(['hit']);
  });

  it('a damaged cache (garbage, cut short, V8 data spoiled) costs nothing but the time', () => {
    const dir = freshDir();
    analyze(dir);
    const file = cacheFile(dir);
    const good = readFileSync(file);
    const spoiled = Buffer.from(good);
    for (let i = good.length - 2000; i < good.length; i += 7) spoiled[i] ^= 0xff;
    // One bit of the V8 data flipped, and a block of it zeroed (what a torn write can leave).
    const flipped = Buffer.from(good);
    flipped[good.length - 5000] ^= 0x04;
    const zeroed = Buffer.from(good);
    zeroed.fill(0, good.length - 8192, good.length - 4096);
    // (Spoiled V8 data, given to V8, crashes node: the hash in the file keeps it out.)
    for (const [bad, seen] of [
      [Buffer.from('not a cache at all'), 'miss'], [good.subarray(0, good.length >> 1), 'miss'], [spoiled, 'miss (damaged)'],
      [flipped, 'miss (damaged)'], [zeroed, 'miss (damaged)'], [Buffer.alloc(0), 'miss'],
    ] as const) {
      writeFileSync(file, bad);
      const r = analyze(dir);
      expect(r.status, r.stderr).toBe(0);
      expect(r.report).toBe(plain.stdout);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.cache).toEqual([seen, 'written']);
    }
  });

  it('keeps the caches of other builds beside its own, the newest four of a bundle name', () => {
    const dir = freshDir();
    analyze(dir);
    const mine = cacheFile(dir);
    // Five caches of other builds of cli.cjs (other CRCs), older than ours, and one of another bundle.
    const other = (crc: string) => mine.replace(/cli\.cjs-[0-9a-f]{8}-/, `cli.cjs-${crc}-`);
    const crcs = ['00000001', '00000002', '00000003', '00000004', '00000005'];
    crcs.forEach((crc, i) => {
      writeFileSync(other(crc), 'another build');
      utimesSync(other(crc), 1_000_000 + i, 1_000_000 + i);
    });
    const library = join(dir, `index.cjs-00000009-${process.version}-${process.arch}-tuned.v8cache`);
    writeFileSync(library, 'the library');
    utimesSync(library, 1_000, 1_000);
    // A hit leaves them all alone.
    expect(analyze(dir).cache).toEqual(['hit']);
    expect(readdirSync(dir)).toHaveLength(7);
    // A write (here after our own cache was damaged) keeps ours and the three newest others.
    writeFileSync(mine, 'damaged');
    expect(analyze(dir).cache).toEqual(['miss', 'written']);
    expect(readdirSync(dir).sort()).toEqual([library, mine, other('00000003'), other('00000004'), other('00000005')].map((f) => f.slice(dir.length + 1)).sort());
    expect(analyze(dir).cache).toEqual(['hit']);
  });

  it('an unwritable cache location is no error', () => {
    const blocker = join(root, 'a-file');
    writeFileSync(blocker, 'x');
    const r = analyze(join(blocker, 'cache'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.report).toBe(plain.stdout);
    expect(r.cache).toEqual(['miss', 'not written (ENOTDIR)']);
  });

  it('is never read from a directory another user owns or others can write to', () => {
    const dir = freshDir();
    analyze(dir);
    expect(analyze(dir).cache).toEqual(['hit']);
    chmodSync(dir, 0o777);
    const open = analyze(dir);
    expect(open.cache).toEqual(['not used (directory not owned by this user, or writable by others)']);
    expect(open.report).toBe(plain.stdout);
    chmodSync(dir, 0o700);
    if (process.getuid?.() === 0) {
      chownSync(dir, 65534, 65534);
      expect(analyze(dir).cache).toEqual(['not used (directory not owned by this user, or writable by others)']);
      chownSync(dir, 0, 0);
    }
    expect(analyze(dir).cache).toEqual(['hit']);
  });

  it('GOMOD_TRACE_CODE_CACHE=0 neither reads nor writes one; the directory is made owner-only', () => {
    const dir = freshDir();
    const r = spawnSync(BIN, ['analyze', SAMPLE, '--format', 'json'], { encoding: 'utf8', env: { ...process.env, GOMOD_TRACE_CACHE_DIR: dir, GOMOD_TRACE_CODE_CACHE: '0' } });
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(dir)).toBe(false);
    analyze(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(cacheFile(dir)).mode & 0o777).toBe(0o600);
  });

  it('without a home (no HOME, XDG_CACHE_HOME or GOMOD_TRACE_CACHE_DIR) runs without one', () => {
    const { HOME: _h, XDG_CACHE_HOME: _x, GOMOD_TRACE_CACHE_DIR: _g, ...env } = process.env;
    const r = spawnSync(BIN, ['analyze', SAMPLE, '--format', 'json'], { encoding: 'utf8', env: { ...env, GOMOD_TRACE_CODE_CACHE: 'log' } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(plain.stdout);
    expect(r.stderr).toContain('gomod-trace: code cache no cache directory');
  });

  it('redact uses it too', () => {
    const dir = freshDir();
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const out = join(root, 'redacted.pcap');
    const run = () => spawnSync(BIN, ['redact', join(SAMPLE, 'capture.pcap'), '-o', out], {
      encoding: 'utf8', env: { ...process.env, GOMOD_TRACE_CACHE_DIR: dir, GOMOD_TRACE_CODE_CACHE: 'log' },
    });
    const a = run();
    expect(a.status, a.stderr).toBe(0);
    expect(a.stderr).toContain('code cache written');
    const first = readFileSync(out);
    const b = run();
    expect(b.status, b.stderr).toBe(0);
    expect(b.stderr).toContain('code cache hit');
    expect(readFileSync(out).equals(first)).toBe(true);
  });
});

/** The same hash written plainly in JavaScript: each 32-bit word of the bytes padded with zeros. */
function referenceHash(bytes: Uint8Array): number {
  const padded = new Uint8Array((bytes.length + 3) & ~3);
  padded.set(bytes);
  const view = new DataView(padded.buffer);
  const rotl = (x: number, r: number): number => (x << r) | (x >>> (32 - r));
  let h = 0;
  for (let i = 0; i < padded.length; i += 4) {
    const k = Math.imul(rotl(Math.imul(view.getUint32(i, true), 0xcc9e2d51), 15), 0x1b873593);
    h = (Math.imul(rotl(h ^ k, 13), 5) + 0xe6546b64) | 0;
  }
  h ^= bytes.length;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

describe('the cache checksum (a WebAssembly function, so that node:zlib need not load)', () => {
  const { hash } = createRequire(import.meta.url)('../../bin/code-cache.cjs') as { hash: ((b: Uint8Array) => number) | null };

  it('equals the same hash computed in JavaScript, for every length up to a few words and for large inputs', () => {
    expect(hash).not.toBeNull();
    let seed = 7;
    const next = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24;
    for (const length of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 64, 65535, 65536, 65537, 300_001]) {
      const bytes = Uint8Array.from({ length }, next);
      expect(hash!(bytes), `length ${length}`).toBe(referenceHash(bytes));
    }
  });

  it('tells apart inputs that differ in one bit, in trailing zeros, or in length alone', () => {
    const base = Uint8Array.from({ length: 4096 }, (_, i) => (i * 31) & 0xff);
    const seen = new Set<number>([hash!(base)]);
    for (const at of [0, 1, 2047, 4095]) {
      const b = Uint8Array.from(base);
      b[at] ^= 1;
      seen.add(hash!(b));
    }
    const longer = new Uint8Array(4097);
    longer.set(base);
    seen.add(hash!(longer));
    seen.add(hash!(base.subarray(0, 4093)));
    expect(seen.size).toBe(7);
  });
});
