/**
 * The capture summary that `gomod-trace analyze CAPTURE` prints: what the file is (format, byte
 * order, timestamp resolution, interfaces and link types), how much is in it (packets, bytes, time
 * span), what it carries (IPv4/IPv6/TCP/UDP/other) and what was odd (warnings, decode anomalies).
 * Reads and decodes every packet once, streaming.
 */
import type { CaptureInterface, CaptureSummary, RawPacket } from './types.js';
import { readCapture, readCaptureBytes, type ReadCaptureOptions } from './reader.js';
import { decodePacket, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP } from '../decode/packet.js';
import { isSupportedLinkType } from '../decode/link.js';
import { linkTypeName } from './linktypes.js';

export interface ProtocolCounts {
  /** Packets with an IPv4 / IPv6 header. */
  ipv4: number;
  ipv6: number;
  /** Packets whose IP protocol is TCP / UDP / ICMP or ICMPv6 (fragments counted by their header). */
  tcp: number;
  udp: number;
  icmp: number;
  /** Everything else: non-IP frames (ARP, LLDP, …), other IP protocols, undecodable link types. */
  other: number;
  /** IPv4 or IPv6 fragments (first, middle or last). */
  fragments: number;
}

export interface LinkTypeSummary {
  linkType: number;
  name: string;
  /** Interface ids with this link type. */
  interfaces: number[];
  packets: number;
  /** Whether gomod-trace decodes this link type. */
  decoded: boolean;
}

export interface CaptureReport extends CaptureSummary {
  linkTypes: LinkTypeSummary[];
  protocols: ProtocolCounts;
  /** Packets cut by the snap length before a header we needed. */
  truncatedPackets: number;
  /** Packets with at least one decode anomaly. */
  malformedPackets: number;
  /** Decode anomaly name → packets. */
  anomalies: Record<string, number>;
}

export type SummaryInput = string | { bytes: Uint8Array; name: string };

/** The warning for `packets` packets of an interface whose link type is not decoded (here and in analyze's input). */
export function undecodedWarning(i: Pick<CaptureInterface, 'id' | 'linkType'>, packets: number): string {
  return `unsupported link type ${i.linkType} (${linkTypeName(i.linkType)}) on interface ${i.id}: ${packets} packet${packets === 1 ? '' : 's'} not decoded`;
}

export async function summarize(source: SummaryInput, opts: ReadCaptureOptions = {}): Promise<CaptureReport> {
  const protocols: ProtocolCounts = { ipv4: 0, ipv6: 0, tcp: 0, udp: 0, icmp: 0, other: 0, fragments: 0 };
  const perInterface = new Map<number, { linkType: number; packets: number }>();
  const anomalies: Record<string, number> = {};
  let truncatedPackets = 0;
  let malformedPackets = 0;

  const onPacket = (raw: RawPacket): void => {
    let pi = perInterface.get(raw.interfaceId);
    if (!pi) perInterface.set(raw.interfaceId, (pi = { linkType: raw.linkType, packets: 0 }));
    pi.packets++;
    const p = decodePacket(raw);
    if (p.truncated) truncatedPackets++;
    if (p.anomalies.length > 0) {
      for (const a of p.anomalies) {
        if (a === 'LINK_unsupported_type') continue;
        anomalies[a] = (anomalies[a] ?? 0) + 1;
      }
      if (p.anomalies.some((a) => a !== 'LINK_unsupported_type')) malformedPackets++;
    }
    const ip = p.ip;
    if (!ip) {
      protocols.other++;
      return;
    }
    if (ip.version === 4) protocols.ipv4++;
    else protocols.ipv6++;
    if (ip.fragment) protocols.fragments++;
    switch (ip.protocol) {
      case IPPROTO_TCP: protocols.tcp++; break;
      case IPPROTO_UDP: protocols.udp++; break;
      case IPPROTO_ICMP: case IPPROTO_ICMPV6: protocols.icmp++; break;
      default: protocols.other++;
    }
  };

  const summary = typeof source === 'string'
    ? await readCapture(source, onPacket, opts)
    : await readCaptureBytes(source.bytes, source.name, onPacket, opts);

  const byType = new Map<number, LinkTypeSummary>();
  for (const i of summary.interfaces) {
    let lt = byType.get(i.linkType);
    if (!lt) {
      byType.set(i.linkType, (lt = {
        linkType: i.linkType, name: linkTypeName(i.linkType), interfaces: [], packets: 0,
        decoded: isSupportedLinkType(i.linkType),
      }));
    }
    lt.interfaces.push(i.id);
    lt.packets += perInterface.get(i.id)?.packets ?? 0;
  }

  const warnings = [...summary.warnings];
  for (const i of summary.interfaces) {
    const n = perInterface.get(i.id)?.packets ?? 0;
    if (!isSupportedLinkType(i.linkType) && n > 0) warnings.push(undecodedWarning(i, n));
  }
  if (malformedPackets > 0) {
    const list = Object.entries(anomalies).map(([k, v]) => `${k} ${v}`).join(', ');
    warnings.push(`${malformedPackets} malformed packet${malformedPackets === 1 ? '' : 's'} (${list})`);
  }
  if (truncatedPackets > 0) {
    warnings.push(`${truncatedPackets} packet${truncatedPackets === 1 ? '' : 's'} cut by the snap length before a header ended`);
  }

  return {
    ...summary,
    warnings,
    linkTypes: [...byType.values()],
    protocols,
    truncatedPackets,
    malformedPackets,
    anomalies,
  };
}
