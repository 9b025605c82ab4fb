/**
 * End to end with the real go, tcpdump and strace against a lab GOPROXY on a random loopback
 * address: a healthy download, a stall stopped by --stall-after and --timeout, and a module-cache
 * lock held by another process (seen with --strace). Needs root (tcpdump) and the tools.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { record, type RecordOptions } from '../../src/record/index.js';
import { which } from '../../src/record/tools.js';
import { randomLoopbackNet } from '../../src/lab/address.js';
import { startGoProxy, type GoProxy } from '../../src/lab/goproxy.js';
import { readCapture } from '../../src/capture/reader.js';
import { decodePacket } from '../../src/decode/packet.js';
import { descendants } from '../../src/record/proctree.js';
import { heldCacheLocks } from '../../src/record/doctor.js';
import { Sink } from '../helpers/sink.js';

const haveTools = ['go', 'tcpdump', 'strace', 'flock'].every((t) => which(t) !== null);
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;


describe.skipIf(!haveTools || !isRoot)('record end to end (real go, tcpdump, strace; needs root)', () => {
  let proxy: GoProxy;
  let host: string;
  let work: string;

  beforeAll(async () => {
    host = `${randomLoopbackNet()}.1`;
    proxy = await startGoProxy({ host, faults: [{ kind: 'silent', match: /lab\.example\/util\/@v\/v0\.1\.0\.zip/ }] });
    work = mkdtempSync(join(tmpdir(), 'gomod-trace-e2e-'));
  });

  afterAll(async () => {
    await proxy?.close();
    if (work && !process.env.GOMOD_TRACE_KEEP_E2E) rmSync(work, { recursive: true, force: true });
  });

  function run(name: string, extra: RecordOptions = {}) {
    const cache = join(work, name, 'gopath');
    mkdirSync(cache, { recursive: true });
    const stdout = new Sink();
    const stderr = new Sink();
    const bundle = join(work, name, 'bundle');
    const opts: RecordOptions = {
      out: bundle,
      interface: 'lo',
      filter: `host ${host} and tcp port ${proxy.port}`,
      cwd: join(work, name),
      env: {
        GOPROXY: proxy.url,
        // go never proxies loopback; these are here to be redacted in env.json
        HTTP_PROXY: 'http://tester:hunter2@127.0.0.9:1',
        HTTPS_PROXY: 'http://tester:hunter2@127.0.0.9:1',
        GOSUMDB: 'off',
        GOPATH: cache,
        GOMODCACHE: join(cache, 'pkg', 'mod'),
        GOFLAGS: '-modcacherw',
        GOCACHE: join(work, name, 'gocache'),
        HOME: join(work, name),
      },
      stdout,
      stderr,
      quitGraceMs: 2000,
      ...extra,
    };
    return { bundle, stdout, stderr, opts, cache };
  }

  async function packetsToProxy(file: string): Promise<number> {
    let n = 0;
    await readCapture(file, (p) => {
      const d = decodePacket(p);
      if (d.tcp && (d.tcp.dstPort === proxy.port || d.tcp.srcPort === proxy.port)) n++;
    });
    return n;
  }

  it('records a healthy go mod download: capture, timestamped go.log, meta, redacted env', async () => {
    const r0 = run('healthy');
    const r = await record({ ...r0.opts, command: ['mod', 'download', 'lab.example/greet@v1.2.0'], strace: true });
    expect(r.exitCode, r0.stderr.text).toBe(0);
    expect(r.stoppedBy).toBe('go-exited');
    expect(await packetsToProxy(join(r0.bundle, 'capture.pcap'))).toBeGreaterThan(10);
    const log = readFileSync(join(r0.bundle, 'go.log'), 'utf8');
    expect(log).toMatch(/^\d{10}\.\d{6} E # get http:\/\/[^ ]*lab\.example\/greet\/@v\/v1\.2\.0\.zip$/m);
    expect(log).toMatch(/^\d{10}\.\d{6} E # get http:\/\/[^ ]*lab\.example\/greet\/@v\/v1\.2\.0\.zip: 200 OK \(\d+\.\d+s\)$/m);
    const strace = readFileSync(join(r0.bundle, 'strace.log'), 'utf8');
    expect(strace).toMatch(/^\d+ +\d{10}\.\d{6} execve\(/m);
    expect(strace).toMatch(new RegExp(`connect\\(\\d+<TCP:\\[[^\\]]*\\]>, \\{sa_family=AF_INET, sin_port=htons\\(${proxy.port}\\)`));
    const meta = JSON.parse(readFileSync(join(r0.bundle, 'meta.json'), 'utf8'));
    expect(meta.exit.status).toBe(0);
    expect(meta.versions.go).toMatch(/^go1\.\d+/);
    expect(meta.versions.tcpdump).toMatch(/^\d+\.\d+/);
    expect(meta.capture.captured).toBeGreaterThan(10);
    expect(meta.capture.droppedByKernel).toBe(0);
    const env = readFileSync(join(r0.bundle, 'env.json'), 'utf8');
    expect(env).not.toContain('hunter2');
    expect(JSON.parse(env).proxy.HTTPS_PROXY).toBe('http://***@127.0.0.9:1');
    expect(JSON.parse(env).go.GOPROXY).toBe(proxy.url);
    expect(existsSync(join(r0.cache, 'pkg', 'mod', 'lab.example', 'greet@v1.2.0'))).toBe(true);
  });

  it('stops a download stuck on a silent GOPROXY after --stall-after, with the goroutine dump', async () => {
    const r0 = run('stall');
    const t = Date.now();
    const r = await record({ ...r0.opts, command: ['mod', 'download', 'lab.example/util@v0.1.0'], stallAfter: 2, analyze: true });
    expect(JSON.parse(readFileSync(join(r0.bundle, 'report.json'), 'utf8')).verdict).toMatchObject({ stage: 'proxy-response', state: 'stalled', address: `${host}:${proxy.port}` });
    expect(r0.stdout.text).toMatch(/STALLED at proxy-response/);
    expect(r.exitCode).toBe(124);
    expect(r.stoppedBy).toBe('stall');
    expect(Date.now() - t).toBeLessThan(20_000);
    const log = readFileSync(join(r0.bundle, 'go.log'), 'utf8');
    expect(log).toMatch(/ E # get http:\/\/\S+\/lab\.example\/util\/@v\/v0\.1\.0\.zip$/m);
    expect(log).not.toMatch(/v0\.1\.0\.zip: /);
    expect(log).toMatch(/ E SIGQUIT: quit$/m);
    expect(log).toMatch(/ E goroutine \d+ \[/m);
    expect(log).toContain('net/http.(*persistConn)');
    expect(await packetsToProxy(join(r0.bundle, 'capture.pcap'))).toBeGreaterThan(3);
  });

  it('shows live progress on a TTY from the growing capture: packets and what it waits for', async () => {
    const r0 = run('progress');
    Object.assign(r0.stderr, { isTTY: true, columns: 200 });
    const r = await record({ ...r0.opts, command: ['mod', 'download', 'lab.example/util@v0.1.0'], stallAfter: 3 });
    expect(r.exitCode).toBe(124);
    const frames = r0.stderr.text.split('\r\x1b[2K').map((f) => f.trim()).filter((f) => /^\d+s \|/.test(f));
    expect(frames.length).toBeGreaterThan(2);
    const last = frames[frames.length - 1];
    expect(last).toMatch(/\| [1-9]\d* pkts \|/);
    expect(last).toMatch(/conn \d+ in flight/);
    expect(last).toMatch(new RegExp(`\\d+ s waiting for a response from ${host.replace(/\./g, '\\.')}:${proxy.port}`));
  });

  it('--timeout stops it too', async () => {
    const r0 = run('timeout');
    const r = await record({ ...r0.opts, command: ['mod', 'download', 'lab.example/util@v0.1.0'], timeout: 2 });
    expect(r.exitCode).toBe(124);
    expect(r.stoppedBy).toBe('timeout');
    expect(JSON.parse(readFileSync(join(r0.bundle, 'meta.json'), 'utf8')).stoppedBy).toBe('timeout');
  });

  it('a module-cache lock held elsewhere: --strace shows the blocked flock, no traffic counts as a stall', async () => {
    const r0 = run('lock');
    const lockDir = join(r0.cache, 'pkg', 'mod', 'cache', 'download', 'lab.example', 'greet', '@v');
    mkdirSync(lockDir, { recursive: true });
    const lockFile = join(lockDir, 'v1.1.0.lock');
    const holder: ChildProcess = spawn('flock', [lockFile, 'sleep', '30'], { stdio: 'ignore', detached: true });
    try {
      // wait until the holder really holds the lock (the machine can be busy)
      for (let i = 0; i < 100 && heldCacheLocks(join(r0.cache, 'pkg', 'mod')).length === 0; i++) await new Promise((res) => setTimeout(res, 50));
      expect(heldCacheLocks(join(r0.cache, 'pkg', 'mod')).map((l) => l.path)).toEqual([lockFile]);
      const r = await record({ ...r0.opts, command: ['mod', 'download', 'lab.example/greet@v1.1.0'], strace: true, stallAfter: 2, analyze: true });
      expect(r.exitCode).toBe(124);
      const strace = readFileSync(join(r0.bundle, 'strace.log'), 'utf8');
      const escaped = lockFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      // blocked until SIGQUIT: printed as unfinished (when other threads interleave) or, when
      // not, whole with the interrupted result
      expect(strace).toMatch(new RegExp(`flock\\(\\d+<${escaped}>, LOCK_EX(?: <unfinished \\.\\.\\.>|\\) += \\? ERESTART)`));
      const log = readFileSync(join(r0.bundle, 'go.log'), 'utf8');
      expect(log).toContain('syscall.Flock');
      // the holder is not ours to kill: it must still be there, and meta.json names it
      expect(holder.exitCode).toBeNull();
      const meta = JSON.parse(readFileSync(join(r0.bundle, 'meta.json'), 'utf8'));
      // the analysis of the bundle names the stall, in report.json and on the terminal
      expect(JSON.parse(readFileSync(join(r0.bundle, 'report.json'), 'utf8')).verdict).toMatchObject({ stage: 'cache-lock', state: 'stalled', path: lockFile });
      expect(existsSync(join(r0.bundle, 'report.html'))).toBe(true);
      expect(r0.stdout.text).toMatch(/STALLED at cache-lock/);
      expect(meta.locks).toEqual(expect.arrayContaining([expect.objectContaining({ path: lockFile, pid: holder.pid, command: 'flock' })]));
    } finally {
      for (const p of descendants(holder.pid!)) process.kill(p, 'SIGKILL');
      holder.kill('SIGKILL');
    }
  });
});
