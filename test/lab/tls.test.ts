import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, connect, type Server } from 'node:tls';
import fc from 'fast-check';
import { randomLoopbackNet } from '../../src/lab/address.js';
import { createLabCa, type LabCa } from '../../src/lab/ca.js';
import { parseClientHello } from '../../src/lab/sni.js';

let ca: LabCa;
beforeAll(async () => { ca = await createLabCa(); });
afterAll(async () => { await ca?.cleanup(); });

async function serve(cert: { cert: string; key: string }, host: string): Promise<Server> {
  const s = createServer({ cert: cert.cert, key: cert.key }, (sock) => sock.end('ok'));
  await new Promise<void>((r) => s.listen({ host, port: 0 }, () => r()));
  return s;
}

function handshake(host: string, port: number, servername: string | undefined, caPem: string): Promise<{ authorized: boolean; error?: string }> {
  return new Promise((resolve) => {
    const s = connect({ host, port, servername, ca: caPem, rejectUnauthorized: false });
    s.once('secureConnect', () => { resolve({ authorized: s.authorized, error: s.authorizationError ? String(s.authorizationError) : undefined }); s.destroy(); });
    s.once('error', (e) => resolve({ authorized: false, error: e.message }));
  });
}

describe('lab CA', () => {
  it('issues server certificates that verify for their names and IPs only', async () => {
    const host = `${randomLoopbackNet()}.10`;
    const cert = await ca.issue(['goproxy.lab.example'], [host]);
    const s = await serve(cert, host);
    try {
      const port = (s.address() as { port: number }).port;
      expect(await handshake(host, port, 'goproxy.lab.example', ca.caPem)).toEqual({ authorized: true, error: undefined });
      expect((await handshake(host, port, 'other.lab.example', ca.caPem)).authorized).toBe(false);
      // Without the lab CA the chain does not verify.
      const other = await createLabCa();
      try {
        expect((await handshake(host, port, 'goproxy.lab.example', other.caPem)).error).toMatch(/signature|issuer|verify|self.signed/i);
      } finally {
        await other.cleanup();
      }
    } finally {
      await new Promise<void>((r) => s.close(() => r()));
    }
  });
});

describe('parseClientHello', () => {
  it('finds the SNI in a real ClientHello', async () => {
    const { createServer: tcp } = await import('node:net');
    const host = `${randomLoopbackNet()}.20`;
    let first: Buffer | null = null;
    const srv = tcp((sock) => sock.once('data', (c: Buffer) => { first = c; sock.destroy(); }));
    await new Promise<void>((r) => srv.listen({ host, port: 0 }, () => r()));
    const port = (srv.address() as { port: number }).port;
    await new Promise<void>((resolve) => {
      const c = connect({ host, port, servername: 'sum.lab.example' });
      c.once('error', () => resolve());
      c.once('close', () => resolve());
    });
    await new Promise<void>((r) => srv.close(() => r()));
    expect(first).not.toBeNull();
    expect(parseClientHello(first!)).toMatchObject({ sni: 'sum.lab.example' });
    // Cut anywhere: never throws, never invents a name.
    for (let n = 0; n < first!.length; n += 7) {
      const r = parseClientHello(first!.subarray(0, n));
      expect(r === null || r.sni === null || r.sni === 'sum.lab.example').toBe(true);
    }
  });

  it('returns null for non-TLS bytes and survives garbage', () => {
    expect(parseClientHello(Buffer.from('GET / HTTP/1.1\r\n\r\n'))).toBeNull();
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (b) => {
      const r = parseClientHello(b);
      return r === null || typeof r.recordVersion === 'number';
    }));
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (b) => {
      const withHeader = Buffer.concat([Buffer.from([22, 3, 1, 2, 0, 1, 0, 1, 252]), b]);
      parseClientHello(withHeader);
      return true;
    }));
  });
});
