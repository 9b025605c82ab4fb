import { afterEach, describe, expect, it } from 'vitest';
import { connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomLoopbackNet } from '../../src/lab/address.js';
import { holdLock, refusedPort, startBlackhole, startTlsSink } from '../../src/lab/faults.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => { for (const c of closers.splice(0).reverse()) await c(); });

function tryConnect(host: string, port: number, ms: number): Promise<'connected' | 'timeout' | string> {
  return new Promise((resolve) => {
    const s = tcpConnect({ host, port });
    const t = setTimeout(() => { s.destroy(); resolve('timeout'); }, ms);
    s.once('connect', () => { clearTimeout(t); s.destroy(); resolve('connected'); });
    s.once('error', (e: NodeJS.ErrnoException) => { clearTimeout(t); resolve(e.code ?? e.message); });
  });
}

describe('connect black hole', () => {
  it('leaves new connections in SYN-SENT (no SYN-ACK) until closed', async () => {
    const hole = await startBlackhole({ host: `${randomLoopbackNet()}.20` });
    closers.push(() => hole.close());
    expect(await tryConnect(hole.host, hole.port, 1500)).toBe('timeout');
    // The kernel agrees: our socket is stuck in SYN-SENT towards the hole.
    const pending = tcpConnect({ host: hole.host, port: hole.port });
    pending.on('error', () => undefined);
    await new Promise((r) => setTimeout(r, 200));
    const ss = execFileSync('ss', ['-tn', 'state', 'syn-sent', 'dst', hole.host], { encoding: 'utf8' });
    pending.destroy();
    expect(ss).toContain(`${hole.host}:${hole.port}`);
  });

  it('frees its port on close', async () => {
    const hole = await startBlackhole({ host: `${randomLoopbackNet()}.20` });
    await hole.close();
    expect(await tryConnect(hole.host, hole.port, 1500)).toBe('ECONNREFUSED');
  });
});

describe('connect refused', () => {
  it('gives a port nothing listens on', async () => {
    const host = `${randomLoopbackNet()}.20`;
    expect(await tryConnect(host, await refusedPort(host), 1500)).toBe('ECONNREFUSED');
  });
});

describe('TLS sink', () => {
  it('silent: reads the ClientHello (with SNI) and never answers', async () => {
    const sink = await startTlsSink({ host: `${randomLoopbackNet()}.20`, mode: 'silent' });
    closers.push(() => sink.close());
    const outcome = await new Promise<string>((resolve) => {
      const s = tlsConnect({ host: sink.host, port: sink.port, servername: 'goproxy.lab.example' });
      const t = setTimeout(() => { s.destroy(); resolve('no ServerHello'); }, 800);
      s.once('secureConnect', () => { clearTimeout(t); resolve('handshake done'); });
      s.once('error', (e) => { clearTimeout(t); resolve(e.message); });
    });
    expect(outcome).toBe('no ServerHello');
    const hello = await sink.waitForClientHello(100);
    expect(hello).toMatchObject({ clientHello: true, sni: 'goproxy.lab.example' });
    expect(hello.bytes).toBeGreaterThan(100);
  });

  it('reset: RST right after the ClientHello', async () => {
    const sink = await startTlsSink({ host: `${randomLoopbackNet()}.20`, mode: 'reset' });
    closers.push(() => sink.close());
    const code = await new Promise<string>((resolve) => {
      const s = tlsConnect({ host: sink.host, port: sink.port, servername: 'x.lab.example' });
      s.once('secureConnect', () => resolve('handshake done'));
      s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    });
    expect(code).toBe('ECONNRESET');
    expect(sink.connections[0]).toMatchObject({ clientHello: true, sni: 'x.lab.example' });
  });
});

describe('holdLock', () => {
  it('holds an exclusive flock until released, from another process', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-lock-'));
    try {
      const path = join(dir, 'cache', 'download', 'm', '@v', 'v1.0.0.lock');
      const lock = await holdLock(path, { seconds: 60 });
      expect(lock.pid).toBeGreaterThan(0);
      expect(spawnSync('flock', ['-n', '-x', path, 'true']).status).toBe(1);
      await lock.release();
      expect(spawnSync('flock', ['-n', '-x', path, 'true']).status).toBe(0);
      // The whole group is gone: no sleeper keeps the lock's file open.
      expect(() => process.kill(lock.pid, 0)).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
