import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, appendFileSync, rmSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseVersion, compareVersions, straceHasSeccomp, which } from '../../src/record/tools.js';
import { withXFlag, LineSplitter, MAX_LINE, formatLogLine } from '../../src/record/golog.js';
import { redactCredentials, createBundleDir, defaultBundleName, envDocument } from '../../src/record/bundle.js';
import { parseCaptureStats, tcpdumpArgs, firstErrorLine } from '../../src/record/capture.js';
import { straceArgs } from '../../src/record/strace.js';
import { StallWatcher, type StopReason } from '../../src/record/stall.js';
import { PacketCounter } from '../../src/record/packetcount.js';
import { FetchTracker } from '../../src/record/fetches.js';
import { summarize } from '../../src/record/live.js';
import { resolveRunAs, goEnvironment, sudoEnvWarning } from '../../src/record/privileges.js';
import { Progress, formatSeconds } from '../../src/record/progress.js';
import { goArgs, withoutAsyncPreempt } from '../../src/record/index.js';

describe('tools', () => {
  it('parses each banner', () => {
    expect(parseVersion('go', 'go version go1.19.8 linux/amd64')).toBe('go1.19.8');
    expect(parseVersion('go', 'go version go1.22rc1 linux/amd64')).toBe('go1.22rc1');
    expect(parseVersion('tcpdump', 'tcpdump version 4.99.3\nlibpcap version 1.10.3')).toBe('4.99.3');
    expect(parseVersion('strace', 'strace -- version 6.1\nCopyright')).toBe('6.1');
    expect(parseVersion('strace', 'garbage')).toBeNull();
    expect(parseVersion('setpriv', 'setpriv from util-linux 2.38.1')).toBe('2.38.1');
  });
  it('compares versions and knows when strace has seccomp-bpf', () => {
    expect(compareVersions('5.3', '5.10')).toBeLessThan(0);
    expect(compareVersions('go1.21.0', 'go1.9')).toBeGreaterThan(0);
    expect(straceHasSeccomp('5.2')).toBe(false);
    expect(straceHasSeccomp('5.3')).toBe(true);
    expect(straceHasSeccomp(null)).toBe(false);
  });
  it('walks PATH', () => {
    expect(which('sh', '/nonexistent:/bin:/usr/bin')).toMatch(/\/sh$/);
    expect(which('no-such-tool-gomodtrace', '/bin:/usr/bin')).toBeNull();
  });
});

describe('go log', () => {
  it('adds -x to GOFLAGS once, keeping the user flags', () => {
    expect(withXFlag(undefined)).toBe('-x');
    expect(withXFlag('-mod=mod  -modcacherw')).toBe('-mod=mod -modcacherw -x');
    expect(withXFlag('-x -mod=mod')).toBe('-mod=mod -x');
    expect(withXFlag('-x=false')).toBe('-x');
  });
  it('formats lines with 6 decimals', () => {
    expect(formatLogLine(1764045000.1234567, 'E', '# get x')).toBe('1764045000.123457 E # get x\n');
  });
  it('splits lines across chunks, strips CR, bounds long lines', () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l));
    s.push('ab');
    s.push('c\r\nd\n\nlast');
    s.flush();
    expect(lines).toEqual(['abc', 'd', '', 'last']);
    const big: string[] = [];
    const b = new LineSplitter((l) => big.push(l));
    b.push('x'.repeat(MAX_LINE * 2 + 5));
    expect(big.length).toBe(2);
    b.flush();
    expect(big.map((l) => l.length)).toEqual([MAX_LINE, MAX_LINE, 5]);
  });
  it('tracks open -x fetches', () => {
    const f = new FetchTracker();
    f.line(10, '# get https://p.example/a/@v/list');
    f.line(11, '# get https://p.example/b/@v/list');
    f.line(12, '# get https://p.example/a/@v/list: 200 OK (0.1s)');
    expect([...f.open.keys()]).toEqual(['https://p.example/b/@v/list']);
    expect(f.oldest()?.since).toBe(11);
    expect(f.finished).toBe(1);
  });
});

describe('bundle', () => {
  it('redacts credentials in URLs, keeping @v paths', () => {
    expect(redactCredentials('https://user:pass@goproxy.example/mod,direct')).toBe('https://***@goproxy.example/mod,direct');
    expect(redactCredentials('https://token@a.example|https://b.example/x/@v/list')).toBe('https://***@a.example|https://b.example/x/@v/list');
    expect(redactCredentials('socks5://u:p@10.0.0.1:1080')).toBe('socks5://***@10.0.0.1:1080');
  });
  it('env.json redacts every value', () => {
    const doc = envDocument({ GOPROXY: 'https://a:b@x.example', GONOSUMDB: 'corp.example' }, null, { https_proxy: 'http://c:d@y:1', PATH: '/bin' });
    expect(JSON.stringify(doc)).not.toMatch(/a:b|c:d/);
    expect((doc.proxy as Record<string, string>).PATH).toBeUndefined();
  });
  it('names default bundles by local time and never reuses one', () => {
    expect(defaultBundleName(new Date(2026, 0, 2, 3, 4, 5))).toBe('gomod-trace-20260102-030405');
    const dir = mkdtempSync(join(tmpdir(), 'gomod-trace-bundle-'));
    try {
      const a = createBundleDir(undefined, dir);
      const b = createBundleDir(undefined, dir);
      expect(a).not.toBe(b);
      expect(readdirSync(dir).length).toBe(2);
      expect(existsSync(join(a, 'meta.json'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('tcpdump and strace command lines', () => {
  it('tcpdump: defaults, interface, filter, snaplen', () => {
    const a = tcpdumpArgs({ tcpdump: 'tcpdump', file: '/o/c.pcap', version: '4.99.3' });
    expect(a.slice(0, 7)).toEqual(['-i', 'any', '-U', '-s', '0', '-w', '/o/c.pcap']);
    expect(a).toContain('--immediate-mode');
    const b = tcpdumpArgs({ tcpdump: 'tcpdump', file: 'f', interface: 'eth0', filter: 'port 53', snaplen: 128, version: '4.5' });
    expect(b).not.toContain('--immediate-mode');
    expect(b[b.length - 1]).toBe('port 53');
    expect(b.slice(0, 5)).toEqual(['-i', 'eth0', '-U', '-s', '128']);
  });
  it('parses the closing counts and the complaint', () => {
    const text = 'tcpdump: listening on any\n12 packets captured\n15 packets received by filter\n0 packets dropped by kernel\n';
    expect(parseCaptureStats(text)).toEqual({ captured: 12, receivedByFilter: 15, droppedByKernel: 0 });
    expect(parseCaptureStats('')).toEqual({ captured: null, receivedByFilter: null, droppedByKernel: null });
    expect(firstErrorLine('tcpdump: eth9: No such device exists\n(SIOCGIFHWADDR: No such device)\n')).toBe('tcpdump: eth9: No such device exists');
  });
  it('strace: seccomp-bpf only from 5.3, -u under sudo, -- before go', () => {
    const a = straceArgs({ strace: 's', version: '6.1', file: '/o/strace.log', user: 'alice' });
    expect(a).toEqual(expect.arrayContaining(['-f', '-ttt', '-T', '-yy', '-s', '256', '--seccomp-bpf', '-o', '/o/strace.log', '-u', 'alice']));
    expect(a[a.length - 1]).toBe('--');
    expect(a.find((x) => x.startsWith('trace='))).toMatch(/^trace=%network,%process,flock,fcntl(,|$)/);
    expect(straceArgs({ strace: 's', version: '4.26', file: 'f' })).not.toContain('--seccomp-bpf');
  });
});

describe('stall watcher', () => {
  it('fires on no progress, is reset by progress, fires once', () => {
    let now = 1000;
    const stops: StopReason[] = [];
    const w = new StallWatcher({ stallAfter: 5, now: () => now, onStop: (r) => stops.push(r), tickMs: 1e9 });
    now += 4;
    w.check();
    w.progress();
    now += 4;
    w.check();
    expect(stops).toEqual([]);
    now += 1.5;
    w.check();
    w.check();
    expect(stops).toEqual([{ kind: 'stall', seconds: 5 }]);
    w.stop();
  });
  it('timeout wins even with progress', () => {
    let now = 0;
    const stops: StopReason[] = [];
    const w = new StallWatcher({ timeout: 10, stallAfter: 5, now: () => now, onStop: (r) => stops.push(r), tickMs: 1e9 });
    for (let i = 0; i < 12; i++) {
      now += 1;
      w.progress();
      w.check();
    }
    expect(stops).toEqual([{ kind: 'timeout', seconds: 10 }]);
    w.stop();
  });
});

describe('packet counter on a growing pcap', () => {
  it('counts whole records only, as they are appended', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gomod-trace-pc-'));
    const file = join(dir, 'c.pcap');
    try {
      const header = Buffer.alloc(24);
      header.writeUInt32LE(0xa1b2c3d4, 0);
      header.writeUInt16LE(2, 4);
      header.writeUInt16LE(4, 6);
      header.writeUInt32LE(262144, 16);
      header.writeUInt32LE(1, 20);
      const rec = (sec: number, len: number) => {
        const b = Buffer.alloc(16 + len);
        b.writeUInt32LE(sec, 0);
        b.writeUInt32LE(500000, 4);
        b.writeUInt32LE(len, 8);
        b.writeUInt32LE(len, 12);
        return b;
      };
      const c = new PacketCounter(file);
      expect(c.poll()).toBe(0); // not there yet
      writeFileSync(file, header.subarray(0, 10));
      expect(c.poll()).toBe(0);
      appendFileSync(file, header.subarray(10));
      const r1 = rec(100, 60);
      appendFileSync(file, r1.subarray(0, 30)); // half a record
      expect(c.poll()).toBe(0);
      appendFileSync(file, Buffer.concat([r1.subarray(30), rec(101, 40)]));
      expect(c.poll()).toBe(2);
      expect(c.packets).toBe(2);
      expect(c.lastPacketTime).toBe(101.5);
      appendFileSync(file, rec(102, 0));
      expect(c.poll()).toBe(1);
      c.close();
      const bad = new PacketCounter(join(dir, 'bad'));
      writeFileSync(join(dir, 'bad'), Buffer.alloc(40, 7));
      expect(bad.poll()).toBe(0);
      expect(bad.broken).toMatch(/not a pcap/);
      bad.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('live suspicion', () => {
  const conn = (o: Record<string, unknown>) => ({
    uid: 'C1', client: '10.0.0.1:5000', server: '1.2.3.4:443', syns: [1], synAck: 1.01, established: 1.02, reset: null, closed: null,
    tls: null, proxyConnect: null, waits: [], ...o,
  });
  it('names the oldest wait: ServerHello, SYN-ACK, DNS', () => {
    const tls = { clientHello: 1.03, serverHello: null, sni: 'proxy.golang.org', established: null };
    const s = summarize({ t0: 1000, dns: [], connections: [conn({ tls }) as never], end: null }, 1013);
    expect(s.suspicion).toBe('12 s waiting for a ServerHello from 1.2.3.4:443 (proxy.golang.org)');
    expect(s.connectionsInFlight).toBe(1);
    const d = summarize({ t0: 1000, dns: [{ name: 'proxy.golang.org', type: 'AAAA', server: '10.0.0.53:53', queries: [0.5, 5.5], response: null } as never], connections: [conn({ synAck: null, established: null, syns: [2, 3, 5] }) as never], end: null }, 1010);
    expect(d.suspicion).toMatch(/^10 s waiting for a DNS answer for proxy.golang.org \(AAAA\)/);
    expect(d.dnsInFlight).toBe(1);
  });
  it('nothing suspicious when all is answered', () => {
    expect(summarize({ t0: 0, dns: [], connections: [conn({}) as never], end: null }, 50).suspicion).toBeNull();
  });
});

describe('privileges', () => {
  const passwd = [{ name: 'alice', uid: 1000, gid: 1000, home: '/home/alice' }, { name: 'root', uid: 0, gid: 0, home: '/root' }];
  const root = process.getuid?.() === 0;
  it.skipIf(!root)('under sudo, go runs as the invoking user with their HOME', () => {
    const env = { SUDO_UID: '1000', SUDO_GID: '1000', SUDO_USER: 'alice', HOME: '/root', USER: 'root', PATH: '/bin', SUDO_COMMAND: 'x' };
    const r = resolveRunAs(env, { passwd });
    expect(r).toEqual({ uid: 1000, gid: 1000, name: 'alice', home: '/home/alice', sudo: true });
    const goEnv = goEnvironment(env, r, { GOPROXY: 'http://127.0.0.1:1' });
    expect(goEnv.HOME).toBe('/home/alice');
    expect(goEnv.USER).toBe('alice');
    expect(goEnv.SUDO_COMMAND).toBeUndefined();
    expect(goEnv.GOPROXY).toBe('http://127.0.0.1:1');
    expect(sudoEnvWarning(env, r)).toMatch(/sudo -E/);
    expect(sudoEnvWarning({ ...env, GOPROXY: 'x' }, r)).toBeNull();
    expect(resolveRunAs(env, { passwd, asRoot: true }).sudo).toBe(false);
  });
  it('without sudo, go runs as we do', () => {
    const r = resolveRunAs({ HOME: '/h', USER: 'me' }, { passwd });
    expect(r.sudo).toBe(false);
    expect(r.uid).toBe(process.getuid?.());
  });
});

describe('progress line', () => {
  it('is silent without a TTY, and shows elapsed, packets, open fetches on one', async () => {
    const quiet = new Progress({ out: null, captureFile: null });
    quiet.tick(5, 0);
    let text = '';
    const out = { write: (s: string) => { text += s; return true; }, columns: 200 } as unknown as NodeJS.WritableStream;
    const p = new Progress({ out, captureFile: null });
    p.line(Date.now() / 1000 - 7, 'E', '# get https://proxy.example/m/@v/v1.0.0.zip');
    p.tick(42, 1);
    expect(text).toMatch(/^\r\x1b\[2K0s \| 42 pkts \| 1 fetch open \| 7 s waiting for https:\/\/proxy\.example\/m\/@v\/v1\.0\.0\.zip$/);
    await p.done();
    expect(text.endsWith('\r\x1b[2K')).toBe(true);
    expect(formatSeconds(125)).toBe('2m05s');
  });
  it('turns off async preemption under strace, keeping the user GODEBUG', () => {
    expect(withoutAsyncPreempt(undefined)).toBe('asyncpreemptoff=1');
    expect(withoutAsyncPreempt('http2debug=1')).toBe('http2debug=1,asyncpreemptoff=1');
    expect(withoutAsyncPreempt('asyncpreemptoff=0')).toBe('asyncpreemptoff=0');
  });
  it('takes go arguments with or without the leading go', () => {
    expect(goArgs(undefined)).toEqual(['mod', 'download']);
    expect(goArgs(['go', 'get', 'x@v1'])).toEqual(['get', 'x@v1']);
    expect(goArgs(['list', '-m', 'all'])).toEqual(['list', '-m', 'all']);
  });
});
