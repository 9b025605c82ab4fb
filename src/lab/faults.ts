/**
 * Network and host faults that are not a misbehaving HTTP server: a connect black hole (a listener
 * whose accept queue is full, so Linux drops further SYNs), a closed port (refused), TLS servers
 * that read the ClientHello and then say nothing or reset, and a module-cache lock held by another
 * process.
 */
import { createServer, connect, type Socket } from 'node:net';
import { Worker } from 'node:worker_threads';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { assertLoopback, freePort, hostPort } from './address.js';
import { parseClientHello } from './sni.js';
import { LabError } from './errors.js';
import { closeServer, listenOn, tracker } from './listen.js';

// ---------------------------------------------------------------- connect black hole

export interface Blackhole {
  host: string;
  port: number;
  address: string;
  close(): Promise<void>;
}

/**
 * A listener that never accepts: it listens with backlog 1 in a worker thread whose event loop is
 * parked in Atomics.wait (so libuv never calls accept), and two filler connections fill the accept
 * queue. Linux then drops every further SYN to it: clients see SYN retransmissions and no SYN-ACK,
 * exactly as behind a firewall that drops packets. (Node turns backlog 0 into 511; backlog 1 lets
 * two connections queue.)
 */
export async function startBlackhole(opts: { host: string; port?: number }): Promise<Blackhole> {
  assertLoopback(opts.host);
  const sab = new SharedArrayBuffer(4);
  const flag = new Int32Array(sab);
  const worker = new Worker(`
    const { workerData, parentPort } = require('node:worker_threads');
    const net = require('node:net');
    const flag = new Int32Array(workerData.sab);
    const s = net.createServer();
    s.on('error', (e) => { parentPort.postMessage({ error: e.code || String(e) }); });
    s.listen({ host: workerData.host, port: workerData.port, backlog: 1, exclusive: true }, () => {
      parentPort.postMessage({ port: s.address().port });
      // Park the loop: pending connections are never accepted until the lab closes us.
      setImmediate(() => { Atomics.wait(flag, 0, 0); s.close(); process.exit(0); });
    });
  `, { eval: true, workerData: { sab, host: opts.host, port: opts.port ?? 0 } });
  const stop = async () => {
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => { void worker.terminate().then(() => resolve()); }, 2000);
      worker.once('exit', () => { clearTimeout(t); resolve(); });
    });
  };
  const msg = await new Promise<{ port?: number; error?: string }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  if (msg.error || !msg.port) {
    await stop();
    throw new LabError(`black hole listener on ${opts.host}: ${msg.error ?? 'no port'}`);
  }
  const port = msg.port;
  const fillers: Socket[] = [];
  try {
    for (let i = 0; i < 2; i++) {
      const s = connect({ host: opts.host, port, localAddress: opts.host.includes(':') ? undefined : opts.host });
      s.on('error', () => { /* closed with the lab */ });
      fillers.push(s);
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`black hole filler ${i} did not connect to ${hostPort(opts.host, port)}`)), 3000);
        s.once('connect', () => { clearTimeout(t); resolve(); });
      });
    }
  } catch (err) {
    for (const s of fillers) s.destroy();
    await stop();
    throw err;
  }
  return {
    host: opts.host, port, address: hostPort(opts.host, port),
    async close() {
      for (const s of fillers) s.destroy();
      await stop();
    },
  };
}

/** A port nothing listens on: connecting gets RST (connection refused). */
export async function refusedPort(host: string): Promise<number> {
  return await freePort(host);
}

// ---------------------------------------------------------------- TLS that goes wrong after the ClientHello

export interface TlsSinkLog {
  t: number;
  remote: string;
  /** Bytes received before we acted (or so far). */
  bytes: number;
  clientHello: boolean;
  sni: string | null;
}

export interface TlsSink {
  host: string;
  port: number;
  address: string;
  connections: TlsSinkLog[];
  /** Resolves with the first connection whose ClientHello arrived. */
  waitForClientHello(timeoutMs?: number): Promise<TlsSinkLog>;
  close(): Promise<void>;
}

/**
 * Accepts TCP, reads the ClientHello, then either says nothing ('silent': the client waits for a
 * ServerHello until its handshake timeout) or resets the connection ('reset', as SNI filters do).
 */
export async function startTlsSink(opts: { host: string; port?: number; mode: 'silent' | 'reset' }): Promise<TlsSink> {
  assertLoopback(opts.host);
  const started = Date.now();
  const connections: TlsSinkLog[] = [];
  const sockets = new Set<Socket>();
  const waiters: ((l: TlsSinkLog) => void)[] = [];
  const track = tracker(sockets);
  const server = createServer((sock) => {
    track(sock);
    sock.on('error', () => { /* client went away */ });
    const entry: TlsSinkLog = { t: Date.now() - started, remote: hostPort(sock.remoteAddress ?? '?', sock.remotePort ?? 0), bytes: 0, clientHello: false, sni: null };
    connections.push(entry);
    let head = Buffer.alloc(0);
    sock.on('data', (chunk: Buffer) => {
      entry.bytes += chunk.length;
      if (entry.clientHello) return;
      if (head.length < 16384) head = Buffer.concat([head, chunk]);
      const hello = parseClientHello(head);
      if (!hello) return;
      const recordLen = head.length >= 5 ? ((head[3] << 8) | head[4]) + 5 : Infinity;
      if (head.length < recordLen && head.length < 16384) return; // wait for the whole record
      entry.clientHello = true;
      entry.sni = hello.sni;
      for (const w of waiters.splice(0)) w(entry);
      if (opts.mode === 'reset') sock.resetAndDestroy();
    });
  });
  const port = await listenOn(server, opts.host, opts.port ?? 0);
  return {
    host: opts.host, port, address: hostPort(opts.host, port), connections,
    waitForClientHello(timeoutMs = 30_000) {
      const seen = connections.find((c) => c.clientHello);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const w = (l: TlsSinkLog) => { clearTimeout(t); resolve(l); };
        const t = setTimeout(() => { waiters.splice(waiters.indexOf(w), 1); reject(new Error(`no ClientHello within ${timeoutMs} ms`)); }, timeoutMs);
        waiters.push(w);
      });
    },
    async close() {
      await closeServer(server, sockets);
    },
  };
}

// ---------------------------------------------------------------- module cache lock

export interface HeldLock {
  path: string;
  pid: number;
  release(): Promise<void>;
}

/**
 * Hold an exclusive flock(2) on `path` from another process (`flock -x PATH sleep N`), as a second
 * go or gopls would. Resolves once the lock is really held.
 */
export async function holdLock(path: string, opts: { seconds?: number } = {}): Promise<HeldLock> {
  await mkdir(dirname(path), { recursive: true });
  const child: ChildProcess = spawn('flock', ['-x', path, 'sh', '-c', `echo locked; exec sleep ${Math.max(1, Math.floor(opts.seconds ?? 600))}`],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => { child.kill('SIGKILL'); reject(new LabError(`flock on ${path} not taken within 5 s`)); }, 5000);
    child.once('error', (e) => { clearTimeout(t); reject(new LabError(`cannot run flock(1) (util-linux): ${e.message}`)); });
    child.stdout!.once('data', () => { clearTimeout(t); resolve(); });
    child.once('exit', (code) => { clearTimeout(t); reject(new LabError(`flock exited with ${code} before taking ${path}`)); });
  });
  child.removeAllListeners('exit');
  return {
    path,
    pid: child.pid!,
    async release() {
      if ((child.exitCode !== null || child.signalCode !== null) && !groupAlive(child.pid!)) return;
      // flock(1) runs sleep as its child and the child inherits the locked file: kill the whole
      // process group (spawned detached), and wait until every member is gone — the lock is free
      // only when the last holder of the file has exited.
      killGroup(child.pid!, 'SIGKILL');
      const deadline = Date.now() + 3000;
      while (groupAlive(child.pid!) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    },
  };
}

/** Whether any process of the group still exists (zombies count until reaped). */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function killGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    /* already gone */
  }
}
