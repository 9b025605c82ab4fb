/** Target: our DNS message parser (names, compression, counts bounded by the bytes left). */
import { parseDnsMessage } from '../../../dist/protocols/dns.js';
import * as f from '../frames.mjs';

export const cover = ['/dist/protocols/dns'];
export const maxLen = 4096;
export const dictionary = [[0xc0, 12], [0xc0, 0], [0, 1, 0, 1], [0, 28, 0, 1], [0, 5, 0, 1], [0, 41], [0x81, 0x80], [0x3f]].map((a) => Uint8Array.from(a));

/** parseDnsMessage reports bad input as `{ anomaly }`; it documents no exceptions. */
export function expected() {
  return false;
}

export function seeds() {
  return [
    f.dnsQuery(0x1234, 'proxy.golang.org', 1),
    f.dnsQuery(7, 'sum.golang.org', 28),
    f.dnsAnswer(7, 'proxy.golang.org', 1, Uint8Array.from([142, 250, 1, 141])),
    f.dnsAnswer(9, 'proxy.golang.org', 28, Uint8Array.from(f.ip6(9))),
    f.dnsAnswer(3, 'golang.org', 5, Uint8Array.from([5, ...f.enc('proxy'), 0xc0, 12])),
    f.dnsAnswer(4, 'x.example', 16, Uint8Array.from([5, ...f.enc('hello')])),
  ];
}

export function run(b) {
  const m = parseDnsMessage(b);
  // A whole message, or only `{ anomaly }` when not even the header is there; either way any
  // anomaly has a DNS_ name.
  if (m.anomaly !== null && !/^DNS_\w+$/.test(m.anomaly.name)) throw new Error(`invariant: anomaly name ${m.anomaly.name}`);
  if ('id' in m) {
    if (m.answers.length > 64) throw new Error(`invariant: ${m.answers.length} answers kept`);
    if (m.counts.answers > 0xffff) throw new Error(`invariant: answer count ${m.counts.answers}`);
  }
  JSON.stringify(m);
}
