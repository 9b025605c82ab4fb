/**
 * go's own HTTP client against a GOPROXY that accepts the request and never answers (the classic
 * "go mod download hangs"): real go (HTTP/2 over TLS 1.3), captured with tcpdump on loopback, then
 * rebuilt. The connection must show a completed handshake and a wait for the response that lasts
 * until go is stopped. Needs root, tcpdump, openssl and go; skipped otherwise.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createSecureServer, type ServerHttp2Stream } from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCapture } from '../../src/capture/reader.js';
import { decodePacket } from '../../src/decode/packet.js';
import { ConversationBuilder, type Conversations } from '../../src/protocols/conversations.js';
import { tcpdumpArgs } from '../../src/record/capture.js';

function have(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const ok = process.getuid?.() === 0 && have('tcpdump') && have('openssl') && have('go');
const rnd = (lo: number, hi: number) => lo + Math.floor(Math.random() * (hi - lo + 1));
const NET = `127.${rnd(20, 250)}.${rnd(1, 250)}`;
const ADDR = `${NET}.1`;
const GO_RUNS_FOR = 3000;

describe.skipIf(!ok)('go mod download against a GOPROXY that never answers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gomod-trace-go-'));
  const pcap = join(dir, 'go.pcap');
  let tcpdump: ChildProcess | null = null;
  let go: ChildProcess | null = null;
  const streams: ServerHttp2Stream[] = [];
  let server: ReturnType<typeof createSecureServer> | null = null;
  let port = 0;
  let conv: Conversations;
  let goLog = '';

  beforeAll(async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      '-days', '1', '-subj', `/CN=${ADDR}`, '-addext', `subjectAltName=IP:${ADDR}`], { stdio: 'ignore', timeout: 30_000 });
    server = createSecureServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) });
    let asked!: () => void;
    const firstRequest = new Promise<void>((r) => { asked = r; });
    server.on('stream', (s) => { streams.push(s); s.on('error', () => undefined); asked(); });
    server.on('sessionError', () => undefined);
    port = await new Promise<number>((r) => server!.listen(0, ADDR, () => r((server!.address() as { port: number }).port)));

    tcpdump = spawn('tcpdump', tcpdumpArgs({ tcpdump: 'tcpdump', file: pcap, interface: 'lo', filter: `net ${NET}.0/24` }), { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('tcpdump did not start in 10 s')), 10_000);
      tcpdump!.stderr!.on('data', (d: Buffer) => { err += d.toString(); if (err.includes('listening on')) { clearTimeout(timer); resolve(); } });
      tcpdump!.once('exit', (code) => { clearTimeout(timer); reject(new Error(`tcpdump exited with ${code}: ${err}`)); });
    });

    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, GOPATH: join(dir, 'gopath'), GOCACHE: join(dir, 'gocache'),
      GOPROXY: `https://${ADDR}:${port}`, GOSUMDB: 'off', GONOSUMDB: '*', GOFLAGS: '-mod=mod', GO111MODULE: 'on',
      GOTOOLCHAIN: 'local', SSL_CERT_FILE: join(dir, 'cert.pem'), GOPRIVATE: '',
    };
    go = spawn('go', ['mod', 'download', '-x', 'example.com/hang@v1.0.0'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    go.stderr!.on('data', (d: Buffer) => { goLog += d.toString(); });
    // Stop go GO_RUNS_FOR after its first request reached the server (not after a fixed time from
    // its start: on a loaded machine go may take seconds to get there).
    await Promise.race([firstRequest, new Promise((r) => setTimeout(r, 30_000))]);
    await new Promise((r) => setTimeout(r, GO_RUNS_FOR));
    const goExit = new Promise<void>((r) => (go!.exitCode !== null ? r() : go!.once('exit', () => r())));
    go.kill('SIGKILL');
    await goExit;
    go = null;
    await new Promise((r) => setTimeout(r, 300));
    const exited = new Promise<void>((r) => tcpdump!.once('exit', () => r()));
    tcpdump.kill('SIGINT');
    await exited;
    tcpdump = null;
    const dropped = Number(/(\d+) packets? dropped by kernel/.exec(err)?.[1] ?? '0');
    expect(dropped, `tcpdump: ${err.trim()}`).toBe(0);

    const b = new ConversationBuilder();
    await readCapture(pcap, (raw) => b.add(decodePacket(raw)));
    conv = b.finish();
    if (process.env.E2E_DEBUG) {
      execFileSync('cp', [pcap, '/tmp/go-debug.pcap']);
      for (const c of conv.connections) console.log(c.uid, c.server, c.history, JSON.stringify(c.tls), JSON.stringify(c.waits));
    }
  }, 60_000);

  afterAll(() => {
    go?.kill('SIGKILL');
    tcpdump?.kill('SIGKILL');
    streams.forEach((s) => s.destroy());
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('go asked the proxy over HTTP/2 and TLS 1.3', () => {
    expect(goLog).toContain(`# get https://${ADDR}:${port}/example.com/hang/@v/v1.0.0.info`);
    const k = conv.connections.find((c) => c.server === `${ADDR}:${port}`);
    expect(k, goLog).toBeDefined();
    expect(k!.tls).toMatchObject({ version: 'TLS 1.3', sni: null });
    expect(k!.tls!.alpn).toContain('h2');
    expect(k!.tls!.established).not.toBeNull();
  });

  it('the wait for the response lasts until go was stopped', () => {
    const k = conv.connections.find((c) => c.server === `${ADDR}:${port}`)!;
    const longest = k.waits.reduce((a, b) => (b.seconds > a.seconds ? b : a));
    expect(longest.firstByte).toBeNull();
    expect(longest.seconds).toBeGreaterThan(GO_RUNS_FOR / 1000 - 1.5);
    expect(longest.seconds).toBeLessThan(GO_RUNS_FOR / 1000 + 1);
    expect(longest.request).toBeGreaterThanOrEqual(k.tls!.established!);
  });
});
