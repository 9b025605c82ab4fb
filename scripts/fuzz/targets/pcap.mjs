/** Target: the pcap reader (all four magic variants, any link type). */
import { writePcap } from '../../../dist/capture/writer.js';
import { sharedCaptures } from '../shared-corpus.mjs';
import * as f from '../frames.mjs';
import { readAll } from './capture-common.mjs';

export { cover, expected, maxLen } from './capture-common.mjs';
export const dictionary = [
  Uint8Array.from([0xd4, 0xc3, 0xb2, 0xa1]), Uint8Array.from([0xa1, 0xb2, 0xc3, 0xd4]),
  Uint8Array.from([0x4d, 0x3c, 0xb2, 0xa1]), Uint8Array.from([0xa1, 0xb2, 0x3c, 0x4d]),
  Uint8Array.from([0, 0, 4, 0]), Uint8Array.from([0xff, 0xff, 0, 0]),
];

export function seeds() {
  const syn = f.ether(0x0800, f.ipv4('10.0.0.1', '10.0.0.2', 6, f.tcp(40000, 443, { flags: f.TCP.SYN })));
  const dns = f.ether(0x86dd, f.ipv6(1, 2, 17, f.udp(5000, 53, f.dnsQuery(7, 'proxy.golang.org', 28))), 5);
  const pk = (data, i) => ({ tsSec: 1_700_000_000 + i, tsNsec: i * 1000, data });
  return [
    writePcap([syn, dns].map(pk), { linkType: 1 }),
    writePcap([syn, dns].map(pk), { linkType: 1, nanoseconds: true, bigEndian: true }),
    writePcap([f.sll2(0x0800, f.ipv4('127.0.0.1', '127.0.0.1', 17, f.udp(1, 53, f.dnsQuery(1, 'a.b'))))].map(pk), { linkType: 276, snapLen: 128 }),
    writePcap([{ ...pk(syn, 0), originalLength: 1500 }], { linkType: 1, snapLen: 60 }),
  ];
}

export const extraSeeds = () => sharedCaptures("pcap", 64 * 1024);

export async function run(bytes) {
  await readAll(bytes);
}
