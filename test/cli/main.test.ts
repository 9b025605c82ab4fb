import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/gomod-trace', import.meta.url));

describe('gomod-trace CLI shell', () => {
  it('prints its version', () => {
    const out = execFileSync(BIN, ['--version'], { encoding: 'utf8' });
    expect(out.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('lists the subcommands in --help', () => {
    const out = execFileSync(BIN, ['--help'], { encoding: 'utf8' });
    for (const cmd of ['analyze', 'record', 'doctor']) expect(out).toContain(cmd);
  });

  it('exits 2 with a one-line error on an unknown command', () => {
    const r = spawnSync(BIN, ['no-such-command'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown command 'no-such-command'");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
