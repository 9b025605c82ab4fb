/**
 * Writes classic pcap and pcapng: used by tests and the benchmark to make captures of any shape
 * (both byte orders, ns, SPB, several sections, binary if_tsresol, truncated tails), and later by
 * the product to write redacted captures. Each function returns the bytes of one header, record or
 * block, so callers can stream; writePcap / writePcapng put whole files together.
 */

export interface PacketToWrite {
  tsSec: number;
  tsNsec: number;
  data: Uint8Array;
  /** Length on the wire (default: data.length). */
  originalLength?: number;
}

export interface PcapWriteOptions {
  linkType: number;
  snapLen?: number;
  nanoseconds?: boolean;
  bigEndian?: boolean;
  /** Header version (default 2.4): lets tests write the versions libpcap refuses. */
  version?: [number, number];
}

export function pcapHeader(o: PcapWriteOptions): Uint8Array {
  const b = new Uint8Array(24);
  const v = new DataView(b.buffer);
  const le = !o.bigEndian;
  v.setUint32(0, o.nanoseconds ? 0xa1b23c4d : 0xa1b2c3d4, le);
  v.setUint16(4, o.version?.[0] ?? 2, le);
  v.setUint16(6, o.version?.[1] ?? 4, le);
  v.setUint32(16, o.snapLen ?? 262144, le);
  v.setUint32(20, o.linkType >>> 0, le);
  return b;
}

export function pcapRecord(p: PacketToWrite, o: PcapWriteOptions): Uint8Array {
  const b = new Uint8Array(16 + p.data.length);
  const v = new DataView(b.buffer);
  const le = !o.bigEndian;
  v.setUint32(0, p.tsSec >>> 0, le);
  v.setUint32(4, o.nanoseconds ? p.tsNsec : Math.floor(p.tsNsec / 1000), le);
  v.setUint32(8, p.data.length, le);
  v.setUint32(12, p.originalLength ?? p.data.length, le);
  b.set(p.data, 16);
  return b;
}

export function writePcap(packets: Iterable<PacketToWrite>, o: PcapWriteOptions): Uint8Array {
  const parts = [pcapHeader(o)];
  for (const p of packets) parts.push(pcapRecord(p, o));
  return concat(parts);
}

// ---------------------------------------------------------------- pcapng

export interface PcapngInterfaceSpec {
  linkType: number;
  snapLen?: number;
  /** Raw if_tsresol byte: 6 = µs (default), 9 = ns, 0x80 | n = 2^-n. Omit to leave the option out. */
  tsresol?: number;
  /** if_tsoffset, seconds. */
  tsoffset?: number;
  name?: string;
}

export interface PcapngPacketSpec extends PacketToWrite {
  /** Section-local interface index (default 0). */
  interfaceId?: number;
  /** Block kind (default 'epb'). */
  block?: 'epb' | 'spb' | 'pb';
}

export interface PcapngSectionSpec {
  bigEndian?: boolean;
  interfaces: PcapngInterfaceSpec[];
  packets: PcapngPacketSpec[];
  /** Extra blocks (type, body) written after the IDBs, e.g. a name resolution block. */
  extraBlocks?: Array<{ type: number; body: Uint8Array }>;
  version?: [number, number];
}

/** One block: type, total length, body padded to 4, total length. */
export function pcapngBlock(type: number, body: Uint8Array, le: boolean): Uint8Array {
  const padded = (body.length + 3) & ~3;
  const total = 12 + padded;
  const b = new Uint8Array(total);
  const v = new DataView(b.buffer);
  v.setUint32(0, type >>> 0, le);
  v.setUint32(4, total, le);
  b.set(body, 8);
  v.setUint32(total - 4, total, le);
  return b;
}

function options(list: Array<[number, Uint8Array]>, le: boolean): Uint8Array {
  if (list.length === 0) return new Uint8Array(0);
  const parts: Uint8Array[] = [];
  for (const [code, value] of list) {
    const h = new Uint8Array(4 + ((value.length + 3) & ~3));
    const v = new DataView(h.buffer);
    v.setUint16(0, code, le);
    v.setUint16(2, value.length, le);
    h.set(value, 4);
    parts.push(h);
  }
  parts.push(new Uint8Array(4)); // opt_endofopt
  return concat(parts);
}

export function pcapngSectionHeader(le: boolean, version: [number, number] = [1, 0]): Uint8Array {
  const body = new Uint8Array(16);
  const v = new DataView(body.buffer);
  v.setUint32(0, 0x1a2b3c4d, le);
  v.setUint16(4, version[0], le);
  v.setUint16(6, version[1], le);
  v.setInt32(8, -1, le); // section length unknown
  v.setInt32(12, -1, le);
  return pcapngBlock(0x0a0d0d0a, body, le);
}

export function pcapngInterface(spec: PcapngInterfaceSpec, le: boolean): Uint8Array {
  const opts: Array<[number, Uint8Array]> = [];
  if (spec.name !== undefined) opts.push([2, new TextEncoder().encode(spec.name)]);
  if (spec.tsresol !== undefined) opts.push([9, Uint8Array.of(spec.tsresol)]);
  if (spec.tsoffset !== undefined) {
    const o = new Uint8Array(8);
    new DataView(o.buffer).setBigInt64(0, BigInt(spec.tsoffset), le);
    opts.push([14, o]);
  }
  const o = options(opts, le);
  const body = new Uint8Array(8 + o.length);
  const v = new DataView(body.buffer);
  v.setUint16(0, spec.linkType, le);
  v.setUint32(4, spec.snapLen ?? 262144, le);
  body.set(o, 8);
  return pcapngBlock(1, body, le);
}

/** Units per second for a raw if_tsresol byte (absent: microseconds). */
export function tsresolUnits(tsresol: number | undefined): number {
  if (tsresol === undefined) return 1e6;
  const e = tsresol & 0x7f;
  return tsresol & 0x80 ? 2 ** e : 10 ** e;
}

function timestampUnits(p: PacketToWrite, iface: PcapngInterfaceSpec): bigint {
  const units = BigInt(tsresolUnits(iface.tsresol));
  const sec = BigInt(p.tsSec - (iface.tsoffset ?? 0));
  // Rounded, so that a time read from a file with a binary resolution (2^-n s) and held in ns
  // is written back as the same number of units.
  const t = sec * units + (BigInt(p.tsNsec) * units + 500_000_000n) / 1_000_000_000n;
  // A time before the interface's if_tsoffset cannot be written (the field is unsigned): the
  // earliest time that can, rather than one wrapped around 2^64.
  return t < 0n ? 0n : t;
}

export function pcapngPacket(p: PcapngPacketSpec, iface: PcapngInterfaceSpec, le: boolean): Uint8Array {
  const kind = p.block ?? 'epb';
  const orig = p.originalLength ?? p.data.length;
  if (kind === 'spb') {
    const body = new Uint8Array(4 + p.data.length);
    new DataView(body.buffer).setUint32(0, orig, le);
    body.set(p.data, 4);
    return pcapngBlock(3, body, le);
  }
  const ts = timestampUnits(p, iface);
  const body = new Uint8Array(20 + p.data.length);
  const v = new DataView(body.buffer);
  if (kind === 'pb') v.setUint16(0, p.interfaceId ?? 0, le);
  else v.setUint32(0, p.interfaceId ?? 0, le);
  v.setUint32(4, Number((ts >> 32n) & 0xffffffffn), le);
  v.setUint32(8, Number(ts & 0xffffffffn), le);
  v.setUint32(12, p.data.length, le);
  v.setUint32(16, orig, le);
  body.set(p.data, 20);
  return pcapngBlock(kind === 'pb' ? 2 : 6, body, le);
}

export function writePcapng(sections: PcapngSectionSpec[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const s of sections) {
    const le = !s.bigEndian;
    parts.push(pcapngSectionHeader(le, s.version));
    for (const i of s.interfaces) parts.push(pcapngInterface(i, le));
    for (const x of s.extraBlocks ?? []) parts.push(pcapngBlock(x.type, x.body, le));
    for (const p of s.packets) parts.push(pcapngPacket(p, s.interfaces[p.interfaceId ?? 0] ?? { linkType: 1 }, le));
  }
  return concat(parts);
}

export function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
