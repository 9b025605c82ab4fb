import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { ProcessSockets, goTrafficFilter, parseProcNet, tupleKey } from '../../src/record/sockets.js';
import { etherTcp4, etherUdp4 } from '../capture/fixtures/frames.js';

const HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';

describe('parseProcNet', () => {
  it('reads IPv4 and IPv6 endpoints in the kernel\'s word order, with the inode', () => {
    const v4 = HEADER +
      '   0: 0100007F:1F90 0200007F:C350 01 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0000000000000000 20 4 30 10 -1\n';
    expect(parseProcNet(v4)).toEqual([{ inode: 4242, local: '127.0.0.1:8080', remote: '127.0.0.2:50000' }]);
    const v6 = HEADER +
      '   0: 00000000000000000000000001000000:01BB 0000000000000000FFFF00000A00000A:D431 01 00000000:00000000 00:00000000 00000000  0 0 77 1\n' +
      '   1: B80D0120000000000000000001000000:0035 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000  0 0 78 1\n';
    expect(parseProcNet(v6)).toEqual([
      { inode: 77, local: '[::1]:443', remote: '10.0.0.10:54321' },
      { inode: 78, local: '[2001:db8::1]:53', remote: '[::]:0' },
    ]);
  });

  it('skips lines that are not socket rows', () => {
    expect(parseProcNet(HEADER + 'garbage\n   0: zz:zz 00:00 01 x x x x x x\n')).toEqual([]);
  });
});

describe('ProcessSockets (real sockets)', () => {
  let server: Server | null = null;
  let child: ChildProcess | null = null;
  afterEach(() => {
    child?.kill('SIGKILL');
    server?.close();
    child = null;
    server = null;
  });

  it('finds the 4-tuple of a connection a process holds, and not the listener\'s', async () => {
    const host = `127.${randomInt(16, 250)}.${randomInt(1, 255)}.7`;
    server = createServer(() => undefined);
    await new Promise<void>((r) => server!.listen(0, host, () => r()));
    const port = (server.address() as { port: number }).port;
    // Another process connects and keeps the connection open, printing its local port.
    child = spawn(process.execPath, ['-e', `const s=require('net').connect(${port},'${host}',()=>console.log(s.localAddress+' '+s.localPort));setInterval(()=>{},1000)`], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [localIp, localPort] = await new Promise<string[]>((resolve) => child!.stdout!.once('data', (d) => resolve(String(d).trim().split(' '))));
    const sockets = new ProcessSockets();
    expect(sockets.refresh([child.pid!])).toBeGreaterThanOrEqual(1);
    expect(sockets.has(`${localIp}:${localPort}`, `${host}:${port}`)).toBe(true);
    expect(sockets.has(`${host}:${port}`, `${localIp}:${localPort}`)).toBe(true);
    // Our own (test runner) process holds the server's sockets, not the child.
    expect(sockets.has(`${host}:${port}`, '0.0.0.0:0')).toBe(false);
    expect(sockets.refresh([child.pid!])).toBe(0); // nothing new
    expect(sockets.refresh([999_999_999])).toBe(0); // gone processes are ignored
  });

  it('keys are direction-independent', () => {
    expect(tupleKey('1.2.3.4:5', '6.7.8.9:10')).toBe(tupleKey('6.7.8.9:10', '1.2.3.4:5'));
  });
});

describe('goTrafficFilter', () => {
  it('passes DNS and the 4-tuples go held, in both directions; not other traffic', () => {
    const sockets = new ProcessSockets();
    // Seed one tuple the way refresh would have found it.
    (sockets as unknown as { tuples: Set<string> }).tuples.add(tupleKey('10.0.0.2:40000', '10.9.9.9:443'));
    const isGo = goTrafficFilter(sockets);
    const ETHERNET = 1;
    expect(isGo(etherTcp4('10.0.0.2', 40000, '10.9.9.9', 443, { flags: 0x18, payload: new Uint8Array(5) }), ETHERNET)).toBe(true);
    expect(isGo(etherTcp4('10.9.9.9', 443, '10.0.0.2', 40000, { flags: 0x10 }), ETHERNET)).toBe(true);
    expect(isGo(etherUdp4('10.0.0.2', 5555, '10.0.0.53', 53, new Uint8Array(20)), ETHERNET)).toBe(true);
    expect(isGo(etherTcp4('10.0.0.2', 40001, '10.9.9.9', 443, { flags: 0x18, payload: new Uint8Array(5) }), ETHERNET)).toBe(false);
    expect(isGo(new Uint8Array(7), ETHERNET)).toBe(false);
  });
});
