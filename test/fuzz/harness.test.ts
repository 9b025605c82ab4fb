/**
 * The fuzzing harness itself (scripts/fuzz/): coverage guidance finds a bug behind nested checks
 * that blind mutation does not, hangs / memory blow-ups / never-settling promises are caught as
 * crashes with their input, mutation is repeatable from a seed, and the CLI behaves.
 */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
// @ts-expect-error plain ESM script without types
import { runTarget } from '../../scripts/fuzz/supervisor.mjs';
// @ts-expect-error plain ESM script without types
import { mutate } from '../../scripts/fuzz/mutate.mjs';
// @ts-expect-error plain ESM script without types
import { Rng } from '../../scripts/fuzz/rng.mjs';
// @ts-expect-error plain ESM script without types
import { crashSignature } from '../../scripts/fuzz/engine.mjs';

const run = promisify(execFile);
const toy = (name: string): string => new URL(`./${name}.mjs`, import.meta.url).href;
const FUZZ = new URL('../../scripts/fuzz.mjs', import.meta.url).pathname;

interface Crash { kind: string; signature: string; input: Uint8Array; atExec?: number }
interface Result { execs: number; crashes: Crash[]; restarts: number; features: number; corpus: number; error?: string }

describe('coverage guidance', () => {
  it('finds the bug behind four nested byte checks within a bounded number of inputs', async () => {
    const r: Result = await runTarget({ targetUrl: toy('toy-target'), timeMs: 20_000, maxExecs: 40_000, seed: 1, stopOnCrash: true });
    expect(r.error).toBeUndefined();
    expect(r.crashes).toHaveLength(1);
    const c = r.crashes[0];
    expect(c.signature).toMatch(/^Error @ test\/fuzz\/toy-target\.mjs:\d+:\d+$/);
    expect(c.atExec).toBeLessThanOrEqual(40_000);
    // Minimised to the bytes that matter: the four magic bytes at offsets 1..4 and nothing after.
    expect([...c.input.subarray(1)]).toEqual([0xff, 0x80, 0x7f, 0x0a]);
    // Each level reached was kept: seed + 4 partial matches.
    expect(r.corpus).toBeGreaterThanOrEqual(5);
  }, 30_000);

  it('does not find it without coverage feedback in the same number of inputs', async () => {
    const r: Result = await runTarget({ targetUrl: toy('toy-target'), timeMs: 20_000, maxExecs: 40_000, seed: 1, guided: false, measure: false });
    expect(r.error).toBeUndefined();
    expect(r.execs).toBe(40_000);
    expect(r.crashes).toHaveLength(0);
  }, 30_000);
});

describe('faults that cannot be caught in the target', () => {
  it('a hang is a crash with its input; the worker is restarted and fuzzing goes on', async () => {
    const r: Result = await runTarget({ targetUrl: toy('toy-hang'), timeMs: 3000, seed: 5, hangMs: 300, maxRestarts: 2 });
    const hang = r.crashes.find((c) => c.kind === 'hang');
    expect(hang, JSON.stringify(r)).toBeDefined();
    expect(hang!.input[0]).toBe(0xff);
    expect(r.restarts).toBeGreaterThanOrEqual(1);
    expect(r.execs).toBeGreaterThan(10);
  }, 15_000);

  it('running out of memory is a crash with its input', async () => {
    const r: Result = await runTarget({ targetUrl: toy('toy-oom'), timeMs: 8000, seed: 5, memMb: 48, maxRestarts: 0 });
    const oom = r.crashes.find((c) => c.kind === 'memory');
    expect(oom, JSON.stringify({ ...r, crashes: r.crashes.map((c) => c.signature) })).toBeDefined();
    expect(oom!.input[0]).toBe(0x80);
  }, 20_000);

  it('a promise that never settles is a crash with its input', async () => {
    const r: Result = await runTarget({ targetUrl: toy('toy-never'), timeMs: 3000, seed: 5, hangMs: 300, maxRestarts: 1 });
    const c = r.crashes.find((x) => x.kind === 'hang');
    expect(c).toBeDefined();
    expect(c!.input[0]).toBe(0x7f);
  }, 15_000);
});

describe('mutation and signatures', () => {
  it('the same seed gives the same mutations; inputs are never changed in place', () => {
    const seed = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const ctx = { corpus: [seed], dictionary: [Uint8Array.from([0xaa, 0xbb])], maxLen: 64 };
    const seq = (s: number): string[] => {
      const rng = new Rng(s);
      return Array.from({ length: 200 }, () => Buffer.from(mutate(rng, seed, ctx)).toString('hex'));
    };
    const a = seq(42);
    expect(seq(42)).toEqual(a);
    expect(seq(43)).not.toEqual(a);
    expect([...seed]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(a.every((h) => h.length / 2 <= 64)).toBe(true);
    expect(new Set(a).size).toBeGreaterThan(150);
  });

  it('a crash signature is the error name and its top stack frame, without machine paths', () => {
    const e = new TypeError('x');
    e.stack = 'TypeError: x\n    at readName (file:///home/u/gomod-trace/dist/protocols/dns.js:12:7)\n    at run (y.mjs:1:1)';
    expect(crashSignature(e)).toBe('TypeError @ dist/protocols/dns.js:12:7');
    expect(crashSignature('a string')).toBe('string @ ?');
  });
});

describe('npm run fuzz (scripts/fuzz.mjs)', () => {
  it('refuses an unknown target with exit status 2 and names the real ones', async () => {
    const e = await run('node', [FUZZ, '--target', 'nope']).catch((x) => x);
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/unknown target "nope".*pcapng/);
  });

  it('--repro runs one saved input: a crashing one exits 1 with the stack, a clean one 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fuzz-repro-'));
    try {
      // The DNS target checks an invariant of its own on top of the parser; a bare header is clean.
      const ok = join(dir, 'ok.bin');
      writeFileSync(ok, Uint8Array.from([0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
      const r = await run('node', [FUZZ, '--target', 'dns', '--repro', ok]);
      expect(r.stdout).toMatch(/no crash \(12 bytes\)/);
      const bad = join(dir, 'short.bin');
      writeFileSync(bad, Uint8Array.from([1]));
      const h = await run('node', [FUZZ, '--target', 'tls-hello', '--repro', bad]);
      expect(h.stdout).toMatch(/expected error: .*legacy_version/);
      const planted = join(dir, 'planted.bin');
      writeFileSync(planted, Uint8Array.from([0, 0xff, 0x80, 0x7f, 0x0a]));
      const c = await run('node', [FUZZ, '--target-module', new URL('./toy-target.mjs', import.meta.url).pathname, '--repro', planted]).catch((x) => x);
      expect(c.code).toBe(1);
      expect(c.stdout).toMatch(/CRASH Error @ test\/fuzz\/toy-target\.mjs:\d+:\d+\nError: planted bug reached/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 20_000);

  it('a short run over two targets prints the figures and exits 0 when nothing crashes', async () => {
    const out = mkdtempSync(join(tmpdir(), 'fuzz-out-'));
    try {
      const json = join(out, 'r.json');
      const r = await run('node', [FUZZ, '--time', '1', '--target', 'dns,decode', '--seed', '7', '--out', out, '--json', json], { env: { ...process.env, FUZZ_SHARED_CORPUS: '0' } });
      expect(r.stdout).toMatch(/dns\s+\d+ inputs\s+\d+\/s\s+corpus\s+\d+\s+blocks\s+\d+\s+features\s+\d+\s+crashes 0/);
      const figures = JSON.parse(readFileSync(json, 'utf8'));
      expect(figures.seed).toBe(7);
      expect(figures.rows.map((x: { target: string }) => x.target)).toEqual(['dns', 'decode']);
      for (const row of figures.rows) expect(row.execs).toBeGreaterThan(50);
      expect(readdirSync(out)).toEqual(['r.json']);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 20_000);
});
