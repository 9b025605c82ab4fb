/**
 * What a capture of a lab scenario shows, with real tcpdump on lo and the scenario's own capture
 * filter: the black hole really leaves SYNs unanswered (and retransmitted), the silent DNS server
 * really sends no response, and the filter selects only this world's traffic.
 * Needs root (tcpdump, port 53, unshare) and go.
 */
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScenario } from '../../src/lab/runner.js';
import { canIsolate } from '../../src/lab/isolate.js';
import { tcpdumpArgs } from '../../src/record/capture.js';

// Root, and a private mount namespace (not every container allows one): the lab's own preconditions.
const root = typeof process.getuid === 'function' && process.getuid() === 0 && (await canIsolate()).ok;
const haveTools = ['go', 'tcpdump'].every((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0);

interface Pkt { t: number; src: string; dst: string; proto: 'tcp' | 'udp'; sport: number; dport: number; flags: number }

/** Just enough pcap (DLT_EN10MB or DLT_NULL-free LINUX_SLL) + IPv4 + TCP/UDP for these checks. */
function readPcap(buf: Buffer): Pkt[] {
  expect(buf.length).toBeGreaterThanOrEqual(24);
  const magic = buf.readUInt32LE(0);
  expect([0xa1b2c3d4, 0xa1b23c4d]).toContain(magic);
  const nano = magic === 0xa1b23c4d;
  const linktype = buf.readUInt32LE(20);
  const linkLen = linktype === 1 ? 14 : linktype === 113 ? 16 : linktype === 276 ? 20 : -1;
  expect(linkLen).toBeGreaterThan(0);
  const out: Pkt[] = [];
  let p = 24;
  while (p + 16 <= buf.length) {
    const t = buf.readUInt32LE(p) + buf.readUInt32LE(p + 4) / (nano ? 1e9 : 1e6);
    const incl = buf.readUInt32LE(p + 8);
    const d = buf.subarray(p + 16, p + 16 + incl);
    p += 16 + incl;
    const ip = d.subarray(linkLen);
    if (ip.length < 20 || ip[0] >> 4 !== 4) continue;
    const ihl = (ip[0] & 15) * 4;
    const proto = ip[9];
    const src = [...ip.subarray(12, 16)].join('.');
    const dst = [...ip.subarray(16, 20)].join('.');
    const l4 = ip.subarray(ihl);
    if (l4.length < 8) continue;
    if (proto === 6) out.push({ t, src, dst, proto: 'tcp', sport: l4.readUInt16BE(0), dport: l4.readUInt16BE(2), flags: l4.length > 13 ? l4[13] : 0 });
    else if (proto === 17) out.push({ t, src, dst, proto: 'udp', sport: l4.readUInt16BE(0), dport: l4.readUInt16BE(2), flags: 0 });
  }
  return out;
}

const SYN = 0x02;
const ACK = 0x10;

/**
 * Start tcpdump on lo with `filter`; resolves once it is listening. --immediate-mode matters:
 * without it, packets still in the kernel's ring block when tcpdump gets SIGINT are never written
 * (a 30 ms healthy run left an empty capture).
 */
async function startTcpdump(file: string, filter: string) {
  const td = spawn('tcpdump', tcpdumpArgs({ tcpdump: 'tcpdump', file, interface: 'lo', filter }), { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`tcpdump did not start: ${err}`)), 10_000);
    td.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
      if (err.includes('listening on')) { clearTimeout(t); resolve(); }
    });
    td.once('exit', (code) => { clearTimeout(t); reject(new Error(`tcpdump exited ${code}: ${err}`)); });
  });
  /** Stop tcpdump; returns what it said (its closing counts: captured, dropped by kernel). */
  return async (): Promise<string> => {
    const gone = new Promise<void>((r) => td.once('exit', () => r()));
    td.kill('SIGINT');
    await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
    if (td.exitCode === null) td.kill('SIGKILL');
    return err.trim();
  };
}

async function captured(name: string, windowMs: number) {
  const dir = mkdtempSync(join(tmpdir(), 'lab-capture-'));
  const file = join(dir, 'c.pcap');
  let stop: (() => Promise<string>) | null = null;
  let tcpdumpSaid = '';
  try {
    const run = await runScenario(name, {
      timeoutMs: windowMs,
      onPrepared: async (p) => { stop = await startTcpdump(file, p.captureFilter); },
      inspect: async () => { tcpdumpSaid = (await stop?.()) ?? ''; stop = null; },
    });
    const packets = readPcap(readFileSync(file));
    // For a failing check: tcpdump's counts (a kernel drop explains a missing packet) and what it got.
    const seen = `tcpdump: ${tcpdumpSaid.replace(/\n/g, ' | ')}; ${packets.length} packets: ${packets.slice(0, 40).map((p) => `${p.proto} ${p.src}:${p.sport}>${p.dst}:${p.dport} ${p.flags}`).join(', ')}`;
    return { run, packets, seen };
  } finally {
    await (stop as (() => Promise<string>) | null)?.();
    rmSync(dir, { recursive: true, force: true });
  }
}

// Retried once, as the lab's verdict tests are: under the whole parallel suite on 2 cores a capture
// has once come back without the GOPROXY's SYN-ACK (the check then prints tcpdump's counts).
describe.skipIf(!root || !haveTools).concurrent('captures of lab scenarios (tcpdump on lo; needs root, go, tcpdump)', { retry: 1 }, () => {
  it('connect-blackhole: SYNs to the hole, re-sent, and never a SYN-ACK', async () => {
    const { run, packets } = await captured('connect-blackhole', 3500);
    const [host, port] = [run.scenario.expected.address!.split(':')[0], Number(run.scenario.expected.address!.split(':')[1])];
    const syns = packets.filter((p) => p.proto === 'tcp' && p.dst === host && p.dport === port && (p.flags & (SYN | ACK)) === SYN);
    const perPort = new Map<number, number>();
    for (const s of syns) perPort.set(s.sport, (perPort.get(s.sport) ?? 0) + 1);
    expect(syns.length).toBeGreaterThan(0);
    // Linux re-sends an unanswered SYN after ~1 s (then ~3 s): within 3.5 s a port sends at least 2.
    expect(Math.max(...perPort.values())).toBeGreaterThanOrEqual(2);
    const synAcks = packets.filter((p) => p.proto === 'tcp' && p.src === host && p.sport === port && (p.flags & (SYN | ACK)) === (SYN | ACK));
    expect(synAcks).toEqual([]);
    // The DNS exchange that named the hole is in the capture too, and nothing outside this world.
    expect(packets.some((p) => p.proto === 'udp' && p.dport === 53)).toBe(true);
    const net = run.scenario.captureFilter.replace(/^net (\d+\.\d+\.\d+)\.0\/24$/, '$1.');
    expect(packets.every((p) => p.src.startsWith(net) || p.dst.startsWith(net))).toBe(true);
  });

  it('dns-silent: queries to the lab DNS server, re-sent, and no response', async () => {
    const { run, packets } = await captured('dns-silent', 3000);
    const dns = run.scenario.world.dns;
    const queries = packets.filter((p) => p.proto === 'udp' && p.dst === dns.host && p.dport === 53);
    const answers = packets.filter((p) => p.proto === 'udp' && p.src === dns.host && p.sport === 53);
    expect(queries.length).toBeGreaterThanOrEqual(2);
    expect(answers).toEqual([]);
    expect(packets.filter((p) => p.proto === 'tcp')).toEqual([]);
  });

  it('healthy: a full exchange with the GOPROXY in the capture', async () => {
    const { run, packets, seen } = await captured('healthy', 20_000);
    expect(run.result.exitCode).toBe(0);
    const host = run.scenario.world.addr(10);
    expect(packets.some((p) => p.proto === 'tcp' && p.src === host && (p.flags & (SYN | ACK)) === (SYN | ACK)), seen).toBe(true);
    expect(packets.some((p) => p.proto === 'udp' && p.src === run.scenario.world.dns.host && p.sport === 53), seen).toBe(true);
  });
});
