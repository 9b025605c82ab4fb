/**
 * End-to-end helpers: real tcpdump on `lo` (filtered to our own loopback address), real go with its
 * own resolv.conf (unshare -m + bind mount), and tiny misbehaving servers. Everything binds to a
 * random 127.x.y.1 and every process is killed in `cleanup()`.
 */
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import dnsPacket from 'dns-packet';
import { tcpdumpArgs } from '../../src/record/capture.js';

export const HAVE_TOOLS = ['/usr/bin/tcpdump', '/usr/bin/unshare'].every((p) => existsSync(p)) &&
  process.getuid?.() === 0 && !!findGo();

export function findGo(): string | null {
  for (const p of ['/usr/bin/go', '/usr/lib/go/bin/go', '/usr/local/go/bin/go']) if (existsSync(p)) return p;
  return null;
}

export function randomLoopback(): string {
  const r = () => 2 + Math.floor(Math.random() * 250);
  return `127.${r()}.${r()}.1`;
}

const cleanups: Array<() => Promise<void> | void> = [];
export async function cleanup(): Promise<void> {
  while (cleanups.length) {
    const f = cleanups.pop()!;
    try { await f(); } catch { /* best effort */ }
  }
}

export function tempDir(prefix = 'gomod-trace-e2e-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/** Kill the child (and, when it was started detached, its whole process group) at cleanup. */
function track(child: ChildProcess, group = false): ChildProcess {
  cleanups.push(() => new Promise<void>((resolve) => {
    if (group && child.pid) { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    try { child.kill('SIGKILL'); } catch { resolve(); }
    setTimeout(resolve, 2000).unref();
  }));
  return child;
}

function childrenOf(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)]).toString().split(/\s+/).filter(Boolean).map(Number);
  } catch { return []; }
}

// ---------------------------------------------------------------- tcpdump

export interface Capture {
  file: string;
  stop(): Promise<void>;
  /** What the capture tool printed so far (after stop: its closing counts). */
  stderr(): string;
}

export async function startTcpdump(o: { iface?: string; filter: string; file: string; dumpcap?: boolean }): Promise<Capture> {
  const args = o.dumpcap
    ? ['-q', '-i', o.iface ?? 'lo', '-f', o.filter, '-w', o.file]
    // tcpdump as `record` runs it (its ring-buffer size matters: with full snap length and the
    // default 2 MiB buffer, a busy machine drops packets of even a short exchange).
    : tcpdumpArgs({ tcpdump: '/usr/bin/tcpdump', file: o.file, interface: o.iface ?? 'lo', filter: o.filter });
  const child = track(spawn(o.dumpcap ? '/usr/bin/dumpcap' : '/usr/bin/tcpdump', args, { stdio: ['ignore', 'ignore', 'pipe'] }));
  let err = '';
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`capture did not start: ${err}`)), 10_000);
    child.stderr!.on('data', (b: Buffer) => {
      err += b.toString();
      // dumpcap says "Capturing on" a little before it captures: give it a moment.
      if (/listening on/i.test(err)) { clearTimeout(t); resolve(); }
      else if (/Capturing on/i.test(err)) { clearTimeout(t); setTimeout(resolve, 700); }
    });
    child.once('exit', (c) => { clearTimeout(t); reject(new Error(`capture exited ${c}: ${err}`)); });
  });
  return {
    file: o.file,
    stderr: () => err,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      const t = setTimeout(() => { child.kill('SIGKILL'); resolve(); }, 5000);
      child.once('exit', () => { clearTimeout(t); resolve(); });
      // Let the last packets reach the file.
      // Let the last packets reach the file (dumpcap has no immediate mode: give it its buffer timeout).
      setTimeout(() => child.kill('SIGINT'), o.dumpcap ? 1500 : 300);
    }),
  };
}

// ---------------------------------------------------------------- go

export interface GoRun { code: number | null; signal: string | null; stderr: string; ms: number }

/** Resolves when a lab server sees a request whose URL matches `re`; pass `seen` to the server. */
export function requestSeen(re: RegExp): { seen: (url: string) => void; reached: Promise<void> } {
  let done!: () => void;
  const reached = new Promise<void>((resolve) => { done = resolve; });
  return { seen: (url) => { if (re.test(url)) done(); }, reached };
}

/**
 * `go mod download -x MODULE@VERSION` in a fresh GOPATH, outside any module, with its own
 * resolv.conf when `nameserver` is given. Killed after `killAfterMs`, or — with `killWhen` — that
 * long after an event (go reaching the request that stalls), so that a loaded machine that starts go
 * slowly still records the whole stall; `ceilingMs` (default 30 s) bounds the wait for the event.
 */
export async function runGo(o: {
  goproxy: string; module?: string; env?: Record<string, string>; nameserver?: string; killAfterMs: number;
  killWhen?: { event: Promise<unknown>; ceilingMs?: number };
  strace?: { file: string; flags: string[] }; gomodcache?: string;
}): Promise<GoRun> {
  const dir = tempDir('gomod-trace-go-');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, GOPATH: join(dir, 'gopath'), GOMODCACHE: o.gomodcache ?? join(dir, 'gopath', 'pkg', 'mod'),
    GOCACHE: join(dir, 'cache'), GOPROXY: o.goproxy, GOSUMDB: 'off', GOFLAGS: '-modcacherw', GO111MODULE: 'on',
    GODEBUG: 'netdns=go', GOTOOLCHAIN: 'local', ...o.env,
  };
  let argv = [findGo()!, 'mod', 'download', '-x', o.module ?? 'example.com/m@v1.0.0'];
  if (o.strace) argv = ['/usr/bin/strace', ...o.strace.flags, '-o', o.strace.file, ...argv];
  if (o.nameserver) {
    const rc = join(dir, 'resolv.conf');
    writeFileSync(rc, `nameserver ${o.nameserver}\noptions timeout:1 attempts:2\n`);
    const nss = join(dir, 'nsswitch.conf');
    writeFileSync(nss, 'hosts: files dns\n');
    argv = ['/usr/bin/unshare', '-m', '--propagation', 'private', '--', 'sh', '-c',
      'mount --bind "$1" /etc/resolv.conf && mount --bind "$2" /etc/nsswitch.conf && shift 2 && exec "$@"', 'e2e', rc, nss, ...argv];
  }
  const t = Date.now();
  const child = track(spawn(argv[0], argv.slice(1), { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'], detached: true }), true);
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => { if (stderr.length < 1e6) stderr += b.toString(); });
  return await new Promise<GoRun>((resolve) => {
    const killNow = (): void => {
      if (o.strace) {
        // Kill go under strace, not strace: strace then logs the death with a timestamp and exits.
        for (const pid of childrenOf(child.pid!)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
        setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, 3000).unref();
        return;
      }
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { child.kill('SIGKILL'); }
    };
    const timers: NodeJS.Timeout[] = [];
    let exited = false;
    if (o.killWhen) {
      timers.push(setTimeout(killNow, o.killWhen.ceilingMs ?? 30_000));
      void o.killWhen.event.then(() => { if (!exited) timers.push(setTimeout(killNow, o.killAfterMs)); });
    } else {
      timers.push(setTimeout(killNow, o.killAfterMs));
    }
    child.once('exit', (code, signal) => { exited = true; for (const k of timers) clearTimeout(k); resolve({ code, signal, stderr, ms: Date.now() - t }); });
  });
}

// ---------------------------------------------------------------- servers

async function listen(server: Server, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, host, () => resolve()); });
  const sockets = new Set<Socket>();
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); s.on('error', () => undefined); });
  cleanups.push(() => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }));
  return (server.address() as { port: number }).port;
}

/** Accepts TCP, reads, and then says nothing ('silent') or resets after the first bytes ('reset'). */
export async function startSink(host: string, mode: 'silent' | 'reset', seen?: (what: string) => void): Promise<number> {
  const server = createTcpServer((s) => {
    s.once('data', () => { seen?.('data'); if (mode === 'reset') s.resetAndDestroy(); });
  });
  return listen(server, host);
}

/** A GOPROXY over plain HTTP for example.com/m v1.0.0; `hang` paths get no answer, `trickle` paths a slow body. */
export async function startHttpGoProxy(host: string, o: { hang?: RegExp; trickle?: RegExp; seen?: (url: string) => void } = {}): Promise<number> {
  const timers = new Set<NodeJS.Timeout>();
  cleanups.push(() => { for (const t of timers) clearInterval(t); });
  const server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    o.seen?.(url);
    if (o.hang?.test(url)) return; // never answer
    if (o.trickle?.test(url)) {
      res.writeHead(200, { 'content-type': 'application/zip', 'content-length': '1000000' });
      const t = setInterval(() => { res.write(Buffer.alloc(16, 0x50)); }, 150);
      timers.add(t);
      res.on('close', () => { clearInterval(t); timers.delete(t); });
      return;
    }
    if (/\/@v\/list$/.test(url)) return void res.end('v1.0.0\n');
    if (/\/@v\/v1\.0\.0\.info$/.test(url)) return void res.end('{"Version":"v1.0.0","Time":"2024-01-01T00:00:00Z"}');
    if (/\/@v\/v1\.0\.0\.mod$/.test(url)) return void res.end('module example.com/m\n\ngo 1.19\n');
    res.writeHead(404).end('not found');
  });
  return listen(server, host);
}

/** A forward proxy that never answers CONNECT ('silent') or answers 407 ('auth'). */
export async function startForwardProxy(host: string, mode: 'silent' | 'auth', seen?: (what: string) => void): Promise<number> {
  const server = createTcpServer((s) => {
    s.once('data', (b: Buffer) => {
      seen?.(b.toString('latin1').split('\r\n')[0]);
      if (mode === 'auth') s.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="lab"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    });
  });
  return listen(server, host);
}

/** UDP DNS on HOST:53: 'silent' drops queries; 'nxdomain' answers NXDOMAIN; else A records to `answer`. */
export async function startDns(host: string, mode: 'silent' | 'nxdomain' | { answer: string }, seen?: (what: string) => void): Promise<void> {
  const sock: UdpSocket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => { sock.once('error', reject); sock.bind(53, host, () => resolve()); });
  cleanups.push(() => new Promise<void>((resolve) => sock.close(() => resolve())));
  sock.on('message', (msg, rinfo) => {
    seen?.('query');
    if (mode === 'silent') return;
    let q;
    try { q = dnsPacket.decode(msg); } catch { return; }
    const question = q.questions?.[0];
    if (!question) return;
    const nx = mode === 'nxdomain';
    const answers = !nx && question.type === 'A' ? [{ type: 'A' as const, name: question.name, ttl: 5, data: (mode as { answer: string }).answer }] : [];
    const resp = dnsPacket.encode({
      type: 'response', id: q.id, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (nx ? 3 : 0),
      questions: q.questions, answers,
    });
    sock.send(resp, rinfo.port, rinfo.address);
  });
}

/** A listener whose accept queue is full: Linux drops further SYNs (a connect black hole). */
export async function startBlackhole(host: string): Promise<number> {
  const script = [
    'import socket,sys,time',
    's=socket.socket(); s.bind((sys.argv[1],0)); s.listen(0)',
    'p=s.getsockname()[1]',
    'fill=[]',
    'for i in range(3):',
    '  c=socket.socket(); c.setblocking(False)',
    '  try: c.connect((sys.argv[1],p))',
    '  except BlockingIOError: pass',
    '  fill.append(c)',
    'print(p, flush=True)',
    'time.sleep(600)',
  ].join('\n');
  const child = track(spawn('python3', ['-c', script, host], { stdio: ['ignore', 'pipe', 'ignore'] }));
  return await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (b: Buffer) => resolve(Number(b.toString().trim())));
    child.once('exit', (c) => reject(new Error(`blackhole helper exited ${c}`)));
  });
}

/** Hold an exclusive flock on `path` with flock(1) for `seconds`. */
export async function holdLock(path: string, seconds: number): Promise<void> {
  const child = track(spawn('flock', ['--exclusive', path, 'sh', '-c', `echo held; exec sleep ${seconds}`], { stdio: ['ignore', 'pipe', 'ignore'], detached: true }), true);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (c) => reject(new Error(`flock exited ${c}`)));
  });
}
