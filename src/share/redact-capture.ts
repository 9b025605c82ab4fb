/**
 * `redactCapture(input, output)`: a copy of a pcap/pcapng capture that can be attached to a public
 * bug report and still gives the same diagnosis. Two passes over the file: the first decodes,
 * reassembles and walks every TCP stream into plans (tcp.ts); the second replays the connection
 * table, cuts each packet as its plan says and writes it with its original length, so byte counts
 * and sequence analysis stay right. What is kept: link, IP, TCP/UDP headers; DNS messages
 * (UDP and TCP port 53) whole; TLS record headers, hellos, CCS and alerts; HTTP/1 request/status
 * lines and headers with credentials starred; ICMP headers with the quoted IP/transport header.
 * Everything else is cut. See docs/record.md, "Sharing a capture".
 */
import { closeSync, fstatSync, lstatSync, openSync, realpathSync, renameSync, unlinkSync, writeSync, statSync, type Stats } from 'node:fs';
import { resolve } from 'node:path';
import { readCapture } from '../capture/reader.js';
import { errnoReason } from '../cli/errors.js';
import { temporaryPath } from '../io/files.js';
import type { CaptureInterface, CaptureSummary, RawPacket } from '../capture/types.js';
import { pcapHeader, pcapRecord, pcapngSectionHeader, pcapngInterface, pcapngPacket, type PcapngInterfaceSpec } from '../capture/writer.js';
import { decodePacket } from '../decode/packet.js';
import { Defragmenter } from '../decode/defrag.js';
import { TcpPlanner, TcpLocator, type ConnectionPlan } from './tcp.js';

export type ShareFormat = 'pcap' | 'pcapng';

export interface RedactOptions {
  /** Output format; default: pcapng when the output name ends in .pcapng or the input mixes link types, else pcap. */
  format?: ShareFormat;
}

export interface RedactResult {
  input: string;
  output: string;
  format: ShareFormat;
  packets: number;
  /** Captured bytes (packet data) in and out. */
  bytesIn: number;
  bytesOut: number;
  /** Connections by what was recognised. */
  connections: { tls: number; http: number; dns: number; other: number };
  warnings: string[];
}

/** A problem with the user's files (exit 2, one line). */
export class RedactError extends Error {
  readonly userFacing = true;
  constructor(message: string) {
    super(message);
    this.name = 'RedactError';
  }
}

const DNS_PORT = 53;
const MDNS_PORT = 5353;
const LLMNR_PORT = 5355;
const ETHERTYPE_ARP = 0x0806;
const WRITE_CHUNK = 1 << 20;
const STDOUT_FD = 1;

/** `output` `-` is standard output (the caller keeps anything else off it, and a terminal away from it). */
export async function redactCapture(input: string, output: string, opts: RedactOptions = {}): Promise<RedactResult> {
  if (input === '-') throw new RedactError('redact reads its input twice: give a file, not stdin');
  // Decided before the first pass, so that a bad output fails at once rather than after it.
  const target = outputTarget(input, output);

  // ---- pass 1: plans
  let planner: TcpPlanner | null = new TcpPlanner();
  const keepWhole = new Set<number>();
  const defrag = new Defragmenter();
  const summary: CaptureSummary = await readCapture(input, (raw) => {
    const p = defrag.push(decodePacket(raw));
    if (!p) return;
    if (p.fragments) {
      // A datagram put back together from fragments: DNS keeps every fragment whole.
      if (p.udp && (p.udp.srcPort === DNS_PORT || p.udp.dstPort === DNS_PORT)) for (const f of p.fragments) keepWhole.add(f);
    }
    planner?.add(p);
  });
  const conns = planner.finish();
  // The first pass's connection table is not needed any more: only the plans are.
  planner = null;

  const format = opts.format ?? chooseFormat(output, summary.interfaces);
  const warnings = summary.warnings.slice();
  const linkTypes = new Set(summary.interfaces.map((i) => i.linkType));
  if (format === 'pcap' && linkTypes.size > 1) {
    throw new RedactError(`${input}: interfaces of ${linkTypes.size} link types cannot go into one pcap file; write .pcapng (--format pcapng)`);
  }
  const nanos = summary.interfaces.some((i) => i.tsUnitsPerSecond > 1e6);

  // ---- pass 2: write
  const out = new ChunkWriter(target, output === '-' ? 'standard output' : output);
  const result: RedactResult = {
    input,
    output,
    format,
    packets: 0,
    bytesIn: 0,
    bytesOut: 0,
    connections: countProtocols(conns),
    warnings,
  };
  try {
    const ifaces = summary.interfaces;
    // Each interface keeps its time resolution and offset, so every timestamp is written back exactly.
    const specs: PcapngInterfaceSpec[] = ifaces.map((i) => ({
      linkType: i.linkType, snapLen: i.snapLen, tsresol: tsresolByte(i.tsUnitsPerSecond),
      ...(i.tsOffset ? { tsoffset: i.tsOffset } : {}), ...(i.name ? { name: i.name } : {}),
    }));
    const pcapOpts = { linkType: ifaces[0]?.linkType ?? 1, snapLen: Math.max(262144, ...ifaces.map((i) => i.snapLen)), nanoseconds: nanos };
    if (format === 'pcap') out.write(pcapHeader(pcapOpts));
    else {
      out.write(pcapngSectionHeader(true));
      for (const s of specs) out.write(pcapngInterface(s, true));
    }
    const locator = new TcpLocator(conns);
    const defrag2 = new Defragmenter();
    await readCapture(input, (raw) => {
      const data = cutPacket(raw, locator, defrag2, keepWhole);
      result.packets++;
      result.bytesIn += raw.capturedLength;
      result.bytesOut += data.length;
      const pkt = { tsSec: raw.tsSec, tsNsec: raw.tsNsec, data, originalLength: raw.originalLength };
      if (format === 'pcap') out.write(pcapRecord(pkt, pcapOpts));
      else {
        // A simple packet block has no time: it stays one (an EPB would invent time 0 − if_tsoffset).
        const block = raw.noTimestamp ? { block: 'spb' as const } : {};
        out.write(pcapngPacket({ ...pkt, ...block, interfaceId: raw.interfaceId }, specs[raw.interfaceId] ?? { linkType: raw.linkType, tsresol: 9 }, true));
      }
    });
    out.close();
  } catch (err) {
    out.abandon();
    throw err;
  }
  return result;
}

/** The if_tsresol byte for a number of units per second (10^n or 2^n; ns otherwise). */
function tsresolByte(units: number): number {
  for (let e = 0; e <= 18; e++) if (10 ** e === units) return e;
  for (let e = 0; e <= 63; e++) if (2 ** e === units) return 0x80 | e;
  return 9;
}

/** pcapng for a .pcapng name or mixed link types; pcap otherwise. */
export function chooseFormat(output: string, interfaces: CaptureInterface[]): ShareFormat {
  if (/\.pcapng$/i.test(output)) return 'pcapng';
  return new Set(interfaces.map((i) => i.linkType)).size > 1 ? 'pcapng' : 'pcap';
}

function countProtocols(conns: ConnectionPlan[]): RedactResult['connections'] {
  const c = { tls: 0, http: 0, dns: 0, other: 0 };
  for (const x of conns) {
    if (!x) continue;
    if (x.protocol === 'tls' || x.protocol === 'http' || x.protocol === 'dns') c[x.protocol]++;
    else c.other++;
  }
  return c;
}

/** The bytes of one packet as the shared capture keeps them (a new array). */
export function cutPacket(raw: RawPacket, locator: TcpLocator, defrag: Defragmenter, keepWhole: Set<number>): Uint8Array {
  const d = raw.data;
  const p = decodePacket(raw);
  const ip = p.ip;
  if (!ip) return p.etherType === ETHERTYPE_ARP ? d.slice() : new Uint8Array(0);
  const ipPayload = offsetIn(d, ip.payload);
  if (ipPayload === null) return new Uint8Array(0);
  if (ip.fragment) {
    const whole = keepWhole.has(raw.frame);
    // Replay the defragmenter so that the connection table sees what pass 1 saw.
    const r = defrag.push(p);
    if (r && r.tcp) locator.locate(r);
    return whole ? d.slice() : d.slice(0, ipPayload);
  }
  if (p.tcp) {
    const seg = p.tcp;
    const at = offsetIn(d, seg.payload);
    const loc = locator.locate(p);
    if (at === null) return d.slice(0, ipPayload);
    if (loc?.conn.keepAll) return d.slice();
    if (!loc || loc.off === null || seg.payload.length === 0) return d.slice(0, at);
    const kept = loc.plan.apply(loc.off, seg.payload);
    const out = new Uint8Array(at + kept.length);
    out.set(d.subarray(0, at));
    out.set(kept, at);
    return out;
  }
  if (p.udp) {
    const u = p.udp;
    const at = offsetIn(d, u.payload);
    if (at === null) return d.slice(0, ipPayload);
    const port = (n: number): boolean => u.srcPort === n || u.dstPort === n;
    if (port(DNS_PORT)) return d.slice();
    // mDNS / LLMNR: the 12-byte header is what the analyzer counts.
    if (port(MDNS_PORT) || port(LLMNR_PORT)) return d.slice(0, at + Math.min(12, u.payload.length));
    return d.slice(0, at);
  }
  if (ip.protocol === 1 || ip.protocol === 58) return d.slice(0, ipPayload + icmpKeep(ip.protocol, ip.payload));
  return d.slice(0, ipPayload);
}

/** ICMP: the 8-byte header; for errors also the quoted IP header and 8 bytes of its transport header. */
function icmpKeep(proto: number, b: Uint8Array): number {
  if (b.length < 8) return b.length;
  const type = b[0];
  if (proto === 1 && (type === 3 || type === 11 || type === 12) && b.length > 8) {
    const ihl = (b[8] & 0x0f) * 4;
    return Math.min(b.length, 8 + ihl + 8);
  }
  if (proto === 58 && type >= 1 && type <= 4) return Math.min(b.length, 8 + 40 + 8);
  return 8;
}

/** Offset of a view inside the packet's bytes, or null when it is not one. */
function offsetIn(d: Uint8Array, view: Uint8Array): number | null {
  if (view.buffer !== d.buffer) return view.length === 0 ? d.length : null;
  const o = view.byteOffset - d.byteOffset;
  return o >= 0 && o <= d.length ? o : null;
}

/** Where the copy goes: `path` replaced by a finished temporary file, or written in place; or an open descriptor. */
interface OutputTarget {
  path: string;
  replace: boolean;
  /** Standard output's, for `-`: written to as it is (a pipe, a file, …), never closed. */
  fd?: number;
}

/**
 * A regular file (or a new name) is replaced: the copy is written to a temporary file beside it and
 * renamed into place at the end, so a failed run leaves no half-written file. Through a symbolic
 * link that is the file it points to, so the link stays. A FIFO or a device is written to directly
 * (a rename would put a file in its place). Refused: the input itself by any name (a symbolic or
 * hard link), a directory, a socket, a link to nothing. `-` is standard output, refused when it is
 * the input (`>> IN`).
 */
function outputTarget(input: string, output: string): OutputTarget {
  if (output === '-') {
    if (sameFile(fstatSync(STDOUT_FD), input)) throw new RedactError('standard output is the input file; name another output');
    return { path: output, replace: false, fd: STDOUT_FD };
  }
  let st: Stats;
  try {
    st = statSync(output);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw fsError(err, output);
    if (isSymlink(output)) throw new RedactError(`${output}: a symbolic link to a file that does not exist; name the file itself`);
    return { path: output, replace: true };
  }
  if (sameFile(st, input)) throw new RedactError(`${output}: the output would overwrite the input; name another file`);
  if (st.isDirectory()) throw new RedactError(`${output}: is a directory`);
  if (st.isSocket()) throw new RedactError(`${output}: is a socket; name a file`);
  if (!st.isFile()) return { path: output, replace: false };
  return { path: realpathSync(output), replace: true };
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** `st` (the output's) is the input's device and inode; a missing input is reported when it is read. */
function sameFile(st: Stats, input: string): boolean {
  try {
    const i = statSync(input);
    return i.dev === st.dev && i.ino === st.ino;
  } catch {
    return false;
  }
}

/** Writes in 1 MiB chunks: to a temporary file renamed into place at the end, in place, or to standard output (OutputTarget). */
class ChunkWriter {
  private fd: number;
  private readonly owned: boolean;
  private readonly tmp: string | null;
  private parts: Uint8Array[] = [];
  private size = 0;

  /** `name` is the output as the user gave it, for messages. */
  constructor(private readonly target: OutputTarget, private readonly name: string) {
    this.tmp = target.replace ? temporaryPath(target.path) : null;
    this.owned = target.fd === undefined;
    try {
      this.fd = target.fd ?? openSync(this.tmp ?? target.path, 'w', 0o644);
    } catch (err) {
      throw fsError(err, name);
    }
  }

  write(b: Uint8Array): void {
    this.parts.push(b);
    this.size += b.length;
    if (this.size >= WRITE_CHUNK) this.flush();
  }

  private flush(): void {
    if (this.size === 0) return;
    const all = Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    try {
      writeAllSync(this.fd, all);
    } catch (err) {
      throw fsError(err, this.name);
    }
  }

  close(): void {
    this.flush();
    if (this.owned) closeSync(this.fd);
    this.fd = -1;
    if (this.tmp === null) return;
    try {
      renameSync(this.tmp, this.target.path);
    } catch (err) {
      throw fsError(err, this.name);
    }
  }

  abandon(): void {
    if (this.owned && this.fd >= 0) {
      try {
        closeSync(this.fd);
      } catch {
        // already closed
      }
    }
    if (this.tmp === null) return;
    try {
      unlinkSync(this.tmp);
    } catch {
      // never created
    }
  }
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * All of `b` to `fd`. Standard output's pipe or socket is non-blocking once node has set up
 * process.stdout (cli/errors.ts's watchStdio does): while it is full, wait 5 ms and try again, so
 * that no more than one chunk is ever held however slow the reader is.
 */
function writeAllSync(fd: number, b: Buffer): void {
  let o = 0;
  while (o < b.length) {
    try {
      o += writeSync(fd, b, o, b.length - o);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      Atomics.wait(pause, 0, 0, 5);
    }
  }
}

/** A system error on the output as one line naming it (the CLI's wording, cli/errors.ts); others unchanged. */
function fsError(err: unknown, file: string): Error {
  const reason = errnoReason((err as NodeJS.ErrnoException | null)?.code);
  return reason ? new RedactError(`${file}: ${reason}`) : err as Error;
}

/** The capture file of a record bundle, and the name its shareable copy gets. */
export function bundleCapture(dir: string): { input: string; output: string } | null {
  for (const name of ['capture.pcap', 'capture.pcapng']) {
    const input = resolve(dir, name);
    try {
      if (statSync(input).isFile()) return { input, output: resolve(dir, name.replace('capture.', 'capture.redacted.')) };
    } catch {
      // not this one
    }
  }
  return null;
}

