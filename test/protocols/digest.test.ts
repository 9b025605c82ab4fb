import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { md5Hex, sha256Hex } from '../../src/protocols/digest.js';

describe('MD5 and SHA-256 of ASCII texts (the JA3/JA4 digests) agree with node:crypto', () => {
  const texts = ['', 'a', 'abc', 'message digest', '771,4865-4866-4867,0-23-65281-10-11,29-23-24,0', 'x'.repeat(55), 'x'.repeat(56), 'x'.repeat(63),
    'x'.repeat(64), 'x'.repeat(65), 'y'.repeat(1000)];
  for (const t of texts) {
    it(`"${t.length > 20 ? `${t.slice(0, 12)}… (${t.length})` : t}"`, () => {
      expect(md5Hex(t)).toBe(createHash('md5').update(t, 'latin1').digest('hex'));
      expect(sha256Hex(t)).toBe(createHash('sha256').update(t, 'latin1').digest('hex'));
    });
  }

  it('on 2,000 random texts of 0–300 printable characters', () => {
    let state = 7;
    const rnd = (n: number) => { state = (Math.imul(state, 1103515245) + 12345) >>> 0; return (state >>> 8) % n; };
    for (let k = 0; k < 2000; k++) {
      let t = '';
      for (let i = rnd(301); i > 0; i--) t += String.fromCharCode(0x20 + rnd(95));
      expect(md5Hex(t), t).toBe(createHash('md5').update(t, 'latin1').digest('hex'));
      expect(sha256Hex(t), t).toBe(createHash('sha256').update(t, 'latin1').digest('hex'));
    }
  });
});
