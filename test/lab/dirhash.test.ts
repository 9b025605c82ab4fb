import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { hash1 } from '../../src/lab/dirhash.js';

const sha = (s: string | Buffer) => createHash('sha256').update(s).digest();

describe('hash1 (dirhash h1)', () => {
  it('hashes the sorted "<sha256>  <name>\\n" summary', () => {
    const a = Buffer.from('alpha\n');
    const b = Buffer.from('beta\n');
    const summary = `${sha(a).toString('hex')}  m@v1/a.go\n${sha(b).toString('hex')}  m@v1/b.go\n`;
    const want = 'h1:' + sha(summary).toString('base64');
    expect(hash1([{ name: 'm@v1/b.go', data: b }, { name: 'm@v1/a.go', data: a }])).toBe(want);
  });

  it('sorts by bytes, not locale (upper case before lower case)', () => {
    const files = [{ name: 'a', data: Buffer.from('1') }, { name: 'B', data: Buffer.from('2') }];
    const summary = `${sha('2').toString('hex')}  B\n${sha('1').toString('hex')}  a\n`;
    expect(hash1(files)).toBe('h1:' + sha(summary).toString('base64'));
  });

  it('of no files is the hash of the empty summary', () => {
    expect(hash1([])).toBe('h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=');
  });

  it('refuses names with newlines', () => {
    expect(() => hash1([{ name: 'a\nb', data: Buffer.alloc(0) }])).toThrow(/newline/);
  });
});
