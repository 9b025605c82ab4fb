import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const TUNING = fileURLToPath(new URL('../../dist/cli/v8-tuning.js', import.meta.url));

/** Run `tuneV8ForBatch` in a fresh node: did it apply its settings, and did anything complain? */
function run(env: Record<string, string>): { applied: boolean; stderr: string } {
  const script = `import(${JSON.stringify(TUNING)}).then((m) => { process.stdout.write(String(m.tuneV8ForBatch())); });`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { applied: r.stdout === 'true', stderr: r.stderr };
}

describe('V8 tuning for a batch run', () => {
  it('applies its settings once per process, without complaint from V8', () => {
    const r = run({ GOMOD_TRACE_V8_DEFAULTS: '' });
    expect(r.applied).toBe(true);
    expect(r.stderr).toBe('');
  });

  it('GOMOD_TRACE_V8_DEFAULTS=1 leaves V8 as it is', () => {
    expect(run({ GOMOD_TRACE_V8_DEFAULTS: '1' }).applied).toBe(false);
  });

  it('the flag it sets is one V8 knows (a typo would be ignored silently)', () => {
    const r = spawnSync(process.execPath, ['--v8-options'], { encoding: 'utf8' });
    expect(r.stdout).toMatch(/^\s+--interrupt-budget \(/m);
  });
});
