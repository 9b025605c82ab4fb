// Real strace logs of real `go mod download` runs (go 1.19, strace 6.x): healthy, blocked on a
// module cache lock held by another process (-ttt -yy and plain -tt), and a git child.
import { describe, it, expect, beforeAll, beforeEach, afterAll, afterEach } from 'vitest';
import { mkdir, writeFile, readFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { loadStrace } from '../../src/strace/index.js';
import {
  makeGoEnv, resetProject, makeGitRepo, serveProxy, serveAuthWall, descendantsOf, have, holdLock, childrenOf, commOf, killPid, killGroup, exited, waitFor, spawn,
  MODULE, ESCAPED, VERSION, type GoEnv,
} from '../fixtures/strace/goenv.js';

const tools = ['go', 'strace', 'flock', 'zip', 'git'].filter((t) => !have(t));
const canPtrace = have('strace') && spawnOk();

function spawnOk(): boolean {
  // strace needs ptrace; some containers forbid it.
  const r = spawnSync('strace', ['-o', '/dev/null', 'true'], { timeout: 10_000 });
  return r.status === 0;
}

describe.skipIf(tools.length > 0 || !canPtrace)(`strace of real go runs${tools.length ? ` (missing: ${tools.join(', ')})` : ''}`, () => {
  let env: GoEnv;
  const started: ChildProcess[] = [];
  const pids: number[] = [];

  beforeAll(async () => { env = await makeGoEnv(); });
  beforeEach(async () => { await resetProject(env); });
  afterEach(() => {
    for (const p of pids.splice(0)) killPid(p);
    for (const c of started.splice(0)) killGroup(c);
  });
  afterAll(async () => { await env?.cleanup(); });

  function straceGo(log: string, flags: string[], extraEnv: Record<string, string> = {}, modcache = env.modcache): ChildProcess {
    const child = spawn('strace', [...flags, '-o', log, 'go', 'mod', 'download', '-x'], {
      cwd: env.project, env: { ...env.env, GOMODCACHE: modcache, ...extraEnv }, detached: true, stdio: ['ignore', 'ignore', 'pipe'],
    });
    started.push(child);
    return child;
  }

  it('healthy download: cache locks taken and released quickly, go exits 0, nothing left blocked', async () => {
    const log = join(env.root, 'healthy.strace');
    const child = straceGo(log, ['-f', '-ttt', '-T', '-yy', '-s', '256'], {}, join(env.root, 'mc-healthy'));
    const code = await exited(child, 60_000);
    expect(code).toBe(0);
    const before = Date.now() / 1000;
    const ev = await loadStrace(log);
    const r = ev.toRecords(ev.firstTime!);
    expect(ev.input.format).toMatch(/^strace -f -ttt -T -yy?$/);
    expect(ev.firstTime!).toBeGreaterThan(before - 120);
    expect(ev.firstTime!).toBeLessThanOrEqual(before);
    const go = r.processes.find((p) => p.command === 'go');
    expect(go?.argv).toEqual(['go', 'mod', 'download', '-x']);
    expect(go?.exit).toEqual({ code: 0, signal: null });
    const locks = r.syscalls.filter((s) => s.kind === 'cache-lock' && s.module === `${MODULE}@${VERSION}`);
    expect(locks.length).toBeGreaterThan(0);
    for (const l of locks) {
      expect(l.duration).not.toBeNull();
      expect(l.duration!).toBeLessThan(0.5);
      expect(l.pid).toBe(go!.pid);
      expect(l.path).toMatch(/cache\/download\/example\.com\/!foo\/bar\/@v\/v1\.0\.0\.lock$/);
    }
    expect(r.syscalls.filter((s) => s.duration === null)).toEqual([]);
    expect(existsSync(join(env.root, 'mc-healthy', ESCAPED + '@' + VERSION, 'bar.go'))).toBe(true);
  });

  for (const variant of [
    { name: '-ttt -yy', flags: ['-f', '-ttt', '-T', '-yy'] },
    { name: 'plain -tt (no -yy: fd → path from openat)', flags: ['-f', '-tt'] },
  ]) {
    it(`download blocked on a cache lock held by another process (${variant.name})`, async () => {
      const modcache = join(env.root, `mc-lock-${variant.flags.length}`);
      const lock = env.lockPath.replace(env.modcache, modcache);
      await mkdir(dirname(lock), { recursive: true });
      await writeFile(lock, '');
      const holder = await holdLock(lock);
      started.push(holder);
      const log = join(env.root, `lock-${variant.flags.length}.strace`);
      const t0 = Date.now() / 1000;
      const st = spawn('strace', [...variant.flags, '-o', log, 'go', 'mod', 'download', '-x'], {
        cwd: env.project, env: { ...env.env, GOMODCACHE: modcache }, detached: true, stdio: 'ignore',
      });
      started.push(st);
      const goPid = await (async () => {
        let found: number | undefined;
        // strace forks short-lived probe children first: wait for the one running go.
        await waitFor(() => { found = childrenOf(st.pid!).find((p) => commOf(p) === 'go'); return found !== undefined; }, 10_000);
        return found;
      })();
      expect(goPid).toBeDefined();
      pids.push(goPid!);
      // Wait until strace has written the flock on the lock file, then a little longer.
      const blocked = await waitFor(() => {
        try { return /flock\(\d+(<[^>]*v1\.0\.0\.lock>)?, LOCK_EX/.test(readFileSync(log, 'utf8')); } catch { return false; }
      }, 20_000);
      expect(blocked).toBe(true);
      await new Promise((r) => setTimeout(r, 1500));
      // Stop strace first (its log ends with the call still open), then go, then the holder.
      killPid(st.pid!);
      await exited(st, 5000);
      killPid(goPid);
      killGroup(holder);

      const localDate = (() => { const d = new Date(t0 * 1000); return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`; })();
      const ev = await loadStrace(log, variant.name.startsWith('plain') ? { date: localDate } : {});
      const r = ev.toRecords(ev.firstTime!);
      expect(Math.abs(ev.firstTime! - t0)).toBeLessThan(30);
      const stuck = r.syscalls.filter((s) => s.kind === 'cache-lock' && s.duration === null);
      expect(stuck).toHaveLength(1);
      const s = stuck[0];
      expect(s.name).toBe('flock');
      expect(s.result).toBeNull();
      expect(s.module).toBe(`${MODULE}@${VERSION}`);
      expect(s.path).toBe(lock);
      expect(s.pid).toBe(goPid);
      expect(s.command).toBe('go');
      expect(s.start).toBeGreaterThan(0);
      const go = r.processes.find((p) => p.pid === goPid);
      expect(go?.argv).toEqual(['go', 'mod', 'download', '-x']);
      expect(go?.exit).toBeNull();
      if (variant.name.startsWith('plain')) {
        expect(ev.input.format).toBe('strace -f -tt');
        expect(ev.assumptions.join(' ')).toContain(`placed on ${localDate}`);
      } else {
        expect(ev.input.format).toMatch(/-ttt -T -yy?$/);
      }
    });
  }

  it('HTTP GOPROXY on loopback: connect records carry both endpoints (-yy and without)', async () => {
    const proxy = await serveProxy(env.proxyDir);
    try {
      for (const flags of [['-f', '-ttt', '-T', '-yy'], ['-f', '-ttt', '-T']]) {
        const log = join(env.root, `http-${flags.length}.strace`);
        const child = straceGo(log, flags, { GOPROXY: proxy.url }, join(env.root, `mc-http-${flags.length}`));
        expect(await exited(child, 60_000)).toBe(0);
        const ev = await loadStrace(log);
        const r = ev.toRecords(ev.firstTime!);
        const conns = r.syscalls.filter((s) => s.kind === 'connect' && s.socket?.remote === `${proxy.host}:${proxy.port}`);
        expect(conns.length).toBeGreaterThan(0);
        const go = r.processes.find((p) => p.command === 'go')!;
        for (const c of conns) {
          expect(c.pid).toBe(go.pid);
          expect(c.socket?.protocol).toBe('tcp');
          // go's getsockname right after connect (or the -yy annotation) gives the local side.
          expect(c.socket?.local).toMatch(/^127\.0\.0\.1:\d+$|^127\.\d+\.\d+\.\d+:\d+$/);
        }
      }
    } finally {
      await proxy.close();
    }
  });

  it.skipIf(!have('script'))('git asking for a password on the terminal: a blocked terminal-read by git', async () => {
    // git-remote-http prompts on /dev/tty: give it one (script(1) makes a pty) and never answer.
    const wall = await serveAuthWall();
    const gitconfig = join(env.root, 'gitconfig-auth');
    await writeFile(gitconfig, `[url "${wall.url}/repo"]\n\tinsteadOf = https://example.test/repo\n`);
    await writeFile(join(env.project, 'go.mod'), 'module x\n\ngo 1.19\n\nrequire example.test/repo.git v1.0.0\n');
    const log = join(env.root, 'prompt.strace');
    const vars = { ...env.env, GOPROXY: 'direct', GOPRIVATE: 'example.test', GOFLAGS: '-modcacherw -mod=mod', GIT_CONFIG_GLOBAL: gitconfig, GIT_TERMINAL_PROMPT: '1', GOMODCACHE: join(env.root, 'mc-prompt') };
    const envArgs = Object.entries(vars).map(([k, v]) => `${k}='${v.replace(/'/g, "'\\''")}'`).join(' ');
    const script = spawn('script', ['-qec', `env -i ${envArgs} strace -f -ttt -T -yy -o '${log}' go mod download -x`, '/dev/null'], {
      cwd: env.project, detached: true, stdio: ['pipe', 'ignore', 'ignore'],
    });
    started.push(script);
    try {
      const prompted = await waitFor(() => {
        try { return /read\(\d+<\/dev\/tty/.test(readFileSync(log, 'utf8')); } catch { return false; }
      }, 30_000);
      expect(prompted).toBe(true);
      await new Promise((r) => setTimeout(r, 700));
      const tree = descendantsOf(script.pid!);
      const st = tree.find((p) => commOf(p) === 'strace');
      killPid(st);
      for (const p of tree) pids.push(p);
    } finally {
      for (const p of descendantsOf(script.pid!)) killPid(p);
      killGroup(script);
      await wall.close();
    }
    const ev = await loadStrace(log);
    const r = ev.toRecords(ev.firstTime!);
    const reads = r.syscalls.filter((s) => s.kind === 'terminal-read');
    expect(reads.length).toBeGreaterThan(0);
    const blocked = reads.find((s) => s.duration === null)!;
    expect(blocked).toBeDefined();
    expect(blocked.path).toBe('/dev/tty');
    expect(blocked.command).toMatch(/^git/);
    const proc = r.processes.find((p) => p.pid === blocked.pid)!;
    expect(proc.argv.slice(1)).toEqual(['https://example.test/repo', `${wall.url}/repo`]);
    // Up the tree: git-remote-http ← git remote-http ← git ls-remote ← go.
    const chain: string[] = [];
    for (let p: typeof proc | undefined = proc; p; p = r.processes.find((q) => q.pid === p!.ppid)) chain.push(p.command ?? '?');
    expect(chain.at(-1)).toBe('go');
    expect(chain).toContain('git');
  });

  it('-ff per-process files of a real run, loaded by prefix: threads folded, locks found', async () => {
    const prefix = join(env.root, 'ff', 'trace');
    await mkdir(dirname(prefix), { recursive: true });
    const child = straceGo(prefix, ['-ff', '-ttt', '-T'], {}, join(env.root, 'mc-ff'));
    expect(await exited(child, 60_000)).toBe(0);
    const ev = await loadStrace(prefix);
    expect(ev.input.format).toBe('strace -ff -ttt -T');
    const r = ev.toRecords(ev.firstTime!);
    // go runs several threads, each with its own file; they are one process.
    const files = ev.input.warnings.find((w) => /-ff files merged/.test(w));
    expect(Number(/^(\d+)/.exec(files ?? '')?.[1])).toBeGreaterThan(1);
    expect(r.processes.map((p) => p.command)).toEqual(['go']);
    expect(r.processes[0].exit).toEqual({ code: 0, signal: null });
    const locks = r.syscalls.filter((s) => s.kind === 'cache-lock' && s.module === `${MODULE}@${VERSION}`);
    expect(locks.length).toBeGreaterThan(0);
    expect(locks.every((l) => l.pid === r.processes[0].pid && l.path !== null)).toBe(true);
  });

  it('git child in direct mode: the process tree knows git, its argv and its parent go', async () => {
    const { gitconfig } = await makeGitRepo(env);
    const log = join(env.root, 'git.strace');
    const child = straceGo(log, ['-f', '-ttt', '-T', '-yy', '-s', '256'], {
      GOPROXY: 'direct', GOPRIVATE: 'example.test', GOFLAGS: '-modcacherw -mod=mod', GIT_CONFIG_GLOBAL: gitconfig,
    }, join(env.root, 'mc-git'));
    const code = await exited(child, 60_000);
    expect(code).toBe(0);
    const ev = await loadStrace(log);
    const r = ev.toRecords(ev.firstTime!);
    const go = r.processes.find((p) => p.command === 'go')!;
    const gits = r.processes.filter((p) => p.command === 'git' && p.ppid === go.pid);
    expect(gits.length).toBeGreaterThan(2);
    const lsRemote = gits.find((p) => p.argv[1] === 'ls-remote');
    expect(lsRemote?.argv).toEqual(['git', 'ls-remote', 'https://example.test/repo']);
    expect(lsRemote?.exit?.code).toBe(0);
    expect(lsRemote!.start!).toBeGreaterThanOrEqual(0);
    expect(lsRemote!.end!).toBeGreaterThan(lsRemote!.start!);
    // git's own children hang below it.
    expect(r.processes.some((p) => p.ppid === lsRemote!.pid)).toBe(true);
    // The VCS repository lock, decoded.
    const vcs = r.syscalls.filter((s) => s.kind === 'cache-lock' && s.module?.startsWith('vcs:'));
    expect(vcs.length).toBeGreaterThan(0);
    expect(vcs[0].module).toMatch(/^vcs:[0-9a-f]{64}$/);
    const text = await readFile(log, 'utf8');
    expect(text).toContain(vcs[0].module!.slice(4));
  });
});
