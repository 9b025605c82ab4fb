/**
 * The `record` and `doctor` commands through the real CLI entry point (bin/gomod-trace, built
 * into dist/ first), with fake tools first on PATH: exit statuses, one-line errors, and Ctrl-C
 * sent to the whole foreground process group as a terminal does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeFakes, eventually, type Fakes } from './fakes.js';
import { commOf, isAlive, signal } from '../../src/record/proctree.js';
import { which } from '../../src/record/tools.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'gomod-trace');

let fakes: Fakes;
let work: string;

beforeAll(() => {
  // tsc emits even when other, unfinished files have type errors; we only need dist/ to exist.
  spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'ignore', timeout: 110_000 });
  fakes = makeFakes();
  work = mkdtempSync(join(tmpdir(), 'gomod-trace-cli-'));
}, 120_000);

afterAll(async () => {
  await eventually(() => fakes.leftovers().length === 0, 3000).catch(() => undefined);
  const left = fakes.leftovers();
  fakes.cleanup();
  rmSync(work, { recursive: true, force: true });
  expect(left).toEqual([]);
});

const env = (extra: Record<string, string> = {}) => ({ ...fakes.env, PATH: `${fakes.env.PATH}:${process.env.PATH}`, ...extra });

describe('gomod-trace record / doctor (CLI)', () => {
  it('a bad option is a one-line error and exit 2', () => {
    const r = spawnSync(BIN, ['record', '--timeout', '-3'], { encoding: 'utf8', env: env() });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--timeout must be a positive number of seconds, got '-3'");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('--lang and the locale as analyze reads them: a zh LANG or --lang zh gives the verdict in Chinese', () => {
    const run = (name: string, args: string[], extra: Record<string, string>) => spawnSync(BIN, ['record', '--no-capture', '-o', join(work, name), ...args, '--', 'go', 'mod', 'download', 'x.example/m@v1.0.0'],
      { encoding: 'utf8', env: env({ FAKE_GO_MODE: 'exit3', LC_ALL: '', LC_MESSAGES: '', ...extra }), timeout: 30_000 });
    const byLocale = run('lang-locale', [], { LANG: 'zh_CN.UTF-8' });
    expect(byLocale.status, byLocale.stderr).toBe(3);
    expect(byLocale.stdout).toContain('✖ 失败: go 以状态 3 退出');
    expect(readFileSync(join(work, 'lang-locale', 'report.html'), 'utf8')).toContain('<html lang="zh-CN">');
    expect(run('lang-flag', ['--lang', 'zh'], { LANG: 'C.UTF-8' }).stdout).toContain('go 以状态 3 退出');
    expect(run('lang-en', ['--lang', 'en'], { LANG: 'zh_CN.UTF-8' }).stdout).toContain('✖ FAILED: go exited with status 3');
    const bad = run('lang-bad', ['--lang', 'fr'], {});
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('gomod-trace: --lang fr: unsupported language (en or zh-CN)\n');
  });

  it('passes the go command after -- and go\'s exit status', () => {
    const out = join(work, 'exit3');
    const r = spawnSync(BIN, ['record', '--no-analyze', '-o', out, '--', 'go', 'mod', 'download', 'x.example/m@v1.0.0'], { encoding: 'utf8', env: env({ FAKE_GO_MODE: 'exit3' }), timeout: 30_000 });
    expect(r.status).toBe(3);
    expect(JSON.parse(readFileSync(join(out, 'meta.json'), 'utf8')).command).toEqual(['go', 'mod', 'download', 'x.example/m@v1.0.0']);
    expect(r.stdout).toContain('GOFLAGS=-x');
  });

  it('node starts without NODE_EXTRA_CA_CERTS (no CA bundle read), and go gets it back unchanged', () => {
    const out = join(work, 'extra-ca');
    const r = spawnSync(BIN, ['record', '--no-analyze', '-o', out], { encoding: 'utf8', env: env({ NODE_EXTRA_CA_CERTS: '/nonexistent/corporate-ca.pem' }), timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    // node warns "Ignoring extra certs from ..." when it tries to load the bundle at start-up.
    expect(r.stderr).not.toMatch(/extra certs/i);
    expect(fakes.readEvents()).toContain('go:extra-ca=/nonexistent/corporate-ca.pem:handed=unset');
  });

  it('Ctrl-C to the foreground process group: go gets SIGQUIT first, exit 124, complete bundle', async () => {
    const out = join(work, 'ctrlc');
    const child = spawn(BIN, ['record', '--no-analyze', '-o', out], { env: env({ FAKE_GO_MODE: 'hang' }), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    await eventually(() => fakes.readEvents().filter((e) => e === 'go:start').length > 0 && existsSync(join(out, 'go.log')), 15_000);
    const before = fakes.readEvents().length;
    process.kill(-child.pid!, 'SIGINT'); // what the terminal does: the whole foreground group
    const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    expect(code, stderr).toBe(124);
    expect(stderr).toContain('SIGINT received: stopping go');
    const events = fakes.readEvents().slice(before);
    expect(events.indexOf('go:quit')).toBeGreaterThanOrEqual(0);
    expect(events.indexOf('go:quit')).toBeLessThan(events.indexOf('tcpdump:int'));
    const meta = JSON.parse(readFileSync(join(out, 'meta.json'), 'utf8'));
    expect(meta).toMatchObject({ stoppedBy: 'signal:SIGINT', exit: { status: 124 }, capture: { captured: 7 } });
    expect(readFileSync(join(out, 'go.log'), 'utf8')).toContain('goroutine 1 [select]:');
  });

  // tcpdump's parent-death signal is set with setpriv (lifeline.ts).
  it.skipIf(!which('setpriv'))('record SIGKILLed, with no chance to tear down: tcpdump, go and go\'s children (strace too) are gone within seconds', async () => {
    const before = new Set(fakes.leftovers());
    try {
      for (const strace of [false, true]) {
        const out = join(work, strace ? 'killed-strace' : 'killed');
        const started = fakes.readEvents().filter((e) => e === 'go:start').length;
        const child = spawn(BIN, ['record', '--no-analyze', ...(strace ? ['--strace'] : []), '-o', out], { env: env({ FAKE_GO_MODE: 'hang' }), stdio: 'ignore' });
        await eventually(() => fakes.readEvents().filter((e) => e === 'go:start').length > started, 15_000);
        const ours = () => fakes.leftovers().filter((p) => !before.has(p) && p !== child.pid);
        const named = (comm: string) => ours().filter((p) => commOf(p) === comm);
        // go's own child (fake go's `sleep 1000`, standing for git) is running too.
        await eventually(() => named('sleep').length >= 2, 5000);
        const [tcpdump, go] = [named('tcpdump'), named('go')];
        expect(tcpdump).toHaveLength(1);
        expect(go).toHaveLength(1);
        if (strace) expect(named('strace')).toHaveLength(1);
        child.kill('SIGKILL');
        await new Promise((r) => child.on('close', r));
        await eventually(() => ours().length === 0, 5000).catch(() => undefined);
        expect(ours().map((p) => `${p} ${commOf(p)}`), strace ? 'with --strace' : 'without --strace').toEqual([]);
        expect(isAlive(tcpdump[0]) || isAlive(go[0])).toBe(false);
      }
    } finally {
      // Without the fix they run on: ended here, by pid, so that afterAll still sees other tests' leftovers.
      for (const p of fakes.leftovers()) if (!before.has(p)) signal(p, 'SIGKILL');
    }
  });

  it('without setpriv on PATH record works as before', () => {
    const nodeOnly = join(work, 'node-only');
    mkdirSync(nodeOnly);
    symlinkSync(process.execPath, join(nodeOnly, 'node'));
    const noSetpriv = { ...fakes.env, PATH: `${fakes.env.PATH}:${nodeOnly}` };
    const out = join(work, 'no-setpriv');
    const r = spawnSync(BIN, ['record', '--no-analyze', '-o', out], { encoding: 'utf8', env: noSetpriv, timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'meta.json'), 'utf8'))).toMatchObject({ stoppedBy: 'go-exited', capture: { captured: 7 } });
    const doctor = spawnSync(BIN, ['doctor', '--format', 'json', '--no-probe'], { encoding: 'utf8', env: noSetpriv, timeout: 30_000 });
    const finding = JSON.parse(doctor.stdout).findings.find((f: { id: string }) => f.id === 'tool.setpriv');
    expect(finding).toMatchObject({ status: 'warn', value: 'not found on PATH' });
    expect(finding.hint).toContain('apt-get install util-linux');
  });

  it('Ctrl-C twice after go exited: the first skips what is left, the second exits at once with go\'s status', async () => {
    const out = join(work, 'ctrlc-after');
    // tcpdump, stopped once go has exited, sends the two SIGINTs 0.3 s apart.
    const r = spawnSync(BIN, ['record', '--no-analyze', '-o', out], { encoding: 'utf8', env: env({ FAKE_TCPDUMP_INT_PARENT: '2' }), timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('stopping go');
    expect(r.stderr).toContain('SIGINT received: go has exited and only the step under way is left (it cannot be cut short); a second SIGINT exits at once');
    expect(r.stderr).toContain('SIGINT received again: exiting now with status 0');
  });

  const canDropRoot = process.getuid?.() === 0 && spawnSync('sh', ['-c', 'command -v runuser && command -v tcpdump && command -v go']).status === 0;
  it.skipIf(!canDropRoot)('as a user who may not capture (real tcpdump): exit 2 before go runs, with the fixes; --no-capture works', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gomod-trace-nobody-'));
    chmodSync(dir, 0o777);
    try {
      const asNobody = (args: string[]) => spawnSync('runuser', ['-u', 'nobody', '--', 'env', `HOME=${dir}`, `GOCACHE=${dir}/gocache`, BIN, ...args], { encoding: 'utf8', timeout: 30_000 });
      const r = asNobody(['record', '--no-analyze', '-o', join(dir, 'b1'), '--', 'go', 'version']);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/^gomod-trace: cannot capture packets: .*You don't have permission.*setcap cap_net_raw,cap_net_admin=eip.*--no-capture\n$/);
      expect(existsSync(join(dir, 'b1', 'go.log'))).toBe(false);
      const ok = asNobody(['record', '--no-analyze', '--no-capture', '-o', join(dir, 'b2'), '--', 'go', 'version']);
      expect(ok.status, ok.stderr).toBe(0);
      expect(readFileSync(join(dir, 'b2', 'go.log'), 'utf8')).toMatch(/^\d+\.\d{6} O go version go1\.\d+/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('doctor --format json reports the tools and go env findings', () => {
    const r = spawnSync(BIN, ['doctor', '--format', 'json', '--no-probe'], { encoding: 'utf8', env: env({ GOPROXY: 'direct' }), timeout: 30_000 });
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.schema).toBe('gomod-trace/doctor');
    const go = doc.findings.find((f: { id: string }) => f.id === 'tool.go');
    expect(go.value).toMatch(/^go1\.99\.1/);
    expect(doc.findings.find((f: { id: string }) => f.id === 'env.GOPROXY').status).toBe('warn');
  });

  it('doctor prints a table', () => {
    const r = spawnSync(BIN, ['doctor', '--no-probe'], { encoding: 'utf8', env: env(), timeout: 30_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/│ check\s+│ status\s+│ value\s+│ hint/);
    expect(r.stdout).toMatch(/│ go\s+│ ok/);
    expect(r.stdout).toContain('the capture permission was not checked (--no-probe)');
    expect(r.stdout).not.toContain('record can run here');
  });

  it('record --redact-capture --drop-raw-capture: only the shareable capture stays, and says so', () => {
    const out = join(work, 'share');
    const r = spawnSync(BIN, ['record', '--no-analyze', '--redact-capture', '--drop-raw-capture', '-o', out], { encoding: 'utf8', env: env(), timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(out, 'capture.pcap'))).toBe(false);
    expect(existsSync(join(out, 'capture.redacted.pcap'))).toBe(true);
    expect(r.stderr).toMatch(/^gomod-trace: \S+capture\.pcap removed \(--drop-raw-capture\): the bundle holds only capture\.redacted\.pcap/m);
  });

  it('-o a folder that cannot be made (under /proc, through a file, a file): one line, exit 2, no hang', () => {
    // node's recursive mkdir looped for ever on a new folder under /proc (mkdir says ENOENT there).
    const r = spawnSync(BIN, ['record', '-o', '/proc/gomod-trace-test/out', '--', 'go', 'version'], { encoding: 'utf8', env: env(), timeout: 20_000, killSignal: 'SIGKILL' });
    expect(r.signal).toBeNull();
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('gomod-trace: --out /proc/gomod-trace-test/out: /proc/gomod-trace-test: no such file or directory');
    const file = join(work, 'a-file');
    writeFileSync(file, 'x');
    const f = spawnSync(BIN, ['record', '-o', join(file, 'sub', 'out'), '--', 'go', 'version'], { encoding: 'utf8', env: env(), timeout: 20_000 });
    expect(f.status).toBe(2);
    expect(f.stderr).toContain('not a directory');
    expect(f.stderr.trim().split('\n')).toHaveLength(1);
    // -o the file itself: its path once, then why.
    const o = spawnSync(BIN, ['record', '-o', file, '--', 'go', 'version'], { encoding: 'utf8', env: env(), timeout: 20_000 });
    expect(o.status).toBe(2);
    expect(o.stderr).toBe(`gomod-trace: --out ${file}: not a directory\n`);
    // A new folder some levels deep is made, parents and all.
    const deep = join(work, 'new', 'deeper', 'out');
    const d = spawnSync(BIN, ['record', '--no-analyze', '-o', deep, '--', 'go', 'mod', 'download', 'x.example/m@v1.0.0'], { encoding: 'utf8', env: env({ FAKE_GO_MODE: 'exit3' }), timeout: 30_000 });
    expect(d.status).toBe(3);
    expect(existsSync(join(deep, 'meta.json'))).toBe(true);
  });

  it('record --drop-raw-capture without --redact-capture: one line, exit 2, nothing run', () => {
    const r = spawnSync(BIN, ['record', '--drop-raw-capture', '-o', join(work, 'nodrop')], { encoding: 'utf8', env: env(), timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('gomod-trace: --drop-raw-capture needs --redact-capture');
  });
});
