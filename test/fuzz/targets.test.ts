/**
 * Every fuzz target of `npm run fuzz` loads, runs its seeds cleanly and fuzzes a few hundred inputs
 * with coverage feedback (against the built dist/: `npm test` builds first). Long runs are
 * `npm run fuzz`; this only proves the targets work.
 */
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
// @ts-expect-error plain ESM script without types
import { runTarget } from '../../scripts/fuzz/supervisor.mjs';
// @ts-expect-error plain ESM script without types
import { TARGETS, targetUrl } from '../../scripts/fuzz/targets.mjs';

const built = existsSync(new URL('../../dist/cli/main.js', import.meta.url));
/**
 * Crashes found and reported but not fixed yet (the code belongs to another area): matched by
 * message so that any other crash still fails. Reproducers: test/fixtures/fuzz/pending/. None now.
 */
const PENDING: Record<string, RegExp> = {};
const crashes = (name: string, r: { crashes: Array<{ signature: string; message: string }> }): string =>
  r.crashes.filter((c) => !PENDING[name]?.test(c.message)).map((c) => `${c.signature}: ${c.message}`).join('\n');

describe.skipIf(!built)('fuzz targets (dist/ not built: run `npm run build` first)', () => {
  for (const name of TARGETS as string[]) {
    it(`${name}: seeds run clean and 300 fuzzed inputs go through`, async () => {
      process.env.FUZZ_SHARED_CORPUS = '0'; // repeatable: only the repository's own seeds
      const r = await runTarget({ targetUrl: targetUrl(name), timeMs: 15_000, maxExecs: 300, seed: 11, hangMs: 3000 });
      expect(r.error).toBeUndefined();
      expect(r.execs).toBe(300);
      expect(r.features).toBeGreaterThan(20);
      expect(r.corpus).toBeGreaterThan(1);
      expect(crashes(name, r)).toBe('');
    }, 20_000);
  }
});
