import { afterEach, describe, expect, it } from 'vitest';
import { Resolver } from 'node:dns/promises';
import { randomLoopbackNet } from '../../src/lab/address.js';
import { startDnsServer, type DnsServer } from '../../src/lab/dns.js';

const servers: DnsServer[] = [];
afterEach(async () => { await Promise.all(servers.splice(0).map((s) => s.close())); });

async function start(faults: Parameters<typeof startDnsServer>[0]['faults'] = {}) {
  // Port 0: these unit tests need no root; scenarios use port 53.
  const s = await startDnsServer({
    host: `${randomLoopbackNet()}.53`, port: 0, faults,
    records: { 'proxy.lab.example': { a: ['127.1.2.3'], aaaa: ['::1'] } },
  });
  servers.push(s);
  const r = new Resolver({ timeout: 400, tries: 1 });
  r.setServers([s.address]);
  return { s, r };
}

describe('lab DNS server', () => {
  it('answers A and AAAA for lab names and logs the queries', async () => {
    const { s, r } = await start();
    expect(await r.resolve4('proxy.lab.example')).toEqual(['127.1.2.3']);
    expect(await r.resolve6('Proxy.Lab.Example.')).toEqual(['::1']);
    expect(s.queries.map((q) => [q.name, q.type, q.rcode, q.answers])).toEqual([
      ['proxy.lab.example', 'A', 'NOERROR', 1], ['proxy.lab.example', 'AAAA', 'NOERROR', 1],
    ]);
  });

  it('answers NXDOMAIN for unknown names', async () => {
    const { s, r } = await start();
    await expect(r.resolve4('other.lab.example')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    expect(s.queries[0].rcode).toBe('NXDOMAIN');
  });

  it('fault nxdomain / servfail', async () => {
    const a = await start({ 'proxy.lab.example': { kind: 'nxdomain' } });
    await expect(a.r.resolve4('proxy.lab.example')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    const b = await start({ '*': { kind: 'servfail' } });
    await expect(b.r.resolve4('proxy.lab.example')).rejects.toMatchObject({ code: 'ESERVFAIL' });
    expect(b.s.queries[0].rcode).toBe('SERVFAIL');
  });

  it('fault silent: the query is logged and never answered', async () => {
    const { s, r } = await start({ '*': { kind: 'silent' } });
    await expect(r.resolve4('proxy.lab.example')).rejects.toMatchObject({ code: 'ETIMEOUT' });
    expect(s.queries.length).toBeGreaterThanOrEqual(1);
    expect(s.queries.every((q) => q.rcode === null)).toBe(true);
  });

  it('fault slow: answers after the delay', async () => {
    const { r } = await start({ 'proxy.lab.example': { kind: 'slow', ms: 250 } });
    const slow = new Resolver({ timeout: 2000, tries: 1 });
    slow.setServers(r.getServers());
    const t0 = Date.now();
    expect(await slow.resolve4('proxy.lab.example')).toEqual(['127.1.2.3']);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(240);
  });

  it('fault aaaa-lost: A answered, AAAA never', async () => {
    const { s, r } = await start({ 'proxy.lab.example': { kind: 'aaaa-lost' } });
    expect(await r.resolve4('proxy.lab.example')).toEqual(['127.1.2.3']);
    await expect(r.resolve6('proxy.lab.example')).rejects.toMatchObject({ code: 'ETIMEOUT' });
    expect(s.queries.filter((q) => q.type === 'AAAA').every((q) => q.rcode === null)).toBe(true);
  });

  it('faults for *.suffix apply under the suffix only; exact names win', async () => {
    const { s, r } = await start({ '*.corp.lab.example': { kind: 'silent' }, 'x.corp.lab.example': { kind: 'nxdomain' } });
    s.set('proxy.lab.example.corp.lab.example', { a: ['127.9.9.9'] });
    await expect(r.resolve4('proxy.lab.example.corp.lab.example')).rejects.toMatchObject({ code: 'ETIMEOUT' });
    await expect(r.resolve4('x.corp.lab.example')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    expect(await r.resolve4('proxy.lab.example')).toEqual(['127.1.2.3']);
  });

  it('drops garbage without dying', async () => {
    const { s, r } = await start();
    const { createSocket } = await import('node:dgram');
    const u = createSocket('udp4');
    await new Promise<void>((res) => u.send(Buffer.from([1, 2, 3]), s.port, s.host, () => res()));
    u.close();
    expect(await r.resolve4('proxy.lab.example')).toEqual(['127.1.2.3']);
  });

  it('survives random datagrams and truncated queries, and still answers', async () => {
    const { s, r } = await start();
    const { createSocket } = await import('node:dgram');
    const dnsPacket = (await import('dns-packet')).default;
    const good = dnsPacket.encode({ type: 'query', id: 7, questions: [{ type: 'A', name: 'proxy.lab.example' }] });
    const u = createSocket('udp4');
    const fc = (await import('fast-check')).default;
    const samples = fc.sample(fc.uint8Array({ maxLength: 600 }), 200).map((b) => Buffer.from(b));
    for (let n = 0; n < good.length; n++) samples.push(Buffer.from(good.subarray(0, n)));
    for (const b of samples) await new Promise<void>((res) => u.send(b, s.port, s.host, () => res()));
    u.close();
    expect(await r.resolve4('proxy.lab.example')).toEqual(['127.1.2.3']);
  });

  it('refuses non-loopback addresses', async () => {
    await expect(startDnsServer({ host: '0.0.0.0', port: 0, records: {} })).rejects.toThrow(/loopback only/);
  });
});
