/**
 * Conformance of the capture reader and decoders against captures nobody here made
 * (../shared/corpus, see its README) and tshark 4.0's reading of them (MANIFEST.tsv, oracle/*.tsv).
 *
 * Per file: packet count, link types, TCP SYN / SYN-ACK / RST counts; per frame (oracle tcp.tsv and
 * dns.tsv): timestamp to the nanosecond, addresses, ports, and for TCP seq/ack/length/window/flags.
 * Files that differ are listed in KNOWN_DIFFERENCES with the reason (also in docs/capture.md).
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readCapture } from '../../src/capture/reader.js';
import { CaptureFormatError, type RawPacket } from '../../src/capture/types.js';
import { decodePacket } from '../../src/decode/packet.js';
import { formatIp } from '../../src/decode/address.js';
import { Defragmenter } from '../../src/decode/defrag.js';
import { TCP_ACK, TCP_RST, TCP_SYN, type DecodedPacket } from '../../src/decode/types.js';

const corpus = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));
const present = existsSync(`${corpus}MANIFEST.tsv`);
if (!present) {
  console.warn(`capture conformance skipped: no corpus at ${corpus} (it lives beside the repo in ../shared/corpus)`);
}

type Row = Record<string, string>;

function readTsv(path: string): Row[] {
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.length > 0);
  const head = lines[0].split('\t');
  return lines.slice(1).map((l) => {
    const cells = l.split('\t');
    return Object.fromEntries(head.map((h, i) => [h, cells[i] ?? '']));
  });
}

/**
 * Files where we deliberately disagree with tshark, and why. `packets` is what we read instead.
 */
const KNOWN_DIFFERENCES: Record<string, { packets?: number; linkTypes?: string; error?: RegExp; offset?: number; why: string }> = {
  'gopacket__le-test901.pcapng': {
    linkTypes: '1',
    why: 'tshark prints the 1 packet of the first section, then fails on the SHB v2.0 of the second; we read the same packet and skip the rest with a warning, so the interfaces of the later sections (the manifest lists [1,1,1]) are not read',
  },
  'libpcap__pcap-invalid-version-2.pcap': {
    error: /unsupported pcap savefile version 2\.5/, offset: 4,
    why: 'tshark accepts version 2.5 and reads 1 packet; we follow libpcap, which rejects it',
  },
  'ndpi__fuzz-2021-10-13.pcap': {
    error: /invalid packet capture length 524501 in record 1, bigger than the maximum of 262144/, offset: 24,
    why: 'tshark shows 1 frame and then "cut short"; the record claims 524501 bytes, more than libpcap\'s 256 KiB limit, and we refuse it as libpcap does',
  },
};

/** Broken files on which tshark and libpcap agree that the file is unreadable: our message and offset. */
const BROKEN: Record<string, { error: RegExp; offset: number }> = {
  'libpcap__shb-option-too-long.pcapng': {
    // libpcap: "block total length in header 32 and trailer 808464432 don't match" (its header number
    // differs: the block's length field holds 0x34 = 52, which is what we print).
    error: /block total length in header 52 and trailer 808464432 don't match/, offset: 48,
  },
  'libpcap__pcap-invalid-version-1.pcap': { error: /unsupported pcap savefile version 1\.4/, offset: 4 },
  'libpcap__linktype-reserved-field-not-zero.pcap': { error: /linktype reserved field not zero \(0x00300000\)/, offset: 20 },
};

interface Frame {
  raw: Pick<RawPacket, 'tsSec' | 'tsNsec' | 'interfaceId' | 'linkType'>;
  d: {
    src: string | null; dst: string | null; tcp: DecodedPacket['tcp'] extends infer T ? (T extends null ? never : Omit<NonNullable<T>, 'payload' | 'options'>) | null : never;
    udpPorts: [number, number] | null; flags: number | null;
  };
}

async function readAll(file: string): Promise<{ frames: Frame[]; linkTypes: number[]; warnings: string[] }> {
  const frames: Frame[] = [];
  const defrag = new Defragmenter();
  const summary = await readCapture(file, (raw) => {
    // Fragments come back whole at their last fragment (as tshark shows them), else as they are.
    const p = defrag.push(decodePacket(raw)) ?? decodePacket(raw);
    const t = p.tcp;
    frames.push({
      raw: { tsSec: raw.tsSec, tsNsec: raw.tsNsec, interfaceId: raw.interfaceId, linkType: raw.linkType },
      d: {
        src: p.ip ? formatIp(p.ip.src) : null,
        dst: p.ip ? formatIp(p.ip.dst) : null,
        tcp: t ? { srcPort: t.srcPort, dstPort: t.dstPort, seq: t.seq, ack: t.ack, flags: t.flags, window: t.window, headerLength: t.headerLength, payloadLength: t.payloadLength } : null,
        udpPorts: p.udp ? [p.udp.srcPort, p.udp.dstPort] : null,
        flags: t ? t.flags : null,
      },
    });
  });
  return { frames, linkTypes: summary.interfaces.map((i) => i.linkType), warnings: summary.warnings };
}

function epoch(f: Frame): string {
  return `${f.raw.tsSec}.${String(f.raw.tsNsec).padStart(9, '0')}`;
}

/** tshark's frame.time_epoch: 9 decimals, except where a sub-second field ≥ 1 s made it print 10. */
function tsharkEpoch(s: string): string {
  const [sec, frac] = s.split('.');
  if (frac.length === 9) return s;
  // "1418145370.1000000000": the fraction overflowed; carry it.
  const ns = BigInt(sec) * 1_000_000_000n + BigInt(frac);
  return `${ns / 1_000_000_000n}.${String(ns % 1_000_000_000n).padStart(9, '0')}`;
}

const manifest = present ? readTsv(`${corpus}MANIFEST.tsv`) : [];

describe.skipIf(!present)('capture conformance with ../shared/corpus (tshark 4.0 oracle)', () => {
  it('covers every file in pcaps/', () => {
    const files = readdirSync(`${corpus}pcaps`).sort();
    expect(manifest.map((r) => r.file).sort()).toEqual(files);
  });

  for (const row of manifest) {
    const file = `${corpus}pcaps/${row.file}`;
    const diff = KNOWN_DIFFERENCES[row.file];
    const broken = BROKEN[row.file];
    const expectedError = diff?.error ?? broken?.error;

    if (expectedError) {
      it(`${row.file}: refused with our message and offset${diff ? ` (known difference: ${diff.why})` : ''}`, async () => {
        const err = await readAll(file).then(() => null, (e: unknown) => e);
        expect(err).toBeInstanceOf(CaptureFormatError);
        const e = err as CaptureFormatError;
        expect(e.message).toMatch(expectedError);
        expect(e.offset).toBe((diff ?? broken).offset);
        expect(e.message).toContain(row.file);
        expect(e.message.includes('\n')).toBe(false);
      });
      continue;
    }

    it(`${row.file}: packets, link types, SYN/SYN-ACK/RST`, async () => {
      const { frames, linkTypes } = await readAll(file);
      expect(frames.length).toBe(Number(row.packets));
      const lt = /\[([\d,]*)\]/.exec(row.linktype)?.[1] ?? '';
      expect(linkTypes.join(',')).toBe(diff?.linkTypes ?? lt);

      const tcpRows = existsSync(`${corpus}oracle/${row.file}.tcp.tsv`) ? readTsv(`${corpus}oracle/${row.file}.tcp.tsv`) : [];
      // tshark's counts include TCP headers quoted inside ICMP errors (two values in one row): we do not decode those.
      const quoted = tcpRows.filter((r) => r['tcp.srcport'].includes(','));
      const count = (pred: (f: number) => boolean): number => frames.filter((f) => f.d.flags !== null && pred(f.d.flags)).length;
      const quotedCount = (pred: (s: string) => boolean): number =>
        quoted.filter((r) => pred(r['tcp.flags.str'].split(',').at(-1) ?? '')).length;
      expect(count((f) => (f & TCP_SYN) !== 0 && (f & TCP_ACK) === 0))
        .toBe(Number(row.tcp_syn) - quotedCount((s) => s.includes('S') && !s.includes('A')));
      expect(count((f) => (f & TCP_SYN) !== 0 && (f & TCP_ACK) !== 0))
        .toBe(Number(row.tcp_synack) - quotedCount((s) => s.includes('S') && s.includes('A')));
      expect(count((f) => (f & TCP_RST) !== 0)).toBe(Number(row.tcp_rst) - quotedCount((s) => s.includes('R')));
    });

    const tcpOracle = `${corpus}oracle/${row.file}.tcp.tsv`;
    if (existsSync(tcpOracle)) {
      it(`${row.file}: every TCP frame matches tshark (time, addresses, ports, seq, ack, len, window, flags)`, async () => {
        const { frames } = await readAll(file);
        const rows = readTsv(tcpOracle).filter((r) => !r['tcp.srcport'].includes(','));
        expect(rows.length).toBeGreaterThan(0);
        // Per-protocol count: the frames we decode as TCP are exactly those tshark does.
        expect(frames.filter((f) => f.d.tcp !== null).length).toBe(rows.length);
        for (const r of rows) {
          const f = frames[Number(r['frame.number']) - 1];
          const where = `frame ${r['frame.number']}`;
          expect(epoch(f), where).toBe(tsharkEpoch(r['frame.time_epoch']));
          expect(f.d.tcp, where).not.toBeNull();
          const t = f.d.tcp!;
          expect(f.d.src, where).toBe(r['ip.src'] || r['ipv6.src']);
          expect(f.d.dst, where).toBe(r['ip.dst'] || r['ipv6.dst']);
          expect([t.srcPort, t.dstPort], where).toEqual([Number(r['tcp.srcport']), Number(r['tcp.dstport'])]);
          expect(t.seq, where).toBe(Number(r['tcp.seq_raw']));
          expect(t.ack, where).toBe(Number(r['tcp.ack_raw']));
          expect(t.payloadLength, where).toBe(Number(r['tcp.len']));
          expect(t.window, where).toBe(Number(r['tcp.window_size_value']));
          const str = r['tcp.flags.str'];
          let mask = 0;
          for (let i = 4; i < 12; i++) if (str[i] !== '·') mask |= 1 << (11 - i);
          expect(t.flags, where).toBe(mask);
        }
      });
    }

    const dnsOracle = `${corpus}oracle/${row.file}.dns.tsv`;
    if (existsSync(dnsOracle)) {
      it(`${row.file}: DNS frames' timestamps (ns), addresses and ports match tshark`, async () => {
        const { frames } = await readAll(file);
        for (const r of readTsv(dnsOracle)) {
          const f = frames[Number(r['frame.number']) - 1];
          const where = `frame ${r['frame.number']}`;
          expect(epoch(f), where).toBe(tsharkEpoch(r['frame.time_epoch']));
          // DNS quoted in an ICMP error carries two address pairs: compare the outer one only.
          const src = (r['ip.src'] || r['ipv6.src']).split(',')[0];
          const dst = (r['ip.dst'] || r['ipv6.dst']).split(',')[0];
          expect(f.d.src, where).toBe(src);
          expect(f.d.dst, where).toBe(dst);
          // Every DNS frame (reassembled from IP fragments where needed) has its transport decoded.
          const quotedInIcmp = (r['ip.src'] || r['ipv6.src']).includes(',');
          if (quotedInIcmp) continue;
          if (r['udp.srcport'] && !r['udp.srcport'].includes(',')) {
            expect(f.d.udpPorts, where).toEqual([Number(r['udp.srcport']), Number(r['udp.dstport'])]);
          } else if (r['tcp.srcport'] && !r['tcp.srcport'].includes(',')) {
            expect([f.d.tcp?.srcPort, f.d.tcp?.dstPort], where).toEqual([Number(r['tcp.srcport']), Number(r['tcp.dstport'])]);
          }
        }
      });
    }
  }
});
