import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { generateSumdbKey, gosumdbValue, sumdbVerifierKey } from '../../src/lab/sumdb.js';

describe('checksum database verifier key', () => {
  it('is name+hash+base64(0x01||ed25519 key) with hash = SHA-256(name\\nkey)[0:4]', () => {
    const key = generateSumdbKey('sum.lab.example');
    // base64 may contain '+': split at the first two only, as go's note.NewVerifier does.
    const [name, hash, ...rest] = key.verifierKey.split('+');
    const b64 = rest.join('+');
    expect(name).toBe('sum.lab.example');
    const raw = Buffer.from(b64, 'base64');
    expect(raw.length).toBe(33);
    expect(raw[0]).toBe(1);
    const want = createHash('sha256').update(Buffer.concat([Buffer.from('sum.lab.example\n'), raw])).digest().subarray(0, 4).toString('hex');
    expect(hash).toBe(want);
    expect(hash).toMatch(/^[0-9a-f]{8}$/);
  });

  it('gives different keys each time and a GOSUMDB value with the URL', () => {
    const a = generateSumdbKey();
    const b = generateSumdbKey();
    expect(a.verifierKey).not.toBe(b.verifierKey);
    expect(gosumdbValue(a, 'http://sum.lab.example:1234')).toBe(`${a.verifierKey} http://sum.lab.example:1234`);
  });

  it('rejects bad names and key sizes', () => {
    expect(() => sumdbVerifierKey('a b', new Uint8Array(32))).toThrow(/name/);
    expect(() => sumdbVerifierKey('a+b', new Uint8Array(32))).toThrow(/name/);
    expect(() => sumdbVerifierKey('ok', new Uint8Array(31))).toThrow(/32 bytes/);
  });
});
