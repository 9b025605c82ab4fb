import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/gomod-trace', import.meta.url));

/** Run `body` with a fresh temporary directory, removed afterwards. */
async function inTempDir(prefix: string, body: (dir: string) => void | Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('gomod-trace CLI shell', () => {
  it('prints its version', () => {
    const out = execFileSync(BIN, ['--version'], { encoding: 'utf8' });
    expect(out.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('lists the subcommands in --help', () => {
    const out = execFileSync(BIN, ['--help'], { encoding: 'utf8' });
    for (const cmd of ['analyze', 'record', 'doctor']) expect(out).toContain(cmd);
  });

  it('starts node without the CA bundle NODE_EXTRA_CA_CERTS names, through a symlink too (as npm installs it)', async () => {
    const { symlinkSync } = await import('node:fs');
    await inTempDir('gomod-trace-bin-', (dir) => {
      symlinkSync(BIN, join(dir, 'gomod-trace'));
      // node prints "Warning: Ignoring extra certs from ..." when it tries to load a missing bundle at start-up.
      const env = { ...process.env, NODE_EXTRA_CA_CERTS: join(dir, 'missing-ca.pem') };
      const r = spawnSync(join(dir, 'gomod-trace'), ['--version'], { encoding: 'utf8', env });
      expect(r.status).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
      // The check has teeth: node itself does load it.
      const direct = spawnSync(process.execPath, [fileURLToPath(new URL('../../bin/gomod-trace.mjs', import.meta.url)), '--version'], { encoding: 'utf8', env });
      expect(direct.stderr).toMatch(/extra certs/i);
    });
  });

  it('starts node with the heap flag and the interrupt budget of src/cli/v8-tuning.ts, and without the budget under GOMOD_TRACE_V8_DEFAULTS=1', async () => {
    const { chmodSync, writeFileSync } = await import('node:fs');
    const { INTERRUPT_BUDGET } = await import('../../src/cli/v8-tuning.js');
    await inTempDir('gomod-trace-launcher-', (dir) => {
      // A stand-in node that prints the arguments the launcher gives it.
      writeFileSync(join(dir, 'node'), '#!/bin/sh\nprintf "%s\\n" "$@"\n');
      chmodSync(join(dir, 'node'), 0o755);
      const argsOf = (extra: Record<string, string>) => {
        const r = spawnSync(BIN, ['analyze', 'x.pcap'], { encoding: 'utf8', env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, ...extra } });
        expect(r.status, r.stderr).toBe(0);
        return r.stdout.trim().split('\n');
      };
      const tuned = argsOf({});
      expect(tuned.slice(0, 2)).toEqual(['--initial-old-space-size=32', `--interrupt-budget=${INTERRUPT_BUDGET}`]);
      expect(tuned.slice(2)).toEqual([fileURLToPath(new URL('../../bin/gomod-trace-batch.cjs', import.meta.url)), 'analyze', 'x.pcap']);
      // Other subcommands start from the ES module entry.
      const r = spawnSync(BIN, ['doctor'], { encoding: 'utf8', env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } });
      expect(r.stdout.trim().split('\n')[2]).toBe(fileURLToPath(new URL('../../bin/gomod-trace.mjs', import.meta.url)));
      const defaults = argsOf({ GOMOD_TRACE_V8_DEFAULTS: '1' });
      expect(defaults[0]).toBe('--initial-old-space-size=32');
      expect(defaults.some((a) => a.startsWith('--interrupt-budget'))).toBe(false);
    });
  });

  it('exits 2 with a one-line error on an unknown command', () => {
    const r = spawnSync(BIN, ['no-such-command'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown command 'no-such-command'");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('start-up: only the named subcommand is loaded', () => {
  it('registers the subcommand argv names, none for a bare --version, all otherwise', async () => {
    const { subcommandsFor } = await import('../../src/cli/main.js');
    expect(subcommandsFor(['node', 'gomod-trace', 'analyze', 'x.pcap'])).toEqual(['analyze']);
    expect(subcommandsFor(['node', 'gomod-trace', 'lab', 'list'])).toEqual(['lab']);
    expect(subcommandsFor(['node', 'gomod-trace', '--version'])).toEqual([]);
    expect(subcommandsFor(['node', 'gomod-trace', '--help'])).toBeNull();
    expect(subcommandsFor(['node', 'gomod-trace', 'help', 'record'])).toBeNull();
    expect(subcommandsFor(['node', 'gomod-trace'])).toBeNull();
    expect(subcommandsFor(['node', 'gomod-trace', 'analyse'])).toBeNull();
  });

  it('prints the version of package.json (the bundle finds it two levels up)', async () => {
    const { readFileSync } = await import('node:fs');
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(execFileSync(BIN, ['-V'], { encoding: 'utf8' }).trim()).toBe(pkg.version);
  });

  it('`analyze` starts from the CommonJS entry and bundle, which hold no lab, record or doctor code and load no package', async () => {
    const { readFileSync, writeFileSync } = await import('node:fs');
    await inTempDir('gomod-trace-startup-', (dir) => {
      // Hooks that list every ES module file and every CommonJS request the process loads.
      const hook = 'data:text/javascript,' + encodeURIComponent(
        "import { register } from 'node:module';" +
        "register('data:text/javascript,' + encodeURIComponent(\"export async function resolve(s, c, next) { const r = await next(s, c); if (r.url.startsWith('file:')) process.stderr.write('LOADED ' + r.url + '\\\\n'); return r; }\"));",
      );
      const cjsHook = join(dir, 'require-hook.cjs');
      writeFileSync(cjsHook, "const M = require('node:module'); const load = M._load; M._load = function (request, ...rest) { if (!request.startsWith('node:')) process.stderr.write('REQUIRED ' + request + '\\n'); return load.call(this, request, ...rest); };\n");
      const sample = fileURLToPath(new URL('../../samples/healthy', import.meta.url));
      // Through the launcher (bin/gomod-trace, a shell script): node takes the hooks from NODE_OPTIONS.
      const r = spawnSync(BIN, ['analyze', sample], {
        encoding: 'utf8',
        env: { ...process.env, NODE_OPTIONS: `--import ${hook} --require ${cjsHook}`, GOMOD_TRACE_CACHE_DIR: join(dir, 'cache') },
    });
    expect(r.status, r.stderr).toBe(0);
    // No ES module: the ES module loader resolves only the entry (node does that when --import is given).
    const loaded = r.stderr.split('\n').filter((l) => l.startsWith('LOADED ')).map((l) => l.slice(7).replace(/^.*\/(bin)\//, '$1/'));
    expect(loaded).toEqual(['bin/gomod-trace-batch.cjs']);
    // CommonJS: the hook, the entry and the code cache's loader; the bundle requires nothing but
    // node's builtins (commander and cli-table3 are in it).
    const required = r.stderr.split('\n').filter((l) => l.startsWith('REQUIRED ')).map((l) => l.slice(9).replace(/^.*\/(bin)\//, '$1/'));
    expect(required.filter((x) => !x.endsWith('require-hook.cjs'))).toEqual(['bin/gomod-trace-batch.cjs', './code-cache.cjs']);
    // The bundle has analyze and redact only.
    const cli = readFileSync(new URL('../../dist/bundle/cli.cjs', import.meta.url), 'utf8');
    expect(cli).toContain('registerAnalyze');
    expect(cli).toContain('registerRedact');
    for (const other of ['registerRecord', 'registerLab', 'registerDoctor', 'execa']) expect(cli).not.toContain(other);
    });
  });

  it('commander does not load node:child_process (it would for executable subcommands, which gomod-trace has none of)', async () => {
    const { writeFileSync } = await import('node:fs');
    await inTempDir('gomod-trace-cp-', (dir) => {
      const hook = join(dir, 'exit-hook.cjs');
      writeFileSync(hook, "process.on('exit', () => process.stderr.write('CHILD_PROCESS ' + process.moduleLoadList.includes('NativeModule child_process') + '\\n'));\n");
      const sample = fileURLToPath(new URL('../../samples/healthy', import.meta.url));
      for (const args of [['analyze', sample], ['--version']]) {
        const r = spawnSync(BIN, args, { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: `--require ${hook}`, GOMOD_TRACE_CACHE_DIR: join(dir, 'cache') } });
        expect(r.status, r.stderr).toBe(0);
        expect(r.stderr, args.join(' ')).toContain('CHILD_PROCESS false');
      }
    });
  });

  it('`record` and the others run from the ES module bundle, loading only their own chunk', () => {
    const hook = 'data:text/javascript,' + encodeURIComponent(
      "import { register } from 'node:module';" +
      "register('data:text/javascript,' + encodeURIComponent(\"export async function resolve(s, c, next) { const r = await next(s, c); if (r.url.startsWith('file:')) process.stderr.write('LOADED ' + r.url + '\\\\n'); return r; }\"));",
    );
    const r = spawnSync(BIN, ['doctor', '--help'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: `--import ${hook}` } });
    expect(r.status, r.stderr).toBe(0);
    const loaded = r.stderr.split('\n').filter((l) => l.startsWith('LOADED ')).map((l) => l.slice(7));
    expect(loaded.some((u) => /\/dist\/bundle\/main\.js$/.test(u))).toBe(true);
    expect(loaded.some((u) => /\/chunks\/doctor-[^/]+\.js$/.test(u))).toBe(true);
    expect(loaded.filter((u) => /\/chunks\/(lab|record|analyze|redact)-/.test(u))).toEqual([]);
    expect(loaded.filter((u) => u.includes('/dist/') && !u.includes('/dist/bundle/'))).toEqual([]);
  });
});
