import { describe, expect, it } from 'vitest';
import { summarize } from '../../src/capture/summary.js';
import { writePcapng, writePcap } from '../../src/capture/writer.js';
import { ether, etherTcp4, etherUdp4, ipv4, ipv6, tcp, udp, SYN, ACK } from './fixtures/frames.js';
import { renderSummaryTable } from '../../src/report/summary-table.js';

describe('summarize', () => {
  it('counts protocols, link types and the time span, and warns once per unsupported link type', async () => {
    const bytes = writePcapng([{
      interfaces: [{ linkType: 1, name: 'eth0' }, { linkType: 147 }],
      packets: [
        { tsSec: 1000, tsNsec: 0, data: etherTcp4('10.0.0.1', 40000, '10.0.0.2', 443, { flags: SYN }) },
        { tsSec: 1001, tsNsec: 500_000_000, data: etherUdp4('10.0.0.1', 40001, '10.0.0.53', 53, new Uint8Array(30)) },
        { tsSec: 1002, tsNsec: 0, data: ether(0x86dd, ipv6('fd00::1', 'fd00::2', 6, tcp(1, 2, { flags: SYN | ACK }))) },
        { tsSec: 1003, tsNsec: 0, data: ether(0x0806, new Uint8Array(28)) },
        { tsSec: 1004, tsNsec: 0, data: ether(0x0800, ipv4('10.0.0.1', '10.0.0.2', 1, new Uint8Array(8))) },
        { tsSec: 999, tsNsec: 0, data: new Uint8Array(40), interfaceId: 1 },
        { tsSec: 1005, tsNsec: 0, data: new Uint8Array(40), interfaceId: 1 },
        { tsSec: 1006, tsNsec: 0, data: ether(0x0800, ipv4('10.0.0.1', '10.0.0.2', 17, udp(5, 53, new Uint8Array(100)).subarray(0, 40), { moreFragments: true })) },
      ],
    }]);
    const r = await summarize({ bytes, name: 'mixed.pcapng' });
    expect(r.packets).toBe(8);
    expect(r.protocols).toEqual({ ipv4: 4, ipv6: 1, tcp: 2, udp: 2, icmp: 1, other: 3, fragments: 1 });
    expect(r.linkTypes).toEqual([
      { linkType: 1, name: 'EN10MB', interfaces: [0], packets: 6, decoded: true },
      { linkType: 147, name: 'USER0', interfaces: [1], packets: 2, decoded: false },
    ]);
    expect(r.firstTime).toBe(999);
    expect(r.lastTime).toBe(1006);
    expect(r.warnings.filter((w) => w.startsWith('unsupported link type'))).toEqual(['unsupported link type 147 (USER0) on interface 1: 2 packets not decoded']);
    const table = renderSummaryTable(r);
    expect(table).toMatch(/pcapng 1\.0/);
    expect(table).toMatch(/USER0 \(147\) not decoded: 2 packets/);
    expect(table).toMatch(/TCP \/ UDP \/ ICMP.*2 \/ 2 \/ 1/);
    expect(table).toMatch(/1970-01-01T00:16:39\.000000Z/);
  });

  it('counts a link type\'s one packet in the singular', async () => {
    const bytes = writePcap([{ tsSec: 1, tsNsec: 0, data: etherTcp4('10.0.0.1', 1, '10.0.0.2', 2, { flags: SYN }) }], { linkType: 1 });
    const table = renderSummaryTable(await summarize({ bytes, name: 'one.pcap' }));
    expect(table).toMatch(/EN10MB \(1\): 1 packet +│/);
  });

  it('counts malformed and truncated packets apart', async () => {
    const good = etherTcp4('10.0.0.1', 1, '10.0.0.2', 2, { flags: SYN, payload: new Uint8Array(100) });
    const bytes = writePcap([
      { tsSec: 1, tsNsec: 0, data: good.subarray(0, 40), originalLength: good.length },
      { tsSec: 2, tsNsec: 0, data: good.subarray(0, 40) },
    ], { linkType: 1 });
    const r = await summarize({ bytes, name: 't.pcap' });
    expect(r.truncatedPackets).toBe(1);
    expect(r.malformedPackets).toBe(1);
    expect(r.anomalies).toEqual({ IPv4_total_length_exceeds_frame: 1 });
  });

  it('renders hostile interface names harmlessly: no control characters, bounded width', async () => {
    const bytes = writePcapng([{ interfaces: [{ linkType: 1, name: `\u001b[31mred\u0007${'x'.repeat(5000)}` }], packets: [] }]);
    const r = await summarize({ bytes, name: 'evil.pcapng' });
    expect(r.interfaces[0].name).toContain('red');
    const table = renderSummaryTable(r);
    expect(table).not.toMatch(/\u001b|\u0007/);
    expect(Math.max(...table.split('\n').map((l) => l.length))).toBeLessThan(200);
  });
});
