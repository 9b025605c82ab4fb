/**
 * A real capture: tcpdump on loopback (filtered to our own address) while we make a TCP connection
 * and send a UDP datagram, read back while it is still being written (follow) and after.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { createSocket } from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCapture } from '../../src/capture/reader.js';
import { decodePacket } from '../../src/decode/packet.js';
import { formatIp } from '../../src/decode/address.js';
import { TCP_ACK, TCP_SYN } from '../../src/decode/types.js';
import { tcpdumpArgs } from '../../src/record/capture.js';

const haveTcpdump = spawnSync('tcpdump', ['--version']).status === 0 && process.getuid?.() === 0;
const dir = await mkdtemp(join(tmpdir(), 'gomod-trace-tcpdump-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

const host = `127.${10 + Math.floor(Math.random() * 200)}.${1 + Math.floor(Math.random() * 250)}.1`;

describe.skipIf(!haveTcpdump)('real tcpdump capture on loopback', () => {
  it('reads the handshake, the data and the datagram, following the file as it grows', async () => {
    const file = join(dir, 'lo.pcap');
    const td = spawn('tcpdump', tcpdumpArgs({ tcpdump: 'tcpdump', file, interface: 'lo', filter: `host ${host}` }), { stdio: ['ignore', 'ignore', 'pipe'] });
    const timer = setTimeout(() => td.kill('SIGKILL'), 30_000);
    try {
      await new Promise<void>((resolve, reject) => {
        let err = '';
        td.stderr!.on('data', (d: Buffer) => {
          err += d.toString();
          if (err.includes('listening on')) resolve();
        });
        td.on('exit', (code) => reject(new Error(`tcpdump exited ${code}: ${err}`)));
      });
      const ac = new AbortController();
      const followed: number[] = [];
      const following = readCapture(file, (p) => followed.push(p.frame), { follow: true, signal: ac.signal, pollMs: 50 });

      const message = Buffer.from('GET /github.com/x/y/@v/list HTTP/1.1\r\n\r\n');
      const server = createServer((s) => s.on('data', () => s.end('HTTP/1.1 200 OK\r\n\r\n')));
      await new Promise<void>((r) => server.listen(0, host, r));
      const port = (server.address() as { port: number }).port;
      await new Promise<void>((resolve, reject) => {
        const c = connect(port, host, () => c.write(message));
        c.on('data', () => c.end());
        c.on('close', () => resolve());
        c.on('error', reject);
      });
      server.close();
      const sock = createSocket('udp4');
      await new Promise<void>((r) => sock.send(Buffer.from('dns?'), 53, host, () => r()));
      sock.close();
      await new Promise((r) => setTimeout(r, 500));

      td.kill('SIGINT');
      await new Promise((r) => td.once('exit', r));
      await new Promise((r) => setTimeout(r, 150));
      ac.abort();
      const followSummary = await following;

      const seen: Array<{ flags: number | null; sport: number | null; dport: number | null; payload: string; src: string; dst: string }> = [];
      const summary = await readCapture(file, (raw) => {
        const p = decodePacket(raw);
        seen.push({
          flags: p.tcp?.flags ?? null, sport: p.tcp?.srcPort ?? p.udp?.srcPort ?? null, dport: p.tcp?.dstPort ?? p.udp?.dstPort ?? null,
          payload: Buffer.from(p.tcp?.payload ?? p.udp?.payload ?? []).toString(), src: p.ip ? formatIp(p.ip.src) : '', dst: p.ip ? formatIp(p.ip.dst) : '',
        });
      });
      expect(summary.interfaces[0].linkType).toBe(1); // lo is Ethernet-framed in tcpdump -i lo
      expect(followSummary.packets).toBe(summary.packets);
      expect(followed.length).toBe(summary.packets);
      expect(seen.length).toBeGreaterThanOrEqual(8);
      expect(seen.every((s) => s.src === host || s.dst === host)).toBe(true);
      expect(seen.filter((s) => s.flags === TCP_SYN && s.dport === port)).toHaveLength(1);
      expect(seen.filter((s) => s.flags === (TCP_SYN | TCP_ACK) && s.sport === port)).toHaveLength(1);
      expect(seen.some((s) => s.dport === port && s.payload === message.toString())).toBe(true);
      expect(seen.some((s) => s.dport === 53 && s.payload === 'dns?')).toBe(true);
      expect(summary.tsResolution).toBe('microseconds');
      expect(summary.lastTime! - summary.firstTime!).toBeLessThan(10);
    } finally {
      clearTimeout(timer);
      if (td.exitCode === null) td.kill('SIGKILL');
    }
  });
});
