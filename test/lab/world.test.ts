import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createWorld } from '../../src/lab/world.js';
import { startGoProxy } from '../../src/lab/goproxy.js';

const root = typeof process.getuid === 'function' && process.getuid() === 0;

describe.skipIf(!root)('lab world (needs root for port 53)', () => {
  it('gives a fresh /24 with DNS on .53, a complete go environment, a project, and cleans up', async () => {
    const before = process.env.HTTPS_PROXY;
    process.env.HTTPS_PROXY = 'http://leak.example:3128';
    const w = await createWorld();
    try {
      expect(w.net).toMatch(/^127\.\d+\.\d+$/);
      expect(w.dns.host).toBe(`${w.net}.53`);
      expect(w.dns.port).toBe(53);
      expect(w.captureFilter).toBe(`net ${w.net}.0/24`);
      const env = w.goEnv({ GOPROXY: 'http://x' });
      // Nothing of ours leaks in: the environment is the lab's, complete.
      expect(env.HTTPS_PROXY).toBeUndefined();
      expect(env).toMatchObject({ GOPROXY: 'http://x', GOSUMDB: 'off', GOFLAGS: '-modcacherw', GOTOOLCHAIN: 'local', GODEBUG: 'netdns=go', GOENV: 'off' });
      for (const k of ['HOME', 'GOPATH', 'GOMODCACHE', 'GOCACHE', 'TMPDIR']) expect(env[k].startsWith(w.dir)).toBe(true);
      expect(env.SSL_CERT_FILE).toBeUndefined(); // no CA made yet
      await w.ca();
      expect(w.goEnv({}).SSL_CERT_FILE).toBe(join(w.dir, 'ca', 'ca.pem'));
      const cwd = await w.project([{ path: 'lab.example/util', version: 'v0.2.0' }], { goSum: true });
      expect(readFileSync(join(cwd, 'go.mod'), 'utf8')).toMatch(/^module lab\.example\/project\n\ngo 1\.19\n\nrequire \(\n\tlab\.example\/util v0\.2\.0\n\)\n$/);
      expect(readFileSync(join(cwd, 'go.sum'), 'utf8')).toContain(w.modules.get('lab.example/util', 'v0.2.0')!.sumZip);
      const wrap = await w.wrap({ timeout: 1 });
      expect(wrap.slice(0, 2)).toEqual(['unshare', '-m']);
      expect(readFileSync(join(w.dir, 'resolv.conf'), 'utf8')).toContain(`nameserver ${w.net}.53\noptions timeout:1`);
      // Servers it owns close with it.
      const p = w.own(await startGoProxy({ host: w.addr(10) }));
      w.name('goproxy.lab.example', { a: [p.host] });
    } finally {
      await w.cleanup();
      if (before === undefined) delete process.env.HTTPS_PROXY; else process.env.HTTPS_PROXY = before;
    }
    expect(existsSync(w.dir)).toBe(false);
    await w.cleanup(); // twice is fine
  });

  it('two worlds never share a /24', async () => {
    const [a, b] = await Promise.all([createWorld(), createWorld()]);
    try {
      expect(a.net).not.toBe(b.net);
    } finally {
      await Promise.all([a.cleanup(), b.cleanup()]);
    }
  });
});
