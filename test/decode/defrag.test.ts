import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Defragmenter } from '../../src/decode/defrag.js';
import { decodePacket } from '../../src/decode/packet.js';
import { readCapture } from '../../src/capture/reader.js';
import type { RawPacket } from '../../src/capture/types.js';
import type { DecodedPacket } from '../../src/decode/types.js';
import { ether, fragmentHeader, ipv4, ipv6, udp } from '../capture/fixtures/frames.js';

const dnsAnswer = Uint8Array.from({ length: 1200 }, (_, i) => (i * 7) & 0xff);
const whole = udp(53, 40000, dnsAnswer);

function raw(frame: number, t: number, data: Uint8Array): RawPacket {
  return { frame, tsSec: t, tsNsec: 0, interfaceId: 0, linkType: 1, capturedLength: data.length, originalLength: data.length, data, fileOffset: 0 };
}

function v4Fragments(id: number): Uint8Array[] {
  const cuts = [0, 480, 960, whole.length];
  return cuts.slice(0, -1).map((off, i) => ether(0x0800, ipv4('192.0.2.53', '10.0.0.1', 17, whole.subarray(off, cuts[i + 1]), { id, fragOffset: off, moreFragments: i < 2 })));
}

describe('Defragmenter', () => {
  it('passes non-fragments through untouched', () => {
    const d = new Defragmenter();
    const p = decodePacket(raw(1, 1, ether(0x0800, ipv4('10.0.0.1', '10.0.0.2', 17, udp(1, 2, new Uint8Array(3))))));
    expect(d.push(p)).toBe(p);
  });

  it('reassembles IPv4 UDP fragments arriving out of order, at the last one', () => {
    const d = new Defragmenter();
    const [a, b, c] = v4Fragments(99);
    expect(d.push(decodePacket(raw(1, 10, c)))).toBeNull();
    expect(d.push(decodePacket(raw(2, 10, a)))).toBeNull();
    const out = d.push(decodePacket(raw(3, 11, b)));
    expect(out).not.toBeNull();
    expect(out!.frame).toBe(3);
    expect(out!.fragments).toEqual([1, 2, 3]);
    expect(out!.ip!.fragment).toBeNull();
    expect(out!.udp).toMatchObject({ srcPort: 53, dstPort: 40000, length: whole.length });
    expect(out!.udp!.payload).toEqual(dnsAnswer);
    expect(d.inProgress).toBe(0);
  });

  it('reassembles IPv6 fragments', () => {
    const d = new Defragmenter();
    const mk = (off: number, end: number, more: boolean) =>
      decodePacket(raw(off, 1, ether(0x86dd, ipv6('2001:db8::53', '2001:db8::1', 17, whole.subarray(off, end), [fragmentHeader(off, more, 7)]))));
    expect(d.push(mk(0, 600, true))).toBeNull();
    const out = d.push(mk(600, whole.length, false));
    expect(out!.udp!.payload).toEqual(dnsAnswer);
    expect(out!.ip!.version).toBe(6);
  });

  it('ignores an exact duplicate fragment but drops a datagram with conflicting overlap', () => {
    const d = new Defragmenter();
    const [a, b, c] = v4Fragments(5);
    d.push(decodePacket(raw(1, 1, a)));
    expect(d.push(decodePacket(raw(2, 1, a)))).toBeNull();
    d.push(decodePacket(raw(3, 1, b)));
    expect(d.push(decodePacket(raw(4, 1, c)))!.udp!.payload).toEqual(dnsAnswer);

    const bad = ether(0x0800, ipv4('192.0.2.53', '10.0.0.1', 17, new Uint8Array(480).fill(1), { id: 6, fragOffset: 240, moreFragments: true }));
    const d2 = new Defragmenter();
    d2.push(decodePacket(raw(1, 1, v4Fragments(6)[0])));
    const p = decodePacket(raw(2, 1, bad));
    expect(d2.push(p)).toBeNull();
    expect(p.anomalies).toContain('IP_fragment_overlap');
    expect(d2.dropped).toBe(1);
  });

  it('stays bounded: times out and evicts the oldest datagram', () => {
    const d = new Defragmenter({ maxDatagrams: 4, timeoutSec: 30 });
    for (let id = 0; id < 10; id++) d.push(decodePacket(raw(id, 100, v4Fragments(id)[0])));
    expect(d.inProgress).toBe(4);
    expect(d.dropped).toBe(6);
    d.push(decodePacket(raw(11, 200, v4Fragments(50)[0])));
    expect(d.inProgress).toBe(1);
  });
});

const corpus = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));
const file = `${corpus}pcaps/ndpi__dns_fragmented.pcap`;
describe.skipIf(!existsSync(file))('Defragmenter on ndpi__dns_fragmented.pcap (corpus)', () => {
  it('rebuilds every fragmented DNS answer at the frame where tshark shows it', async () => {
    const d = new Defragmenter();
    const rebuilt: DecodedPacket[] = [];
    await readCapture(file, (r) => {
      const out = d.push(decodePacket(r));
      if (out?.fragments) rebuilt.push({ ...out, fragments: out.fragments });
    });
    const dnsFrames = new Set(readFileSync(`${corpus}oracle/ndpi__dns_fragmented.pcap.dns.tsv`, 'utf8').split('\n').slice(1).map((l) => Number(l.split('\t')[0])));
    expect(rebuilt.length).toBeGreaterThan(0);
    for (const p of rebuilt) expect(dnsFrames.has(p.frame), `frame ${p.frame}`).toBe(true);
    expect(d.inProgress).toBe(0);
  });
});
