// go's own output from real go 1.19 runs parsed by loadGoLog: an HTTP GOPROXY on loopback (timed
// `# get` lines, like the recorder writes them), a proxy that never answers the zip (a fetch with
// no end line, then SIGQUIT: a real goroutine dump), the file:// GOPROXY (go prints no `# get`),
// and direct mode with git (`# lock`, timed git commands).
import { describe, it, expect, beforeAll, beforeEach, afterAll, afterEach } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ChildProcess } from 'node:child_process';
import { loadGoLog } from '../../src/gotool/index.js';
import {
  makeGoEnv, resetProject, makeGitRepo, serveProxy, have, killGroup, exited, waitFor, spawn, ESCAPED, VERSION, type GoEnv,
} from '../fixtures/strace/goenv.js';

const missing = ['go', 'zip', 'git'].filter((t) => !have(t));

/** Run go, prefixing every output line with the recorder's `<epoch> <O|E> `. */
function runGo(env: GoEnv, args: string[], extra: Record<string, string>, started: ChildProcess[]) {
  const child = spawn('go', args, { cwd: env.project, env: { ...env.env, ...extra }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  const lines: string[] = [];
  for (const [stream, tag] of [[child.stdout!, 'O'], [child.stderr!, 'E']] as const) {
    let rest = '';
    stream.on('data', (d: Buffer) => {
      const parts = (rest + d.toString('utf8')).split('\n');
      rest = parts.pop()!;
      const t = (Date.now() / 1000).toFixed(6);
      for (const p of parts) lines.push(`${t} ${tag} ${p}`);
    });
    stream.on('end', () => { if (rest) lines.push(`${(Date.now() / 1000).toFixed(6)} ${tag} ${rest}`); });
  }
  return { child, lines };
}

describe.skipIf(missing.length > 0)(`go's log from real go runs${missing.length ? ` (missing: ${missing.join(', ')})` : ''}`, () => {
  let env: GoEnv;
  const started: ChildProcess[] = [];
  const closers: Array<() => Promise<void>> = [];
  beforeAll(async () => { env = await makeGoEnv(); });
  beforeEach(async () => { await resetProject(env); });
  afterEach(async () => {
    for (const c of started.splice(0)) killGroup(c);
    for (const c of closers.splice(0)) await c();
  });
  afterAll(async () => { await env?.cleanup(); });

  it('HTTP GOPROXY: each fetch has its start, 200 OK, go\'s seconds and the recorder\'s times', async () => {
    const proxy = await serveProxy(env.proxyDir);
    closers.push(proxy.close);
    const t0 = Date.now() / 1000;
    const { child, lines } = runGo(env, ['mod', 'download', '-x'], { GOPROXY: proxy.url, GOMODCACHE: join(env.root, 'mc-http') }, started);
    expect(await exited(child, 60_000)).toBe(0);
    await new Promise((r) => setTimeout(r, 50));
    const log = join(env.root, 'http.go.log');
    await writeFile(log, lines.join('\n') + '\n');
    const ev = await loadGoLog(log);
    const r = ev.toRecords(t0);
    expect(ev.input.format).toBe('go -x (timestamped)');
    // go escapes the '!' of the module cache case-encoding in URLs.
    const zip = r.fetches.find((f) => decodeURIComponent(f.url).endsWith(`/${ESCAPED}/@v/${VERSION}.zip`));
    expect(zip).toBeDefined();
    expect(zip!.url).toBe(`${proxy.url}/${ESCAPED.replace('!', '%21')}/@v/${VERSION}.zip`);
    expect(r.fetches.map((f) => f.url.split('.').pop()).sort()).toEqual(['info', 'mod', 'zip']);
    expect(zip!.host).toBe(`${proxy.host}:${proxy.port}`);
    for (const f of r.fetches) {
      expect(f.status).toBe(200);
      expect(f.error).toBeNull();
      expect(f.seconds).not.toBeNull();
      expect(f.start!).toBeGreaterThanOrEqual(0);
      expect(f.end!).toBeGreaterThanOrEqual(f.start!);
      expect(f.end! - f.start!).toBeLessThan(10);
    }
    expect(ev.firstTime!).toBeGreaterThanOrEqual(t0);
  });

  it('a proxy that never answers the zip: the fetch has no end; SIGQUIT dump says go waits in roundTrip', async () => {
    const proxy = await serveProxy(env.proxyDir, (p) => p.endsWith('.zip'));
    closers.push(proxy.close);
    const { child, lines } = runGo(env, ['mod', 'download', '-x'], { GOPROXY: proxy.url, GOMODCACHE: join(env.root, 'mc-hang') }, started);
    const asked = await waitFor(() => lines.some((l) => / E # get \S+\.zip$/.test(l)), 30_000);
    expect(asked).toBe(true);
    await new Promise((r) => setTimeout(r, 1000));
    process.kill(child.pid!, 'SIGQUIT');
    expect(await exited(child, 20_000)).toBe(2);
    await new Promise((r) => setTimeout(r, 50));
    const log = join(env.root, 'hang.go.log');
    await writeFile(log, lines.join('\n') + '\n');
    const ev = await loadGoLog(log);
    const r = ev.toRecords(ev.firstTime!);
    expect(ev.input.format).toBe('go -x (timestamped), goroutine dump');
    const zip = r.fetches.find((f) => f.url.endsWith('.zip'))!;
    expect(zip.end).toBeNull();
    expect(zip.status).toBeNull();
    expect(zip.start).not.toBeNull();
    const mod = r.fetches.find((f) => f.url.endsWith('.mod'));
    expect(mod?.status).toBe(200);
    expect(r.goroutines.length).toBeGreaterThan(3);
    const waiting = r.goroutines.filter((g) => g.waitsOn === 'proxy-response');
    expect(waiting.length).toBeGreaterThan(0);
    expect(waiting[0].frame).toBe('net/http.(*persistConn).roundTrip');
    expect(waiting[0].state).toBe('select');
  });

  it('-json with a version the proxy lacks: the object\'s Error is a not-found, the fetch a 404', async () => {
    const proxy = await serveProxy(env.proxyDir);
    closers.push(proxy.close);
    const { child, lines } = runGo(env, ['mod', 'download', '-x', '-json', 'example.com/Foo/bar@v9.9.9'], { GOPROXY: proxy.url, GOMODCACHE: join(env.root, 'mc-json'), GOFLAGS: '-modcacherw -mod=mod' }, started);
    expect(await exited(child, 60_000)).toBe(1);
    await new Promise((r) => setTimeout(r, 50));
    const log = join(env.root, 'json.go.log');
    await writeFile(log, lines.join('\n') + '\n');
    const ev = await loadGoLog(log);
    const r = ev.toRecords(ev.firstTime!);
    expect(ev.input.format).toBe('go -x (timestamped), -json');
    expect(r.modules).toHaveLength(1);
    expect(r.modules[0]).toMatchObject({ path: 'example.com/Foo/bar', version: 'v9.9.9' });
    expect(r.modules[0].error).toContain('404 Not Found');
    const fromJson = r.errors.find((e) => e.source === 'json')!;
    expect(fromJson).toMatchObject({ stage: 'not-found', module: 'example.com/Foo/bar@v9.9.9' });
    const info = r.fetches.find((f) => f.url.endsWith('v9.9.9.info'));
    expect(info).toMatchObject({ status: 404, errorStage: 'not-found' });
  });

  it('file:// GOPROXY: go 1.19 prints no `# get` lines at all (nothing to time)', async () => {
    const { child, lines } = runGo(env, ['mod', 'download', '-x'], { GOMODCACHE: join(env.root, 'mc-file') }, started);
    expect(await exited(child, 60_000)).toBe(0);
    const log = join(env.root, 'file.go.log');
    await writeFile(log, lines.join('\n') + (lines.length ? '\n' : ''));
    const ev = await loadGoLog(log);
    expect(ev.toRecords(0).fetches).toEqual([]);
    expect(lines.filter((l) => l.includes('# get'))).toEqual([]);
  });

  it('direct mode: `# lock` on the VCS lock and timed git commands', async () => {
    const { gitconfig } = await makeGitRepo(env);
    const { child, lines } = runGo(env, ['mod', 'download', '-x'], {
      GOPROXY: 'direct', GOPRIVATE: 'example.test', GOFLAGS: '-modcacherw -mod=mod', GIT_CONFIG_GLOBAL: gitconfig,
      GOMODCACHE: join(env.root, 'mc-git'),
    }, started);
    expect(await exited(child, 60_000)).toBe(0);
    const log = join(env.root, 'git.go.log');
    await writeFile(log, lines.join('\n') + '\n');
    const ev = await loadGoLog(log);
    const r = ev.toRecords(ev.firstTime!);
    expect(r.locks).toHaveLength(1);
    expect(r.locks[0].module).toMatch(/^vcs:[0-9a-f]{64}$/);
    expect(r.locks[0].path).toContain(join(env.root, 'mc-git', 'cache', 'vcs'));
    const lsRemote = r.commands.find((c) => c.argv === 'ls-remote https://example.test/repo');
    expect(lsRemote?.command).toBe('git');
    expect(lsRemote?.dir).toBe(join(env.root, 'mc-git'));
    const fetch = r.commands.find((c) => c.argv.startsWith('fetch '));
    expect(fetch?.finished).toBe(true);
    expect(fetch!.seconds!).toBeGreaterThan(0);
    expect(fetch!.end! - fetch!.start!).toBeCloseTo(fetch!.seconds!, 5);
    expect(r.errors).toEqual([]);
  });
});
