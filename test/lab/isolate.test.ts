import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canIsolate, resolvConfText, resolvConfWrap } from '../../src/lab/isolate.js';
import { isLoopback, hostPort } from '../../src/lab/address.js';

const root = typeof process.getuid === 'function' && process.getuid() === 0;

describe('resolv.conf text', () => {
  it('lists nameservers and options', () => {
    expect(resolvConfText({ nameservers: ['127.9.8.53'], timeout: 1, attempts: 2, search: ['lab.example'] }))
      .toMatch(/nameserver 127\.9\.8\.53\nsearch lab\.example\noptions timeout:1 attempts:2\n$/);
  });
});

describe.skipIf(!root)('private resolv.conf (unshare -m + bind mount)', () => {
  it('the wrapped command sees the lab files; the host keeps its own', async () => {
    expect((await canIsolate()).ok).toBe(true);
    const before = readFileSync('/etc/resolv.conf', 'utf8');
    // A directory name with a space and a quote: paths travel as arguments, not script text.
    const dir = mkdtempSync(join(tmpdir(), "lab iso'"));
    try {
      const { wrap } = await resolvConfWrap(dir, { nameservers: ['127.44.33.53'] });
      const inside = execFileSync(wrap[0], [...wrap.slice(1), 'cat', '/etc/resolv.conf', '/etc/nsswitch.conf'], { encoding: 'utf8' });
      expect(inside).toContain('nameserver 127.44.33.53');
      expect(inside).toContain('hosts: files dns');
      // exec keeps the command's exit status
      const st = (() => { try { execFileSync(wrap[0], [...wrap.slice(1), 'sh', '-c', 'exit 7']); return 0; } catch (e) { return (e as { status: number }).status; } })();
      expect(st).toBe(7);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(readFileSync('/etc/resolv.conf', 'utf8')).toBe(before);
  });
});

describe('address helpers', () => {
  it('knows loopback', () => {
    expect(isLoopback('127.200.3.4')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('128.0.0.1')).toBe(false);
    expect(isLoopback('127.0.0.256')).toBe(false);
    expect(isLoopback('0.0.0.0')).toBe(false);
    expect(hostPort('::1', 80)).toBe('[::1]:80');
  });
});
