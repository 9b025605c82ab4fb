/**
 * A fake git host for direct (GOPRIVATE) fetches: an HTTPS server (port 443, since module paths
 * carry no port) that answers go's `?go-get=1` discovery with a go-import meta tag pointing at a
 * git repository, and answers git's smart-HTTP request with 401 + WWW-Authenticate, so git asks
 * for credentials: through GIT_ASKPASS or the terminal, where a user's download then waits.
 */
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import { assertLoopback } from './address.js';
import { closeServer, listenOn, tracker } from './listen.js';

export interface GitServerLog {
  t: number;
  method: string;
  path: string;
  /** 0 while unanswered. */
  status: number;
  authorization: boolean;
}

export interface GitServer {
  host: string;
  port: number;
  /** The host name repositories are served under. */
  hostname: string;
  requests: GitServerLog[];
  close(): Promise<void>;
}

export async function startGitServer(opts: {
  host: string;
  port?: number;
  hostname: string;
  tls: { cert: string; key: string };
  /** 'auth' (default): git's requests get 401; 'silent': they are accepted and never answered. */
  mode?: 'auth' | 'silent';
}): Promise<GitServer> {
  assertLoopback(opts.host);
  const started = Date.now();
  const requests: GitServerLog[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer({ cert: opts.tls.cert, key: opts.tls.key }, (req, res) => {
    const url = new URL(req.url ?? '/', `https://${opts.hostname}`);
    const entry: GitServerLog = { t: Date.now() - started, method: req.method ?? '?', path: url.pathname + url.search, status: 0, authorization: req.headers.authorization !== undefined };
    requests.push(entry);
    if (url.searchParams.get('go-get') === '1') {
      const parts = url.pathname.split('/').filter(Boolean).slice(0, 2);
      const root = `${opts.hostname}/${parts.join('/')}`;
      const body = `<!doctype html><html><head><meta name="go-import" content="${root} git https://${root}.git"></head><body>lab</body></html>\n`;
      entry.status = 200;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
      return;
    }
    if (url.pathname.includes('.git/') && opts.mode === 'silent') return; // held open until close()
    if (url.pathname.includes('.git/')) {
      entry.status = 401;
      res.writeHead(401, { 'www-authenticate': 'Basic realm="gomod-trace lab git"', 'content-type': 'text/plain' }).end('authentication required\n');
      return;
    }
    entry.status = 404;
    res.writeHead(404).end('not found\n');
  });
  server.on('connection', tracker(sockets));
  server.on('tlsClientError', () => { /* ignore */ });
  const port = await listenOn(server, opts.host, opts.port ?? 443);
  return {
    host: opts.host, port, hostname: opts.hostname, requests,
    async close() {
      await closeServer(server, sockets);
    },
  };
}
