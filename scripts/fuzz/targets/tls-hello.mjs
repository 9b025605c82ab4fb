/** Target: ClientHello / ServerHello body parsing and the JA3/JA4 fingerprints made from them. */
import { HelloError, ja3, ja4, parseClientHello, parseServerHello } from '../../../dist/protocols/tls-hello.js';
import * as f from '../frames.mjs';

export const cover = ['/dist/protocols/tls'];
export const maxLen = 4096;
export const dictionary = [[0, 0], [0, 16], [0, 43], [0, 51], [0, 10], [0x13, 1], [3, 4], [3, 3], [0x0a, 0x0a]].map((a) => Uint8Array.from(a));

/** A hello cut short or malformed is a HelloError (turned into a TLS_ anomaly by the caller). */
export function expected(err) {
  return err instanceof HelloError;
}

export function seeds() {
  return [f.cat([0], f.clientHelloBody()), f.cat([1], f.serverHelloBody()), f.cat([0], f.clientHelloBody('sum.golang.org'))];
}

export function run(b) {
  if (b.length === 0) return;
  const body = b.subarray(1);
  if ((b[0] & 1) === 0) {
    const ch = parseClientHello(body);
    ja3(ch);
    ja4(ch);
  } else {
    JSON.stringify(parseServerHello(body));
  }
}
