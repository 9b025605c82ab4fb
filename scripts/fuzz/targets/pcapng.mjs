/** Target: the pcapng reader (sections of either byte order, IDB options, EPB/SPB/PB, unknown blocks). */
import { writePcapng } from '../../../dist/capture/writer.js';
import { sharedCaptures } from '../shared-corpus.mjs';
import * as f from '../frames.mjs';
import { readAll } from './capture-common.mjs';

export { cover, expected, maxLen } from './capture-common.mjs';
export const dictionary = [
  Uint8Array.from([0x0a, 0x0d, 0x0d, 0x0a]), Uint8Array.from([0x4d, 0x3c, 0x2b, 0x1a]), Uint8Array.from([0x1a, 0x2b, 0x3c, 0x4d]),
  Uint8Array.from([6, 0, 0, 0]), Uint8Array.from([0, 0, 0, 6]), Uint8Array.from([1, 0, 0, 0]), Uint8Array.from([3, 0, 0, 0]),
  Uint8Array.from([9, 0, 1, 0]), Uint8Array.from([0x0e, 0, 8, 0]),
];

export function seeds() {
  const syn = f.ether(0x0800, f.ipv4('10.0.0.1', '10.0.0.2', 6, f.tcp(40000, 443, { flags: f.TCP.SYN })));
  const lo = f.nullLink(2, f.ipv4('127.0.0.1', '127.0.0.1', 17, f.udp(1, 53, f.dnsQuery(1, 'a.b'))));
  return [
    writePcapng([{ interfaces: [{ linkType: 1, tsresol: 9, name: 'eth0' }, { linkType: 0 }], packets: [
      { tsSec: 1_700_000_000, tsNsec: 5, data: syn },
      { tsSec: 1_700_000_001, tsNsec: 0, data: lo, interfaceId: 1, block: 'pb' },
    ] }]),
    writePcapng([
      { bigEndian: true, interfaces: [{ linkType: 276, tsresol: 0x88, tsoffset: 3 }], packets: [{ tsSec: 5, tsNsec: 0, data: f.sll2(0x0800, f.ipv4('10.0.0.1', '10.0.0.2', 6, f.tcp(1, 2, { flags: f.TCP.ACK }))) }, { tsSec: 0, tsNsec: 0, data: syn, block: 'spb' }], extraBlocks: [{ type: 4, body: new Uint8Array(8) }] },
      { interfaces: [{ linkType: 1, snapLen: 40 }], packets: [{ tsSec: 9, tsNsec: 0, data: syn.subarray(0, 40), originalLength: syn.length }] },
    ]),
  ];
}

export const extraSeeds = () => sharedCaptures('pcapng', 64 * 1024);

export async function run(bytes) {
  await readAll(bytes);
}
