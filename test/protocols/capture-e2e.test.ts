/**
 * End to end on real captures: tcpdump records small exchanges on loopback against servers this
 * test starts (DNS answering and silent, TLS, HTTP, a CONNECT proxy answering 200 and 407), then
 * ConversationBuilder reads the capture. Each run uses its own 127.x.y.1 address and a tcpdump
 * filter on it, so parallel tests capture only their own traffic.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest, type Server as HttpServer } from 'node:http';
import { connect as netConnect, createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { connect as h2Connect, createSecureServer as createH2Server, type ServerHttp2Stream } from 'node:http2';
import dnsPacket from 'dns-packet';
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
const canCapture = process.getuid?.() === 0 && have('tcpdump') && have('openssl');

const rnd = (lo: number, hi: number) => lo + Math.floor(Math.random() * (hi - lo + 1));
const NET = `127.${rnd(20, 250)}.${rnd(1, 250)}`;
const ADDR = `${NET}.1`;
/** Nothing listens here: connects are refused. */
const BLOCKED = `${NET}.2`;
/** A resolver on port 53 that never answers. */
const SILENT = `${NET}.3`;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    p.then((v) => { clearTimeout(timer); resolve(v); }, (e) => { clearTimeout(timer); reject(e); });
  });
}

const listen = (s: NetServer | TlsServer | HttpServer) =>
  new Promise<number>((resolve) => s.listen(0, ADDR, () => resolve((s.address() as { port: number }).port)));

describe.skipIf(!canCapture)('captures recorded with tcpdump on loopback', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gomod-trace-proto-'));
  const pcap = join(dir, 'lo.pcap');
  const closers: Array<() => void> = [];
  let tcpdump: ChildProcess | null = null;
  let conv: Conversations;
  const ports: Record<string, number> = {};

  beforeAll(async () => {
    // A self-signed certificate for the TLS server.
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      '-days', '1', '-subj', '/CN=goproxy.example'], { stdio: 'ignore', timeout: 30_000 });
    const key = readFileSync(join(dir, 'key.pem'));
    const cert = readFileSync(join(dir, 'cert.pem'));

    // DNS: one resolver answering, one silent.
    const dns = createSocket('udp4');
    dns.on('message', (msg, rinfo) => {
      const q = dnsPacket.decode(msg);
      const name = q.questions?.[0]?.name ?? '';
      const answers = name === 'goproxy.example'
        ? [{ type: 'CNAME' as const, name, data: 'edge.example' }, { type: 'A' as const, name: 'edge.example', data: ADDR }]
        : [];
      const rcode = answers.length ? 0 : 3;
      dns.send(dnsPacket.encode({ type: 'response', id: q.id, flags: rcode, questions: q.questions, answers }), rinfo.port, rinfo.address);
    });
    const silent = createSocket('udp4');
    silent.on('message', () => undefined);
    // Port 53: DNS is recognised by its port, as go's resolver always uses it.
    await new Promise<void>((r) => dns.bind(53, ADDR, () => r()));
    await new Promise<void>((r) => silent.bind(53, SILENT, () => r()));
    ports.dns = dns.address().port;
    ports.silent = silent.address().port;
    closers.push(() => dns.close(), () => silent.close());

    // TLS server answering one HTTP/1.1 request per connection; a second one that never answers.
    const tlsServer = createTlsServer({ key, cert, ALPNProtocols: ['http/1.1'] }, (s) => {
      s.once('data', () => s.end(`HTTP/1.1 200 OK\r\nDate: ${new Date().toUTCString()}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok`));
      s.on('error', () => undefined);
    });
    ports.tls = await listen(tlsServer);
    const hung: Socket[] = [];
    const tlsHung = createTlsServer({ key, cert }, (s) => { hung.push(s); s.on('error', () => undefined); });
    ports.tlsHung = await listen(tlsHung);
    closers.push(() => tlsServer.close(), () => { hung.forEach((s) => s.destroy()); tlsHung.close(); });

    // HTTP/2 over TLS that accepts a request and never answers it (a hung GOPROXY as go sees it).
    const h2streams: ServerHttp2Stream[] = [];
    const h2 = createH2Server({ key, cert }, () => undefined);
    h2.on('stream', (st) => { h2streams.push(st); st.on('error', () => undefined); });
    ports.h2 = await listen(h2 as unknown as NetServer);
    closers.push(() => { h2streams.forEach((st) => st.destroy()); h2.close(); });

    // Plain HTTP.
    const http = createHttpServer((req, res) => {
      res.setHeader('Content-Type', 'text/plain');
      res.end(req.url === '/list' ? 'v1.0.0\nv1.1.0\n' : 'not found');
    });
    ports.http = await listen(http);
    closers.push(() => { http.closeAllConnections(); http.close(); });

    // CONNECT proxy: 200 for our TLS server's port, 407 for anything else.
    const open: Socket[] = [];
    const proxy = createNetServer((client) => {
      open.push(client);
      client.on('error', () => undefined);
      client.once('data', (buf) => {
        const line = buf.toString('latin1').split('\r\n')[0];
        const target = /^CONNECT (\S+) HTTP/.exec(line)?.[1] ?? '';
        if (target === `goproxy.example:${ports.tls}`) {
          const up = netConnect(ports.tls, ADDR, () => {
            client.write('HTTP/1.1 200 Connection established\r\n\r\n');
            client.pipe(up).pipe(client);
          });
          up.on('error', () => client.destroy());
          open.push(up);
        } else {
          client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="corp"\r\nContent-Length: 0\r\n\r\n');
        }
      });
    });
    ports.proxy = await listen(proxy);
    closers.push(() => { open.forEach((s) => s.destroy()); proxy.close(); });

    // Start tcpdump and wait until it listens.
    tcpdump = spawn('tcpdump', tcpdumpArgs({ tcpdump: 'tcpdump', file: pcap, interface: 'lo', filter: `net ${NET}.0/24` }), { stdio: ['ignore', 'ignore', 'pipe'] });
    let tcpdumpErr = '';
    await withTimeout(new Promise<void>((resolve, reject) => {
      tcpdump!.stderr!.on('data', (d: Buffer) => {
        tcpdumpErr += d.toString();
        if (tcpdumpErr.includes('listening on')) resolve();
      });
      tcpdump!.once('exit', (code) => reject(new Error(`tcpdump exited with ${code}`)));
    }), 10_000, 'tcpdump start');

    await traffic(key);

    // Let the last packets reach the file, then stop tcpdump. (--immediate-mode above: without it
    // libpcap hands packets over in blocks, and the last block is lost when tcpdump stops.)
    await new Promise((r) => setTimeout(r, 300));
    const exited = new Promise<void>((r) => tcpdump!.once('exit', () => r()));
    tcpdump.kill('SIGINT');
    await withTimeout(exited, 10_000, 'tcpdump stop');
    tcpdump = null;
    // A loaded machine can make the kernel drop packets; say so instead of failing obscurely.
    const dropped = Number(/(\d+) packets? dropped by kernel/.exec(tcpdumpErr)?.[1] ?? '0');
    expect(dropped, `tcpdump: ${tcpdumpErr.trim()}`).toBe(0);

    const b = new ConversationBuilder();
    await readCapture(pcap, (raw) => b.add(decodePacket(raw)));
    conv = b.finish();
    if (process.env.E2E_DEBUG) {
      console.log(JSON.stringify(conv.dns, null, 1));
      for (const c of conv.connections) console.log(c.uid, c.client, c.server, c.history, c.state, JSON.stringify(c.http), JSON.stringify(c.proxyConnect), JSON.stringify(c.waits), c.tls?.sni);
      execFileSync('cp', [pcap, '/tmp/e2e-debug.pcap']);
    }
  }, 90_000);

  async function traffic(_key: Buffer): Promise<void> {
    // DNS: answered (A with a CNAME), NXDOMAIN, and a silent resolver asked twice with the same id.
    const ask = (port: number, id: number, name: string, wait: boolean, server = ADDR) => new Promise<void>((resolve, reject) => {
      const s: UdpSocket = createSocket('udp4');
      s.bind(0, ADDR, () => {
        s.send(dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name }] }), port, server);
        if (!wait) {
          setTimeout(() => {
            s.send(dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name }] }), port, server, () => { s.close(); resolve(); });
          }, 150);
          return;
        }
        s.once('message', () => { s.close(); resolve(); });
      });
      s.on('error', reject);
    });
    await withTimeout(ask(ports.dns, 0x4242, 'goproxy.example', true), 5000, 'dns');
    await withTimeout(ask(ports.dns, 0x4343, 'nope.invalid', true), 5000, 'dns nx');
    await withTimeout(ask(ports.silent, 0x4444, 'sumdb.example', false, SILENT), 5000, 'dns silent');

    // TLS with SNI and ALPN, one request answered.
    await withTimeout(new Promise<void>((resolve, reject) => {
      const s = tlsConnect({ host: ADDR, port: ports.tls, servername: 'goproxy.example', ALPNProtocols: ['h2', 'http/1.1'], rejectUnauthorized: false }, () => {
        s.write('GET /github.com/x/y/@v/list HTTP/1.1\r\nHost: goproxy.example\r\n\r\n');
      });
      s.on('data', () => undefined);
      s.on('end', () => { s.end(); resolve(); });
      s.on('error', reject);
    }), 10_000, 'tls');

    // TLS to a server that never answers the request: left waiting 600 ms, then closed by us.
    await withTimeout(new Promise<void>((resolve, reject) => {
      const s = tlsConnect({ host: ADDR, port: ports.tlsHung, servername: 'sumdb.example', rejectUnauthorized: false }, () => {
        s.write('GET /lookup/x HTTP/1.1\r\nHost: sumdb.example\r\n\r\n');
        setTimeout(() => { s.destroy(); resolve(); }, 600);
      });
      s.on('error', reject);
    }), 10_000, 'tls hung');

    // HTTP/2: one request left unanswered for 700 ms, then we give up.
    await withTimeout(new Promise<void>((resolve, reject) => {
      const session = h2Connect(`https://${ADDR}:${ports.h2}`, { servername: 'goproxy.example', rejectUnauthorized: false } as never);
      session.on('error', reject);
      session.on('connect', () => {
        const req = session.request({ ':path': '/github.com/x/y/@v/v1.0.0.zip' });
        req.on('error', () => undefined);
        req.end();
        setTimeout(() => { session.destroy(); resolve(); }, 700);
      });
    }), 10_000, 'h2');

    // Plain HTTP keep-alive: two requests on one connection.
    const agent = new (await import('node:http')).Agent({ keepAlive: true, maxSockets: 1 });
    for (const path of ['/list', '/v1.1.0.info']) {
      await withTimeout(new Promise<void>((resolve, reject) => {
        const req = httpRequest({ host: ADDR, port: ports.http, path, agent, headers: { Host: 'proxy.example' } }, (res) => {
          res.resume();
          res.on('end', () => resolve());
        });
        req.on('error', reject);
        req.end();
      }), 5000, 'http');
    }
    agent.destroy();

    // CONNECT answered 200, then TLS through the tunnel; CONNECT answered 407.
    const viaProxy = (target: string) => new Promise<string>((resolve, reject) => {
      const sock = netConnect(ports.proxy, ADDR, () => sock.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`));
      sock.once('data', (buf) => {
        const status = buf.toString('latin1').split(' ')[1];
        if (status !== '200') { sock.destroy(); resolve(status); return; }
        const t = tlsConnect({ socket: sock, servername: 'goproxy.example', rejectUnauthorized: false }, () => {
          t.write('GET /ok HTTP/1.1\r\nHost: goproxy.example\r\n\r\n');
        });
        t.on('data', () => undefined);
        t.on('end', () => { t.destroy(); resolve(status); });
        t.on('error', reject);
      });
      sock.on('error', reject);
    });
    expect(await withTimeout(viaProxy(`goproxy.example:${ports.tls}`), 10_000, 'connect 200')).toBe('200');
    expect(await withTimeout(viaProxy('blocked.example:443'), 10_000, 'connect 407')).toBe('407');

    // A connect that is never answered: a SYN to a closed port answered by RST.
    await new Promise<void>((resolve) => {
      const s = netConnect(1, BLOCKED);
      s.on('error', () => resolve());
      s.on('connect', () => { s.destroy(); resolve(); });
    });
  }

  afterAll(() => {
    if (tcpdump) tcpdump.kill('SIGKILL');
    for (const c of closers) {
      try { c(); } catch { /* already closed */ }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('recorded a capture', () => {
    expect(existsSync(pcap) && statSync(pcap).size).toBeGreaterThan(1000);
    expect(conv.packets).toBeGreaterThan(20);
  });

  it('DNS: answered with a CNAME chain, NXDOMAIN, and unanswered with both sends kept', () => {
    const byName = (n: string) => conv.dns.filter((d) => d.name === n);
    const ok = byName('goproxy.example');
    expect(ok).toHaveLength(1);
    expect(ok[0]).toMatchObject({ server: `${ADDR}:${ports.dns}`, rcode: 'NOERROR', cnames: ['edge.example'], answers: ['edge.example', ADDR], transport: 'udp' });
    expect(ok[0].response! - ok[0].queries[0]).toBeGreaterThan(0);
    expect(ok[0].response! - ok[0].queries[0]).toBeLessThan(1);
    expect(byName('nope.invalid')[0].rcode).toBe('NXDOMAIN');
    const lost = byName('sumdb.example');
    expect(lost).toHaveLength(1);
    expect(lost[0].response).toBeNull();
    expect(lost[0].queries).toHaveLength(2);
    expect(lost[0].server).toBe(`${SILENT}:53`);
    expect(lost[0].queries[1] - lost[0].queries[0]).toBeGreaterThan(0.1);
  });

  it('TLS: SNI, ALPN offered and chosen, handshake complete, request answered', () => {
    const k = conv.connections.find((c) => c.server === `${ADDR}:${ports.tls}` && c.tls?.sni === 'goproxy.example' && !c.proxyConnect);
    expect(k).toBeDefined();
    // TLS 1.3 sends the chosen ALPN in the encrypted EncryptedExtensions: not visible.
    expect(k!.tls).toMatchObject({ alpn: ['h2', 'http/1.1'], alpnChosen: null, version: 'TLS 1.3' });
    expect(k!.tls!.serverHello).toBeGreaterThan(k!.tls!.clientHello);
    expect(k!.tls!.established).not.toBeNull();
    expect(k!.syns).toHaveLength(1);
    expect(k!.history.startsWith('ShAD')).toBe(true);
    // The request is answered: the first wait closes with the response (not left open).
    expect(k!.waits[0].firstByte).not.toBeNull();
    expect(k!.waits[0].firstByte! - k!.waits[0].request).toBeLessThan(0.5);
  });

  it('TLS to a server that never answers: the last wait is the longest, about 600 ms', () => {
    const k = conv.connections.find((c) => c.server === `${ADDR}:${ports.tlsHung}`);
    expect(k?.tls?.sni).toBe('sumdb.example');
    expect(k!.tls!.established).not.toBeNull();
    const last = k!.waits[k!.waits.length - 1];
    // TLS 1.3 session tickets arrive right after the client's Finished; the request then waits
    // until we closed the connection.
    expect(last.seconds).toBeGreaterThan(0.3);
    expect(k!.bytes.client).toBeGreaterThan(0);
  });

  it('HTTP/2 over TLS, request never answered: a wait of about 700 ms', () => {
    const k = conv.connections.find((c) => c.server === `${ADDR}:${ports.h2}`);
    expect(k?.tls).toMatchObject({ sni: 'goproxy.example', alpn: ['h2'], version: 'TLS 1.3' });
    // The server's SETTINGS and session tickets come at once; the wait that follows the client's
    // reply to them lasts until we gave up (the server's answer to our close ends it).
    const longest = k!.waits.reduce((a, b) => (b.seconds > a.seconds ? b : a));
    expect(longest.seconds).toBeGreaterThan(0.5);
    expect(longest.seconds).toBeLessThan(2);
    expect(longest.request).toBeGreaterThanOrEqual(k!.tls!.established!);
  });

  it('HTTP: two requests on one kept-alive connection, statuses and bodies', () => {
    const k = conv.connections.filter((c) => c.server === `${ADDR}:${ports.http}`);
    expect(k).toHaveLength(1);
    expect(k[0].http.map((h) => [h.method, h.target, h.host, h.status])).toEqual([
      ['GET', '/list', 'proxy.example', 200],
      ['GET', '/v1.1.0.info', 'proxy.example', 200],
    ]);
    expect(k[0].http[0].bodyBytes).toBe(14);
    expect(k[0].http.every((h) => h.end !== null && h.firstByte !== null)).toBe(true);
  });

  it('CONNECT: 200 then TLS in the tunnel; 407 with Proxy-Authenticate', () => {
    const viaProxy = conv.connections.filter((c) => c.server === `${ADDR}:${ports.proxy}`);
    const ok = viaProxy.find((c) => c.proxyConnect?.status === 200);
    expect(ok?.proxyConnect?.target).toBe(`goproxy.example:${ports.tls}`);
    expect(ok?.tls?.sni).toBe('goproxy.example');
    expect(ok?.tls?.serverHello).not.toBeNull();
    const denied = viaProxy.find((c) => c.proxyConnect?.status === 407);
    expect(denied?.proxyConnect).toMatchObject({ target: 'blocked.example:443', proxyAuthenticate: 'Basic realm="corp"' });
    expect(denied?.tls).toBeNull();
  });

  it('connect refused: SYN answered by RST', () => {
    const k = conv.connections.find((c) => c.server === `${BLOCKED}:1`);
    expect(k?.state).toBe('REJ');
    expect(k?.reset?.by).toBe('server');
  });

  it('no anomalies on clean traffic', () => {
    expect(conv.anomalies).toEqual([]);
  });
});
