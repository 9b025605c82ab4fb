import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { randomLoopbackNet } from '../../src/lab/address.js';
import { startGoProxy, type GoProxy } from '../../src/lab/goproxy.js';

const proxies: GoProxy[] = [];
afterEach(async () => { await Promise.all(proxies.splice(0).map((p) => p.close())); });

async function start(faults: Parameters<typeof startGoProxy>[0]['faults'] = []) {
  const p = await startGoProxy({ host: `${randomLoopbackNet()}.10`, faults });
  proxies.push(p);
  return p;
}

interface Got { status: number; body: Buffer; firstByteMs: number; totalMs: number }

function get(url: string, timeoutMs = 2000): Promise<Got> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const req = request(url, { agent: false }, (res) => {
      const firstByteMs = Date.now() - t0;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), firstByteMs, totalMs: Date.now() - t0 }));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

describe('lab GOPROXY', () => {
  it('serves list, info, mod and zip', async () => {
    const p = await start();
    const m = p.modules.get('lab.example/greet', 'v1.2.0')!;
    expect((await get(`${p.url}/lab.example/greet/@v/list`)).body.toString()).toBe('v1.0.0\nv1.1.0\nv1.2.0\n');
    expect(JSON.parse((await get(`${p.url}/lab.example/greet/@v/v1.2.0.info`)).body.toString()).Version).toBe('v1.2.0');
    expect((await get(`${p.url}/lab.example/greet/@v/v1.2.0.mod`)).body.toString()).toBe(m.goMod);
    expect((await get(`${p.url}/lab.example/greet/@v/v1.2.0.zip`)).body.equals(m.zip)).toBe(true);
    expect(JSON.parse((await get(`${p.url}/lab.example/greet/@latest`)).body.toString()).Version).toBe('v1.2.0');
    expect(p.requests.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
  });

  it('answers 404 for unknown modules, versions and paths', async () => {
    const p = await start();
    expect((await get(`${p.url}/lab.example/nope/@v/list`)).status).toBe(404);
    expect((await get(`${p.url}/lab.example/greet/@v/v9.9.9.info`)).status).toBe(404);
    expect((await get(`${p.url}/sumdb/sum.golang.org/supported`)).status).toBe(404);
  });

  it('fault status: 410 / 503 for the matching URLs only, with a proxy-like text', async () => {
    const p = await start([{ kind: 'status', match: '.zip', code: 410 }, { kind: 'status', match: '.info', code: 503 }]);
    const gone = await get(`${p.url}/lab.example/util/@v/v0.2.0.zip`);
    expect(gone.status).toBe(410);
    expect(gone.body.toString()).toBe('not found: lab.example/util/@v/v0.2.0.zip\n');
    const down = await get(`${p.url}/lab.example/util/@v/v0.2.0.info`);
    expect(down.status).toBe(503);
    expect(down.body.toString()).toBe('service unavailable: lab.example/util/@v/v0.2.0.info\n');
    expect((await get(`${p.url}/lab.example/util/@v/v0.2.0.mod`)).status).toBe(200);
  });

  it('fault silent: the request is logged and never answered', async () => {
    const p = await start([{ kind: 'silent', match: /greet\/@v\/v1\.2\.0\.zip$/ }]);
    expect((await get(`${p.url}/lab.example/greet/@v/v1.2.0.mod`)).status).toBe(200);
    await expect(get(`${p.url}/lab.example/greet/@v/v1.2.0.zip`, 500)).rejects.toThrow(/timeout/);
    const hung = await p.waitForRequest('.zip', 100);
    expect(hung).toMatchObject({ status: null, fault: 'silent', done: false });
  });

  it('fault delay: first byte after the delay', async () => {
    const p = await start([{ kind: 'delay', match: '.info', ms: 300 }]);
    const r = await get(`${p.url}/lab.example/util/@v/v0.1.0.info`);
    expect(r.status).toBe(200);
    expect(r.firstByteMs).toBeGreaterThanOrEqual(290);
  });

  it('fault trickle: N bytes every T ms', async () => {
    const p = await start([{ kind: 'trickle', match: '.mod', bytes: 10, everyMs: 40 }]);
    const m = p.modules.get('lab.example/greet', 'v1.2.0')!;
    const r = await get(`${p.url}/lab.example/greet/@v/v1.2.0.mod`, 10_000);
    expect(r.body.toString()).toBe(m.goMod);
    const steps = Math.ceil(m.goMod.length / 10) - 1;
    expect(r.totalMs).toBeGreaterThanOrEqual(steps * 40 - 20);
    expect(p.requests[0]).toMatchObject({ bytesSent: m.goMod.length, done: true });
  });

  it('close() ends hanging requests and frees the port', async () => {
    const p = await start([{ kind: 'silent', match: '/' }]);
    const pending = get(`${p.url}/lab.example/util/@v/list`, 5000).catch((e: Error) => e);
    await p.waitForRequest('list', 2000);
    await p.close();
    proxies.splice(proxies.indexOf(p), 1);
    expect(await pending).toBeInstanceOf(Error);
  });
});
