/**
 * The lab GOPROXY: serves generated modules (modules.ts) over HTTP or HTTPS (HTTP/2 with HTTP/1.1
 * fallback, as public proxies do) on a loopback address, with fault modes per URL:
 * never answer, trickle the body, answer 404/410, delay the first byte. Every request is logged.
 */
import { STATUS_CODES, createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createSecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { Socket } from 'node:net';
import { assertLoopback, hostPort } from './address.js';
import { generateModules, parseProxyPath, type ModuleSet } from './modules.js';
import { closeServer, listenOn, tracker } from './listen.js';

export type ProxyFault =
  /** Accept the request and never send a byte of response. */
  | { kind: 'silent'; match: string | RegExp }
  /** Send headers, then `bytes` of body every `everyMs`. */
  | { kind: 'trickle'; match: string | RegExp; bytes: number; everyMs: number }
  /** Answer with this status (404, 410, 500…) and a short text body, as proxies do. */
  | { kind: 'status'; match: string | RegExp; code: number }
  /** Wait `ms` before the first byte, then answer normally. */
  | { kind: 'delay'; match: string | RegExp; ms: number };

export interface GoProxyOptions {
  /** Loopback address to bind (127.x.y.z or ::1). */
  host: string;
  port?: number;
  scheme?: 'http' | 'https';
  /** Certificate and key (PEM) for https. */
  tls?: { cert: string; key: string };
  /** Host name to put in `url` (resolved by the lab DNS); defaults to the address. */
  hostname?: string;
  modules?: ModuleSet;
  faults?: ProxyFault[];
}

export interface ProxyRequestLog {
  /** ms since the server started */
  t: number;
  method: string;
  path: string;
  httpVersion: string;
  remote: string;
  /** Status sent, or null when the request was left unanswered. */
  status: number | null;
  fault: ProxyFault['kind'] | null;
  /** Body bytes sent so far (grows while trickling). */
  bytesSent: number;
  /** Set when the response finished. */
  done: boolean;
}

export interface GoProxy {
  url: string;
  host: string;
  port: number;
  scheme: 'http' | 'https';
  modules: ModuleSet;
  requests: ProxyRequestLog[];
  /** Resolves when a request whose path matches arrives (already-arrived ones count). */
  waitForRequest(match: string | RegExp, timeoutMs?: number): Promise<ProxyRequestLog>;
  close(): Promise<void>;
}

type Req = IncomingMessage | Http2ServerRequest;
type Res = ServerResponse | Http2ServerResponse;

export function matches(match: string | RegExp, path: string): boolean {
  return typeof match === 'string' ? path.includes(match) : match.test(path);
}

export async function startGoProxy(opts: GoProxyOptions): Promise<GoProxy> {
  assertLoopback(opts.host);
  const scheme = opts.scheme ?? (opts.tls ? 'https' : 'http');
  if (scheme === 'https' && !opts.tls) throw new Error('startGoProxy: https needs tls { cert, key }');
  const modules = opts.modules ?? generateModules();
  const faults = opts.faults ?? [];
  const started = Date.now();
  const requests: ProxyRequestLog[] = [];
  const waiters: { match: string | RegExp; resolve: (r: ProxyRequestLog) => void }[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();

  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => { timers.delete(t); fn(); }, ms);
    timers.add(t);
  };

  function handle(req: Req, resAny: Res): void {
    // Both response kinds share the calls used here (writeHead, write, end); type them as one.
    const res = resAny as unknown as ServerResponse;
    const path = req.url ?? '/';
    const fault = faults.find((f) => matches(f.match, path)) ?? null;
    const entry: ProxyRequestLog = {
      t: Date.now() - started, method: req.method ?? 'GET', path, httpVersion: req.httpVersion,
      remote: hostPort(req.socket?.remoteAddress ?? '?', req.socket?.remotePort ?? 0),
      status: null, fault: fault?.kind ?? null, bytesSent: 0, done: false,
    };
    requests.push(entry);
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (matches(waiters[i].match, path)) { waiters[i].resolve(entry); waiters.splice(i, 1); }
    }
    if (fault?.kind === 'silent') return; // the socket stays open until close()

    const { status, type, body } = lookup(path);
    const send = (code: number, data: Buffer, contentType: string) => {
      entry.status = code;
      if (fault?.kind === 'status') {
        // Public proxies explain a 404/410 with "not found: …" (go prints it); other codes get their reason.
        const what = fault.code === 404 || fault.code === 410 ? 'not found' : (STATUS_CODES[fault.code] ?? 'error').toLowerCase();
        const text = Buffer.from(`${what}: ${path.replace(/^\//, '')}\n`);
        entry.status = fault.code;
        res.writeHead(fault.code, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(text.length) });
        res.end(text, () => { entry.bytesSent = text.length; entry.done = true; });
        return;
      }
      res.writeHead(code, { 'content-type': contentType, 'content-length': String(data.length) });
      if (fault?.kind === 'trickle' && code === 200) {
        let off = 0;
        const step = () => {
          if (res.destroyed || res.writableEnded) return;
          const chunk = data.subarray(off, off + Math.max(1, fault.bytes));
          off += chunk.length;
          entry.bytesSent = off;
          if (off >= data.length) { res.end(chunk, () => { entry.done = true; }); return; }
          res.write(chunk);
          later(fault.everyMs, step);
        };
        step();
        return;
      }
      res.end(data, () => { entry.bytesSent = data.length; entry.done = true; });
    };
    const go = () => send(status, body, type);
    if (fault?.kind === 'delay') later(fault.ms, go);
    else go();
  }

  function lookup(path: string): { status: number; type: string; body: Buffer } {
    const text = (code: number, s: string) => ({ status: code, type: 'text/plain; charset=utf-8', body: Buffer.from(s) });
    const want = parseProxyPath(path);
    if (!want) return text(404, `not found: ${path}\n`);
    const versions = modules.modules.get(want.path);
    if (!versions) return text(404, `not found: module ${want.path}: no such module on the lab proxy\n`);
    if (want.kind === 'list') return text(200, versions.map((v) => v.version).join('\n') + '\n');
    if (want.kind === 'latest') return { status: 200, type: 'application/json', body: Buffer.from(versions[versions.length - 1].info) };
    const m = versions.find((v) => v.version === want.version);
    if (!m) return text(404, `not found: ${want.path}@${want.version}: invalid version: unknown revision ${want.version}\n`);
    if (want.kind === 'info') return { status: 200, type: 'application/json', body: Buffer.from(m.info) };
    if (want.kind === 'mod') return text(200, m.goMod);
    return { status: 200, type: 'application/zip', body: m.zip };
  }

  const server = scheme === 'https'
    ? createSecureServer({ cert: opts.tls!.cert, key: opts.tls!.key, allowHTTP1: true }, handle)
    : createHttpServer(handle);
  const track = tracker(sockets);
  server.on(scheme === 'https' ? 'secureConnection' : 'connection', track);
  if (scheme === 'https') server.on('connection', track);
  server.on('clientError', (_err: unknown, socket: Socket) => socket.destroy());

  const port = await listenOn(server, opts.host, opts.port ?? 0);
  const urlHost = opts.hostname ?? opts.host;
  return {
    url: `${scheme}://${hostPort(urlHost, port)}`,
    host: opts.host,
    port,
    scheme,
    modules,
    requests,
    waitForRequest(match, timeoutMs = 30_000) {
      const seen = requests.find((r) => matches(match, r.path));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const w = { match, resolve: (r: ProxyRequestLog) => { clearTimeout(t); resolve(r); } };
        const t = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`no request matching ${String(match)} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.push(w);
      });
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await closeServer(server, sockets);
    },
  };
}
