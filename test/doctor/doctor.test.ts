import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { goEnvFindings, resolvFindings, noProxyCovers, heldCacheLocks, runDoctor, toolFinding } from '../../src/record/doctor.js';
import { renderDoctorTable } from '../../src/cli/doctor.js';
import { which } from '../../src/record/tools.js';
import { descendants } from '../../src/record/proctree.js';
import { makeFakes } from '../record/fakes.js';

const byId = (fs: { id: string }[], id: string) => fs.find((f) => f.id === id) as { status: string; value: string; hint: string | null } | undefined;

describe('doctor: go env findings', () => {
  it('flags GOPROXY=off as a failure and direct-only as a risk', () => {
    expect(byId(goEnvFindings({ GOPROXY: 'off' }, {}), 'env.GOPROXY')?.status).toBe('fail');
    const direct = byId(goEnvFindings({ GOPROXY: 'direct' }, {}), 'env.GOPROXY');
    expect(direct?.status).toBe('warn');
    expect(direct?.hint).toMatch(/git/);
  });

  it('flags a single mirror without a fallback, but not a list ending in direct', () => {
    expect(byId(goEnvFindings({ GOPROXY: 'https://goproxy.corp.example' }, {}), 'env.GOPROXY')?.hint).toMatch(/without a fallback/);
    expect(byId(goEnvFindings({ GOPROXY: 'https://a.example,https://b.example|direct' }, {}), 'env.GOPROXY')?.status).toBe('ok');
  });

  it('redacts credentials in GOPROXY and proxy variables', () => {
    const f = goEnvFindings({ GOPROXY: 'https://me:tok@goproxy.corp.example' }, { HTTPS_PROXY: 'http://u:p@10.1.1.1:3128' });
    const text = JSON.stringify(f);
    expect(text).not.toContain('tok@');
    expect(text).not.toContain('u:p@');
    expect(byId(f, 'env.proxy')?.value).toBe('HTTPS_PROXY=http://***@10.1.1.1:3128');
  });

  it('reports GOSUMDB off, GOPRIVATE, GOFLAGS and GOTOOLCHAIN=auto with hints', () => {
    const f = goEnvFindings({ GOPROXY: 'https://proxy.golang.org,direct', GOSUMDB: 'off', GOPRIVATE: 'git.corp.example/*', GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'auto' }, {});
    expect(byId(f, 'env.GOSUMDB')?.status).toBe('warn');
    expect(byId(f, 'env.GOPRIVATE')?.hint).toMatch(/git directly/);
    expect(byId(f, 'env.GOFLAGS')?.value).toBe('-mod=mod');
    expect(byId(f, 'env.GOTOOLCHAIN')?.hint).toMatch(/toolchain/);
  });

  it('says that GOFLAGS=-mod=vendor keeps go build from downloading, not go mod download', () => {
    const f = byId(goEnvFindings({ GOPROXY: 'https://proxy.golang.org,direct', GOFLAGS: '-mod=vendor' }, {}), 'env.GOFLAGS');
    expect(f?.status).toBe('info');
    expect(f?.hint).toMatch(/go build, go test and go list read vendor\/ and download nothing/);
    expect(f?.hint).toMatch(/go mod download .*still fetch/);
  });

  it('says whether NO_PROXY covers the GOPROXY host', () => {
    expect(noProxyCovers('localhost,.corp.example', 'goproxy.corp.example')).toBe(true);
    expect(noProxyCovers('localhost,corp.example', 'evilcorp.example')).toBe(false);
    const f = goEnvFindings({ GOPROXY: 'https://goproxy.corp.example,direct' }, { HTTPS_PROXY: 'http://10.0.0.1:3128', NO_PROXY: '.corp.example' });
    expect(byId(f, 'env.NO_PROXY')?.hint).toMatch(/covers/);
  });
});

describe('doctor: resolv.conf', () => {
  it('lists servers and the cost of a silent one', () => {
    const f = resolvFindings('# comment\nnameserver 10.0.0.2\nnameserver 10.0.0.3\noptions timeout:3 attempts:4\n');
    expect(byId(f, 'dns.servers')?.value).toBe('10.0.0.2 10.0.0.3');
    expect(byId(f, 'dns.servers')?.hint).toMatch(/3 s × 4 attempts/);
  });
  it('warns with no servers, and about search expansion with ndots > 1', () => {
    expect(byId(resolvFindings('search corp.example\n'), 'dns.servers')?.status).toBe('warn');
    expect(byId(resolvFindings('nameserver 1.1.1.1\nsearch a.example b.example\noptions ndots:5\n'), 'dns.search')?.value).toBe('a.example b.example (ndots:5)');
    expect(byId(resolvFindings(null), 'dns.servers')?.status).toBe('warn');
  });
});

describe('doctor: tools', () => {
  it('names the package for a missing tool', () => {
    const f = toolFinding({ name: 'tcpdump', path: null, version: null, versionLine: null }, 'record captures');
    expect(f.status).toBe('fail');
    expect(f.hint).toContain('apt-get install tcpdump');
    expect(toolFinding({ name: 'strace', path: '/x', version: '4.26', versionLine: '' }, '').hint).toMatch(/seccomp/);
  });

  it('with fake tools and no tcpdump: not ok, and the table says so', async () => {
    const fakes = makeFakes(['go', 'strace']);
    try {
      const r = await runDoctor({ env: { ...fakes.env, GOPROXY: 'off' }, probeCapture: false, resolvConf: '/nonexistent' });
      expect(r.ok).toBe(false);
      expect(byId(r.findings, 'tool.tcpdump')?.status).toBe('fail');
      expect(byId(r.findings, 'tool.go')?.value).toMatch(/^go1\.99\.1 /);
      expect(byId(r.findings, 'env.GOPROXY')?.status).toBe('fail');
      const table = renderDoctorTable(r, 140);
      expect(table).toMatch(/tcpdump\s*│\s*FAIL/);
      expect(table).toContain('record cannot run as is');
    } finally {
      fakes.cleanup();
    }
  });

  it('--no-probe: the capture permission is "not checked", and the table does not say record can run', async () => {
    const fakes = makeFakes();
    try {
      const r = await runDoctor({ env: { ...fakes.env, GOPROXY: 'https://proxy.example,direct' }, probeCapture: false, resolvConf: '/nonexistent' });
      expect(r.ok).toBe(true);
      expect(byId(r.findings, 'capture')).toMatchObject({ status: 'info', value: 'not checked (--no-probe)' });
      const table = renderDoctorTable(r, 140);
      expect(table).toMatch(/capture permission\s*│\s*info\s*│\s*not checked \(--no-probe\)/);
      expect(table).not.toContain('record can run here');
      expect(table.split('\n').at(-1)).toBe('nothing record needs is missing, but the capture permission was not checked (--no-probe): doctor without --no-probe starts tcpdump to check it.');
      const probed = { ...r, findings: r.findings.map((f) => (f.id === 'capture' ? { ...f, status: 'ok' as const, value: 'tcpdump can capture on any' } : f)) };
      expect(renderDoctorTable(probed, 140).split('\n').at(-1)).toBe('record can run here.');
    } finally {
      fakes.cleanup();
    }
  });
});

const real = ['go', 'tcpdump', 'flock'].every((t) => which(t)) && process.getuid?.() === 0;

describe.skipIf(!real)('doctor on this machine (real go and tcpdump, root)', () => {
  it('probes the capture for real and finds a module-cache lock held by another process', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gomod-trace-doctor-'));
    const lockDir = join(dir, 'cache', 'download', 'example.com', 'm', '@v');
    mkdirSync(lockDir, { recursive: true });
    const holder = spawn('flock', [join(lockDir, 'v1.0.0.lock'), 'sleep', '20'], { stdio: 'ignore' });
    try {
      // Until the holder holds the lock (not a fixed 300 ms: the machine may be busy).
      for (let i = 0; i < 200 && heldCacheLocks(dir).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      const r = await runDoctor({ env: { ...process.env, GOMODCACHE: dir, GOFLAGS: '' } });
      expect(byId(r.findings, 'capture')?.status).toBe('ok');
      const locks = byId(r.findings, 'cache.locks');
      expect(locks?.status).toBe('warn');
      expect(locks?.value).toContain(join(lockDir, 'v1.0.0.lock'));
      expect(locks?.value).toMatch(/flock|sleep/);
      expect(heldCacheLocks(dir).length).toBe(1);
    } finally {
      for (const p of descendants(holder.pid!)) process.kill(p, 'SIGKILL');
      holder.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
