/**
 * A checksum-database identity go accepts in GOSUMDB: `name+hash+key`, where key is base64 of
 * 0x01 (Ed25519) followed by the 32-byte public key, and hash is the first 4 bytes (hex) of
 * SHA-256(name + "\n" + key bytes) — the note verifier key format of golang.org/x/mod/sumdb/note.
 * With `GOSUMDB="<vkey> <url>"` go asks <url> directly (checked with go 1.19: no request to the
 * GOPROXY's /sumdb/ path), so a lab server that never answers makes the checksum stage hang.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';

export interface SumdbKey {
  name: string;
  /** `name+hash+base64key`: the first word of GOSUMDB. */
  verifierKey: string;
}

export function isValidSumdbName(name: string): boolean {
  return name.length > 0 && !/[\s+]/.test(name) && /^[\x21-\x7e]+$/.test(name);
}

export function sumdbVerifierKey(name: string, publicKey: Uint8Array): string {
  if (!isValidSumdbName(name)) throw new Error(`invalid checksum database name: ${JSON.stringify(name)}`);
  if (publicKey.length !== 32) throw new Error(`Ed25519 public key must be 32 bytes, got ${publicKey.length}`);
  const key = Buffer.concat([Buffer.from([1]), publicKey]);
  const hash = createHash('sha256').update(name).update('\n').update(key).digest().subarray(0, 4).toString('hex');
  return `${name}+${hash}+${key.toString('base64')}`;
}

export function generateSumdbKey(name = 'sum.lab.example'): SumdbKey {
  const { publicKey } = generateKeyPairSync('ed25519');
  // The raw key is the last 32 bytes of the SPKI DER encoding.
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return { name, verifierKey: sumdbVerifierKey(name, der.subarray(der.length - 32)) };
}

/** The GOSUMDB value that points go at `url` for database `key.name`. */
export function gosumdbValue(key: SumdbKey, url: string): string {
  return `${key.verifierKey} ${url}`;
}
