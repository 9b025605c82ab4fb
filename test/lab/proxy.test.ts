import { afterEach, describe, expect, it } from 'vitest';
import { request, createServer, type Server } from 'node:http';
import { randomLoopbackNet } from '../../src/lab/address.js';
import { startForwardProxy, type ForwardProxy, type ProxyMode } from '../../src/lab/proxy.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => { for (const c of closers.splice(0).reverse()) await c(); });

async function origin(host: string): Promise<Server> {
  const s = createServer((_req, res) => res.end('hello from origin\n'));
  await new Promise<void>((r) => s.listen({ host, port: 0 }, () => r()));
  closers.push(() => new Promise((r) => s.close(() => r())));
  return s;
}

async function proxyWith(mode: ProxyMode, net = randomLoopbackNet()): Promise<{ p: ForwardProxy; net: string }> {
  const p = await startForwardProxy({ host: `${net}.30`, mode, resolve: (n) => (n === 'goproxy.lab.example' ? `${net}.10` : null) });
  closers.push(() => p.close());
  return { p, net };
}

function connectVia(p: ForwardProxy, target: string, ms = 1500): Promise<{ status: number | 'timeout'; headers: Record<string, unknown>; socket?: import('node:net').Socket }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: p.host, port: p.port, method: 'CONNECT', path: target, agent: false });
    const t = setTimeout(() => { req.destroy(); resolve({ status: 'timeout', headers: {} }); }, ms);
    req.on('connect', (res, socket) => { clearTimeout(t); resolve({ status: res.statusCode ?? 0, headers: res.headers, socket }); });
    req.on('error', (e) => { clearTimeout(t); reject(e); });
    req.end();
  });
}

describe('lab forward proxy', () => {
  it('tunnel: CONNECT to a lab name reaches the loopback origin', async () => {
    const { p, net } = await proxyWith('tunnel');
    const o = await origin(`${net}.10`);
    const port = (o.address() as { port: number }).port;
    const r = await connectVia(p, `goproxy.lab.example:${port}`);
    expect(r.status).toBe(200);
    const body = await new Promise<string>((resolve) => {
      let got = '';
      r.socket!.on('data', (c: Buffer) => { got += c.toString(); if (got.includes('origin')) { r.socket!.destroy(); resolve(got); } });
      r.socket!.write('GET / HTTP/1.1\r\nHost: goproxy.lab.example\r\nConnection: close\r\n\r\n');
    });
    expect(body).toContain('hello from origin');
    expect(p.requests[0]).toMatchObject({ method: 'CONNECT', target: `goproxy.lab.example:${port}`, status: 200 });
  });

  it('tunnel: refuses targets outside the lab (502)', async () => {
    const { p } = await proxyWith('tunnel');
    expect((await connectVia(p, 'example.com:443')).status).toBe(502);
    expect((await connectVia(p, '10.0.0.1:443')).status).toBe(502);
  });

  it('407 carries Proxy-Authenticate', async () => {
    const { p } = await proxyWith('407');
    const r = await connectVia(p, 'goproxy.lab.example:443');
    expect(r.status).toBe(407);
    expect(String(r.headers['proxy-authenticate'])).toMatch(/^Basic realm=/);
    r.socket?.destroy();
  });

  it('403 and 502', async () => {
    for (const mode of ['403', '502'] as const) {
      const { p } = await proxyWith(mode);
      const r = await connectVia(p, 'goproxy.lab.example:443');
      expect(r.status).toBe(Number(mode));
      r.socket?.destroy();
    }
  });

  it('silent: CONNECT logged, never answered', async () => {
    const { p } = await proxyWith('silent');
    expect((await connectVia(p, 'goproxy.lab.example:443', 600)).status).toBe('timeout');
    expect(p.requests[0]).toMatchObject({ method: 'CONNECT', status: null });
  });
});
