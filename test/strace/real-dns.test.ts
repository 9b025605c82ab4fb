// A real go 1.19 download stalled in DNS: go's own resolver asks a loopback name server that never
// answers (its own resolv.conf, bind-mounted in a private mount namespace). strace is killed while
// go waits, then go gets SIGQUIT: the strace log shows the DNS sockets and the blocked net wait,
// go's log the open fetch and goroutines parked in the resolver. Needs root (mount, port 53).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync, existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { loadStrace } from '../../src/strace/index.js';
import { loadGoLog } from '../../src/gotool/index.js';
import { makeGoEnv, have, childrenOf, commOf, killPid, killGroup, waitFor, spawn, ESCAPED, type GoEnv } from '../fixtures/strace/goenv.js';

const canRun = process.getuid?.() === 0 && ['go', 'strace', 'unshare', 'zip'].every(have)
  && spawnSync('unshare', ['-m', 'true'], { timeout: 10_000 }).status === 0;

describe.skipIf(!canRun)('go stalled in DNS (real strace and SIGQUIT dump)', () => {
  let env: GoEnv;
  let dns: Socket | undefined;
  let ns = '';
  const started: ChildProcess[] = [];
  beforeAll(async () => {
    env = await makeGoEnv();
    ns = `127.${1 + Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}.1`;
    dns = createSocket('udp4');
    dns.on('message', () => { /* never answer */ });
    await new Promise<void>((ok, bad) => { dns!.once('error', bad); dns!.bind(53, ns, () => ok()); });
  });
  afterAll(async () => {
    for (const c of started) killGroup(c);
    dns?.close();
    await env?.cleanup();
  });

  it('strace: DNS sockets to the silent server and a blocked net wait; go log: open fetch, resolver goroutines', async () => {
    const resolv = join(env.root, 'resolv.conf');
    await writeFile(resolv, `nameserver ${ns}\noptions timeout:5 attempts:1\n`);
    const log = join(env.root, 'dns.strace');
    const child = spawn('unshare', ['-m', 'sh', '-c', `mount --bind '${resolv}' /etc/resolv.conf && exec strace -f -ttt -T -yy -o '${log}' go mod download -x`], {
      cwd: env.project, detached: true, stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...env.env, GOPROXY: 'https://proxy.example.test', GODEBUG: 'netdns=go', GOMODCACHE: join(env.root, 'mc-dns') },
    });
    started.push(child);
    const lines: string[] = [];
    let rest = '';
    child.stderr!.on('data', (d: Buffer) => {
      const parts = (rest + d.toString()).split('\n');
      rest = parts.pop()!;
      const t = (Date.now() / 1000).toFixed(6);
      for (const p of parts) lines.push(`${t} E ${p}`);
    });
    const asked = await waitFor(() => existsSync(log) && readFileSync(log, 'utf8').includes(`${ns}:53`), 20_000);
    expect(asked).toBe(true);
    await new Promise((r) => setTimeout(r, 1500));
    let goPid: number | undefined;
    await waitFor(() => { goPid = childrenOf(child.pid!).find((p) => commOf(p) === 'go'); return goPid !== undefined; }, 5000);
    expect(goPid).toBeDefined();
    killPid(child.pid!);           // strace: its log ends with go still waiting
    await new Promise((r) => setTimeout(r, 200));
    killPid(goPid, 'SIGQUIT');     // go: prints its goroutines and exits
    await waitFor(() => !existsSync(`/proc/${goPid}`) || commOf(goPid!) === null, 10_000);
    killPid(goPid);
    await new Promise((r) => setTimeout(r, 100));
    if (rest) lines.push(`${(Date.now() / 1000).toFixed(6)} E ${rest}`);

    const st = await loadStrace(log);
    const r = st.toRecords(st.firstTime!);
    const dnsCalls = r.syscalls.filter((s) => s.kind === 'dns');
    expect(dnsCalls.length).toBeGreaterThan(0);
    for (const s of dnsCalls) {
      expect(s).toMatchObject({ pid: goPid, command: 'go', name: 'connect' });
      expect(s.socket).toMatchObject({ remote: `${ns}:53`, protocol: 'udp' });
    }
    expect(r.syscalls.some((s) => s.kind === 'net-wait' && s.duration === null && s.pid === goPid)).toBe(true);
    expect(r.syscalls.some((s) => s.kind === 'cache-lock' && s.duration === null)).toBe(false);

    const goLog = join(env.root, 'dns.go.log');
    await writeFile(goLog, lines.join('\n') + '\n');
    const gl = await loadGoLog(goLog);
    const g = gl.toRecords(st.firstTime!);
    const mod = g.fetches.find((f) => decodeURIComponent(f.url) === `https://proxy.example.test/${ESCAPED}/@v/v1.0.0.mod`);
    expect(mod).toMatchObject({ host: 'proxy.example.test', end: null, status: null, error: null });
    const inResolver = g.goroutines.filter((x) => x.waitsOn === 'dns');
    expect(inResolver.length).toBeGreaterThan(0);
    expect(inResolver.map((x) => x.frame)).toContain('net.dnsPacketRoundTrip');
  });
});
