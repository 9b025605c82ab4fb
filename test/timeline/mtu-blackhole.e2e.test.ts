/**
 * An MTU black hole made for real: in a network namespace of the test's own (its `lo` only, with
 * an Ethernet MTU of 1500), a tc filter on lo's ingress drops every packet of over 1,200 bytes the
 * server's port sends, after tcpdump has seen it. A node server answers a small HTTP request with
 * a 20 KB response whose full-size segments never arrive; the kernel re-sends the first with its
 * retransmission timer doubling. `bin/gomod-trace analyze` (npm run build first) must name the
 * stall: the response lost on the path. Needs root, ip, tc (cls_bpf) and tcpdump.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tcpdumpArgs } from '../../src/record/capture.js';
import type { Report } from '../../src/report/schema.js';

const BIN = fileURLToPath(new URL('../../bin/gomod-trace', import.meta.url));
const have = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const ready = process.getuid?.() === 0 && ['ip', 'tc'].every(have) && existsSync('/usr/bin/tcpdump');

const NS = `gomod-trace-mtu-${process.pid}`;
const PORT = 8080;
const dir = mkdtempSync(join(tmpdir(), 'gomod-trace-mtu-'));
const started: ChildProcess[] = [];

/** Run a command in the namespace; throws with its output when it fails. */
function inNs(args: string[]): string {
  const r = spawnSync('ip', ['netns', 'exec', NS, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr || r.stdout}`);
  return r.stdout;
}

/** Start a process in the namespace; resolves once it printed `until` on stdout or stderr. */
function startInNs(args: string[], until: RegExp): Promise<ChildProcess> {
  const child = spawn('ip', ['netns', 'exec', NS, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args[0]} did not start: ${out}`)), 10_000);
    const seen = (b: Buffer): void => {
      out += b.toString();
      if (until.test(out)) { clearTimeout(timer); resolve(child); }
    };
    child.stdout!.on('data', seen);
    child.stderr!.on('data', seen);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${args[0]} exited with ${code}: ${out}`)); });
  });
}

function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

const SERVER = `
const body = 'v'.repeat(20000);
require('node:net').createServer((s) => {
  s.on('error', () => {});
  s.once('data', () => s.write('HTTP/1.1 200 OK\\r\\nContent-Length: ' + body.length + '\\r\\n\\r\\n' + body));
}).listen(${PORT}, '127.0.0.1', () => console.log('listening'));`;

const CLIENT = `
const s = require('node:net').connect(${PORT}, '127.0.0.1', () => {
  s.write('GET /example.com/m/@v/list HTTP/1.1\\r\\nHost: goproxy.example\\r\\n\\r\\n');
  console.log('sent');
});
s.on('error', () => {});`;

describe.skipIf(!ready)('an MTU black hole in a network namespace (needs root, ip, tc, tcpdump)', () => {
  beforeAll(() => {
    spawnSync('ip', ['netns', 'add', NS]);
    inNs(['ip', 'link', 'set', 'lo', 'mtu', '1500', 'up']);
    inNs(['tc', 'qdisc', 'add', 'dev', 'lo', 'ingress']);
    // The drop rule as classic BPF from tcpdump's own compiler (frame length 1214 = a 1,200-byte IP
    // packet), its "keep" answer turned into tc's "drop" (TC_ACT_SHOT = 2) for direct action: no
    // tc action module needed.
    const code = inNs(['tcpdump', '-i', 'lo', '-ddd', `ip and tcp src port ${PORT} and greater 1214`])
      .trim().split('\n').map((l) => (/^6 0 0 [1-9]\d*$/.test(l) ? '6 0 0 2' : l));
    inNs(['tc', 'filter', 'add', 'dev', 'lo', 'parent', 'ffff:', 'protocol', 'all', 'prio', '1', 'bpf', 'bytecode', code.join(','), 'da']);
  });

  afterAll(async () => {
    for (const c of started) await stop(c);
    spawnSync('ip', ['netns', 'del', NS]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('the response re-sent and never acknowledged: stalled waiting for the response, lost on the path', async () => {
    const file = join(dir, 'capture.pcap');
    // tcpdump as `record` runs it.
    const capture = await startInNs(['/usr/bin/tcpdump', ...tcpdumpArgs({ tcpdump: '/usr/bin/tcpdump', file, interface: 'lo', filter: `tcp port ${PORT}` })], /listening on/);
    await startInNs([process.execPath, '-e', SERVER], /listening/);
    await startInNs([process.execPath, '-e', CLIENT], /sent/);
    // Re-sent after 0.2, 0.6, 1.4 and 3.0 s (Linux's minimum RTO, doubling).
    await new Promise((r) => setTimeout(r, 3500));
    await stop(capture, 'SIGINT');

    const run = spawnSync(BIN, ['analyze', file, '--format', 'json'], { encoding: 'utf8', timeout: 30_000 });
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    const c = report.connections.find((x) => x.server === `127.0.0.1:${PORT}`)!;
    expect(c.unacked, c.history).toMatchObject({ by: 'server' });
    expect(c.unacked!.resends).toBeGreaterThanOrEqual(3);
    expect(report.verdict, report.verdict.summary).toMatchObject({ stage: 'proxy-response', state: 'stalled', host: 'goproxy.example', address: `127.0.0.1:${PORT}` });
    expect(report.verdict.summary).toMatch(/^Packets between the client and goproxy\.example \(127\.0\.0\.1:8080\) are lost on the path: \d+ bytes of the response were never acknowledged by the client, re-sent \d+ times in \d\.\d s\.$/);
    expect(report.verdict.hints[0]).toMatch(/MTU black hole.*ping -M do -s 1472 127\.0\.0\.1/);

    const text = spawnSync(BIN, ['analyze', file], { encoding: 'utf8', timeout: 30_000 });
    expect(text.stdout).toMatch(/STALLED at proxy-response: Packets between the client and goproxy\.example/);
  }, 30_000);
});
