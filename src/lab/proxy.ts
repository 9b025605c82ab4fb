/**
 * The lab forward proxy (what HTTPS_PROXY points at): answers CONNECT by tunnelling to a loopback
 * target, by never answering, or with 407 (Proxy-Authenticate), 403 or 502. Plain-HTTP requests in
 * absolute form are forwarded in 'tunnel' mode and answered with the mode's status otherwise.
 * Targets are resolved through the lab's own name table and must be loopback addresses.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, isIP, type Socket } from 'node:net';
import { assertLoopback, hostPort, isLoopback } from './address.js';
import { closeServer, listenOn, tracker } from './listen.js';

export type ProxyMode = 'tunnel' | 'silent' | '407' | '403' | '502';

export interface ForwardProxyOptions {
  host: string;
  port?: number;
  mode?: ProxyMode;
  /** Lab names → loopback addresses. IP targets are used as they are (loopback only). */
  resolve?: (name: string) => string | null;
  realm?: string;
}

export interface ForwardProxyLog {
  t: number;
  method: string;
  /** CONNECT authority (host:port) or the absolute URL. */
  target: string;
  /** Status answered, or null when never answered. */
  status: number | null;
  proxyAuthorization: boolean;
  remote: string;
}

export interface ForwardProxy {
  url: string;
  host: string;
  port: number;
  requests: ForwardProxyLog[];
  waitForRequest(timeoutMs?: number): Promise<ForwardProxyLog>;
  close(): Promise<void>;
}

const REASON: Record<number, string> = { 403: 'Forbidden', 407: 'Proxy Authentication Required', 502: 'Bad Gateway' };

export async function startForwardProxy(opts: ForwardProxyOptions): Promise<ForwardProxy> {
  assertLoopback(opts.host);
  const mode = opts.mode ?? 'tunnel';
  const started = Date.now();
  const requests: ForwardProxyLog[] = [];
  const sockets = new Set<Socket>();
  const waiters: ((l: ForwardProxyLog) => void)[] = [];
  const realm = opts.realm ?? 'gomod-trace lab proxy';

  const log = (req: IncomingMessage, target: string): ForwardProxyLog => {
    const entry: ForwardProxyLog = {
      t: Date.now() - started, method: req.method ?? '?', target, status: null,
      proxyAuthorization: req.headers['proxy-authorization'] !== undefined,
      remote: hostPort(req.socket.remoteAddress ?? '?', req.socket.remotePort ?? 0),
    };
    requests.push(entry);
    for (const w of waiters.splice(0)) w(entry);
    return entry;
  };

  const resolveTarget = (host: string): string | null => {
    const h = host.replace(/^\[|\]$/g, '');
    const ip = isIP(h) ? h : opts.resolve?.(h.toLowerCase()) ?? null;
    return ip && isLoopback(ip) ? ip : null;
  };

  const refusal = (code: number) => {
    const body = `${code} ${REASON[code]}\n`;
    const headers = [`HTTP/1.1 ${code} ${REASON[code]}`, 'Content-Type: text/plain', `Content-Length: ${body.length}`, 'Connection: close'];
    if (code === 407) headers.push(`Proxy-Authenticate: Basic realm="${realm}"`);
    return headers.join('\r\n') + '\r\n\r\n' + body;
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const entry = log(req, req.url ?? '');
    if (mode === 'silent') return;
    if (mode !== 'tunnel') {
      const code = Number(mode);
      entry.status = code;
      res.writeHead(code, REASON[code], code === 407 ? { 'Proxy-Authenticate': `Basic realm="${realm}"` } : {});
      res.end(`${code} ${REASON[code]}\n`);
      return;
    }
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      entry.status = 400;
      res.writeHead(400).end('absolute-form URL expected\n');
      return;
    }
    const ip = resolveTarget(url.hostname);
    if (!ip || url.protocol !== 'http:') {
      entry.status = 502;
      res.writeHead(502, REASON[502]).end(`cannot reach ${url.host} from the lab\n`);
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const up = request({ host: ip, port: Number(url.port || 80), method: req.method, path: url.pathname + url.search, headers }, (ur) => {
      entry.status = ur.statusCode ?? null;
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      ur.pipe(res);
    });
    up.on('error', () => { entry.status = 502; if (!res.headersSent) res.writeHead(502); res.end(); });
    req.pipe(up);
  });

  const track = tracker(sockets);
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    track(client);
    client.on('error', () => { /* client went away */ });
    const target = req.url ?? '';
    const entry = log(req, target);
    if (mode === 'silent') return;
    if (mode !== 'tunnel') {
      entry.status = Number(mode);
      client.end(refusal(entry.status));
      return;
    }
    const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(target);
    const ip = m ? resolveTarget(m[1]) : null;
    if (!m || !ip) {
      entry.status = 502;
      client.end(refusal(502));
      return;
    }
    const upstream = connect({ host: ip, port: Number(m[2]) });
    sockets.add(upstream);
    upstream.on('close', () => { sockets.delete(upstream); client.destroy(); });
    upstream.on('error', () => {
      if (entry.status === null) { entry.status = 502; client.end(refusal(502)); } else client.destroy();
    });
    upstream.on('connect', () => {
      entry.status = 200;
      client.write('HTTP/1.1 200 Connection established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    client.on('close', () => upstream.destroy());
  });
  server.on('connection', track);
  server.on('clientError', (_e: unknown, s: Socket) => s.destroy());

  const port = await listenOn(server, opts.host, opts.port ?? 0);
  return {
    url: `http://${hostPort(opts.host, port)}`,
    host: opts.host, port, requests,
    waitForRequest(timeoutMs = 30_000) {
      if (requests.length) return Promise.resolve(requests[0]);
      return new Promise((resolve, reject) => {
        const w = (l: ForwardProxyLog) => { clearTimeout(t); resolve(l); };
        const t = setTimeout(() => { waiters.splice(waiters.indexOf(w), 1); reject(new Error(`no proxy request within ${timeoutMs} ms`)); }, timeoutMs);
        waiters.push(w);
      });
    },
    async close() {
      await closeServer(server, sockets);
    },
  };
}
