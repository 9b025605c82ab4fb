import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { escapeModulePath, generateModules, parseProxyPath, unescapeModulePath, DEFAULT_MODULES } from '../../src/lab/modules.js';

describe('module path escaping', () => {
  it('escapes upper case as ! + lower case and back', () => {
    expect(escapeModulePath('github.com/Azure/Go')).toBe('github.com/!azure/!go');
    expect(unescapeModulePath('github.com/!azure/!go')).toBe('github.com/Azure/Go');
  });
  it('rejects bad escapes', () => {
    expect(unescapeModulePath('a/B')).toBeNull();
    expect(unescapeModulePath('a/!1')).toBeNull();
    expect(unescapeModulePath('a/!')).toBeNull();
  });
  it('round-trips any path of letters', () => {
    fc.assert(fc.property(fc.stringMatching(/^[a-zA-Z0-9./-]{1,40}$/), (p) => unescapeModulePath(escapeModulePath(p)) === p));
  });
});

describe('parseProxyPath', () => {
  it('parses the module proxy protocol URLs', () => {
    expect(parseProxyPath('/lab.example/greet/@v/list')).toEqual({ kind: 'list', path: 'lab.example/greet', version: null });
    expect(parseProxyPath('/lab.example/greet/@v/v1.2.0.zip')).toEqual({ kind: 'zip', path: 'lab.example/greet', version: 'v1.2.0' });
    expect(parseProxyPath('/lab.example/!greet/@v/v1.0.0.info')).toEqual({ kind: 'info', path: 'lab.example/Greet', version: 'v1.0.0' });
    expect(parseProxyPath('/lab.example/greet/@latest')).toEqual({ kind: 'latest', path: 'lab.example/greet', version: null });
  });
  it('never throws on hostile paths', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (p) => {
      const r = parseProxyPath(p);
      return r === null || typeof r.path === 'string';
    }));
  });
  it('returns null for anything else', () => {
    for (const p of ['/', '/x/@v/', '/x/@v/v1.zip.bak', '/%zz/@v/list', '/sumdb/sum.golang.org/supported']) {
      expect(parseProxyPath(p)).toBeNull();
    }
  });
});

describe('generateModules', () => {
  const set = generateModules();
  it('makes every version of every spec', () => {
    expect(set.all().length).toBe(DEFAULT_MODULES.reduce((n, s) => n + s.versions.length, 0));
    expect(set.get('lab.example/greet', 'v1.2.0')?.goMod).toContain('lab.example/util v0.2.0');
    expect(set.get('lab.example/greet', 'v1.0.0')?.goMod).not.toContain('require');
  });
  it('writes go.sum lines in the go.sum format', () => {
    const sum = set.goSum([{ path: 'lab.example/greet', version: 'v1.2.0' }]);
    const lines = sum.trim().split('\n');
    for (const l of lines) expect(l).toMatch(/^lab\.example\/[a-z]+ v\d+\.\d+\.\d+(\/go\.mod)? h1:[A-Za-z0-9+/]{43}=$/);
    expect(lines).toContain(set.get('lab.example/greet', 'v1.2.0')!.sumZip);
    expect(lines).toContain(set.get('lab.example/util', 'v0.2.0')!.sumMod);
  });
  it('makes the big module a zip over 30 kB, so that a trickle shows', () => {
    expect(set.get('lab.example/big', 'v1.0.0')!.zip.length).toBeGreaterThan(30_000);
  });
  it('is deterministic', () => {
    expect(generateModules().get('lab.example/big', 'v1.0.0')!.sumZip).toBe(set.get('lab.example/big', 'v1.0.0')!.sumZip);
  });
});
