/**
 * pcapng: a sequence of blocks `type, total length, body, total length`, grouped in sections that
 * each start with a Section Header Block (SHB) whose byte-order magic sets the byte order of the
 * section. Interface Description Blocks (IDB) declare interfaces (link type, snaplen, if_tsresol,
 * if_tsoffset); packets come in Enhanced (EPB), Simple (SPB) and obsolete Packet Blocks (PB).
 * Every other block type is skipped by its length.
 *
 * Broken structure (lengths that disagree, are not a multiple of 4, or overrun the block) stops the
 * read with a CaptureFormatError naming the offset; a block cut short at end of file is a warning.
 */
import { CaptureFormatError, type CaptureInterface, type RawPacket } from './types.js';
import { CaptureStats, LOOP_WINDOW, type PacketCallback, type RecordParser } from './parser.js';
import { linkTypeName } from './linktypes.js';
import { MAX_CAPLEN, hex32 } from './pcap.js';
import { BufferedPacket } from './buffered-packet.js';
import { resolutionName, TimestampSplitter, type SplitTime } from './timestamp.js';

export const BT_SHB = 0x0a0d0d0a;
export const BT_IDB = 0x00000001;
export const BT_PB = 0x00000002;
export const BT_SPB = 0x00000003;
export const BT_EPB = 0x00000006;
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

/** Blocks larger than this are refused (libpcap uses a similar bound) so memory stays bounded. */
export const MAX_BLOCK_LENGTH = 16 * 1024 * 1024;

const OPT_ENDOFOPT = 0;
const IF_NAME = 2;
const IF_DESCRIPTION = 3;
const IF_TSRESOL = 9;
const IF_FCSLEN = 13;
const IF_TSOFFSET = 14;

const utf8 = new TextDecoder('utf-8', { fatal: false });

export class PcapngParser implements RecordParser {
  readonly format = 'pcapng' as const;
  pendingLength = 0;
  private le = true;
  private inSection = false;
  private sectionIndex = -1;
  private firstVersion = '';
  /** File offset of a later section in a version not read, after which the file is skipped; null before. */
  private stoppedAt: number | null = null;
  private readonly orders = new Set<boolean>();
  /** Interfaces of the current section, by section-local index. */
  private section: CaptureInterface[] = [];
  private readonly all: CaptureInterface[] = [];
  private frame = 0;
  private readonly ts: SplitTime = { sec: 0, nsec: 0 };
  /** The packet handed out for every enhanced/obsolete packet block (simple ones get their own). */
  private readonly timed = new BufferedPacket();
  /** Per interface id. */
  private readonly splitters: TimestampSplitter[] = [];

  constructor(
    private readonly file: string,
    private readonly onPacket: PacketCallback,
    private readonly stats: CaptureStats,
  ) {}

  parse(buf: Uint8Array, view: DataView, start: number, end: number, base: number): number {
    this.pendingLength = 0;
    // After a section this reader cannot read, the rest of the file is skipped (see sectionHeader).
    if (this.stoppedAt !== null) return end;
    let o = start;
    for (let w = Math.min(end, o + LOOP_WINDOW); ; w = Math.min(end, w + LOOP_WINDOW)) {
      o = this.blocks(buf, view, o, w, base);
      if (this.stoppedAt !== null) return end;
      if (w === end) break;
    }
    // What stopped the loop: a block cut at the end of the window (its length; the byte order is
    // already the one of the section it belongs to, an SHB's included).
    if (end - o >= 12) this.pendingLength = view.getUint32(o + 4, this.le);
    else if (end - o > 0) this.pendingLength = 12;
    return o;
  }

  /**
   * Read every complete block in buf[o, end); returns where the first incomplete one starts. (Its
   * own function, whose loop ends in nothing but a return: see PcapParser.records.)
   */
  private blocks(buf: Uint8Array, view: DataView, o: number, end: number, base: number): number {
    while (end - o >= 12) {
      const at = base + o;
      let type = view.getUint32(o, this.le);
      if (type === BT_SHB) {
        // The byte order of a section comes from its SHB's byte-order magic.
        const bom = view.getUint32(o + 8, true);
        if (bom === BYTE_ORDER_MAGIC) this.le = true;
        else if (bom === 0x4d3c2b1a) this.le = false;
        else {
          throw new CaptureFormatError(this.file, at + 8,
            `section header block has a bad byte-order magic 0x${hex32(view.getUint32(o + 8, false))} (expected 1a2b3c4d)`);
        }
        type = BT_SHB;
      } else if (!this.inSection) {
        throw new CaptureFormatError(this.file, at, `expected a section header block, found block type 0x${hex32(type)}`);
      }
      const le = this.le;
      const len = view.getUint32(o + 4, le);
      if (len < 12 || len % 4 !== 0) {
        throw new CaptureFormatError(this.file, at + 4,
          `block total length ${len} is ${len < 12 ? 'smaller than the minimum of 12' : 'not a multiple of 4'} (block type 0x${hex32(type)})`);
      }
      if (len > MAX_BLOCK_LENGTH) {
        throw new CaptureFormatError(this.file, at + 4,
          `block total length ${len} is larger than the maximum of ${MAX_BLOCK_LENGTH} (block type 0x${hex32(type)})`);
      }
      if (end - o < len) break;
      const trailer = view.getUint32(o + len - 4, le);
      if (trailer !== len) {
        throw new CaptureFormatError(this.file, at + len - 4,
          `block total length in header ${len} and trailer ${trailer} don't match (block type 0x${hex32(type)})`);
      }
      switch (type) {
        case BT_SHB:
          this.sectionHeader(view, o, len, at);
          if (this.stoppedAt !== null) return o;
          break;
        case BT_IDB: this.interfaceDescription(buf, view, o, len, at); break;
        case BT_EPB: this.enhancedPacket(buf, view, o, len, at); break;
        case BT_SPB: this.simplePacket(buf, view, o, len, at); break;
        case BT_PB: this.obsoletePacket(buf, view, o, len, at); break;
        default: break; // NRB, ISB, DSB, custom and unknown blocks: skipped by length.
      }
      o += len;
    }
    return o;
  }

  private sectionHeader(view: DataView, o: number, len: number, at: number): void {
    if (len < 28) {
      throw new CaptureFormatError(this.file, at + 4, `section header block length ${len} is smaller than the minimum of 28`);
    }
    const major = view.getUint16(o + 12, this.le);
    const minor = view.getUint16(o + 14, this.le);
    if (major !== 1 || (minor !== 0 && minor !== 2)) {
      if (this.sectionIndex < 0) {
        throw new CaptureFormatError(this.file, at + 12, `unsupported pcapng savefile version ${major}.${minor} (expected 1.0)`);
      }
      // A later section in a version this reader does not know (as tshark does): what came before
      // it is kept, and said to be all there is.
      this.stoppedAt = at;
      this.stats.warnings.add('later-section', `section ${this.sectionIndex + 2} at byte ${at} is pcapng version ${major}.${minor}, ` +
        `which is not read: the ${this.frame} packet${this.frame === 1 ? '' : 's'} before it ${this.frame === 1 ? 'is' : 'are'} analysed, the rest of the file is left out`);
      return;
    }
    this.checkOptions(view, o + 24, o + len - 4, at, 'section header block');
    this.sectionIndex++;
    if (this.sectionIndex === 0) this.firstVersion = `${major}.${minor}`;
    this.orders.add(this.le);
    this.inSection = true;
    this.section = [];
  }

  private interfaceDescription(buf: Uint8Array, view: DataView, o: number, len: number, at: number): void {
    if (len < 20) {
      throw new CaptureFormatError(this.file, at + 4, `interface description block length ${len} is smaller than the minimum of 20`);
    }
    const le = this.le;
    const linkType = view.getUint16(o + 8, le);
    const snapLen = view.getUint32(o + 12, le);
    const iface: CaptureInterface = {
      id: this.all.length,
      section: this.sectionIndex,
      linkType,
      linkTypeName: linkTypeName(linkType),
      snapLen,
      tsUnitsPerSecond: 1e6,
      tsOffset: 0,
      name: null,
      description: null,
    };
    const optEnd = o + len - 4;
    let p = o + 16;
    while (optEnd - p >= 4) {
      const code = view.getUint16(p, le);
      const olen = view.getUint16(p + 2, le);
      if (code === OPT_ENDOFOPT) break;
      if (p + 4 + olen > optEnd) {
        throw new CaptureFormatError(this.file, at + (p - o),
          `interface description block option ${code} length ${olen} overruns the block (${optEnd - p - 4} bytes left)`);
      }
      const v = p + 4;
      if (code === IF_NAME) iface.name = utf8.decode(buf.subarray(v, v + olen)).replace(/\0+$/, '');
      else if (code === IF_DESCRIPTION) iface.description = utf8.decode(buf.subarray(v, v + olen)).replace(/\0+$/, '');
      else if (code === IF_TSRESOL && olen >= 1) {
        const r = buf[v];
        const exp = r & 0x7f;
        const units = r & 0x80 ? 2 ** exp : 10 ** exp;
        if ((r & 0x80 && exp > 63) || (!(r & 0x80) && exp > 18)) {
          throw new CaptureFormatError(this.file, at + (v - o), `if_tsresol 0x${r.toString(16)} is out of range`);
        }
        iface.tsUnitsPerSecond = units;
      } else if (code === IF_TSOFFSET && olen >= 8) {
        const a = view.getUint32(v, le);
        const b = view.getUint32(v + 4, le);
        const hi = le ? b : a;
        const lo = le ? a : b;
        iface.tsOffset = (hi | 0) * 4294967296 + lo;
      } else if (code === IF_FCSLEN && olen >= 1 && buf[v] > 0) {
        this.stats.warnings.add(`fcs-${iface.id}`, `interface ${iface.id} frames end with a ${buf[v]}-byte FCS (not stripped)`);
      }
      p = v + ((olen + 3) & ~3);
    }
    this.section.push(iface);
    this.all.push(iface);
  }

  /** Walk an options list only to check that it fits its block (for SHB: as libpcap does). */
  private checkOptions(view: DataView, p: number, optEnd: number, at: number, what: string): void {
    const start = p;
    while (optEnd - p >= 4) {
      const code = view.getUint16(p, this.le);
      const olen = view.getUint16(p + 2, this.le);
      if (code === OPT_ENDOFOPT) return;
      if (p + 4 + olen > optEnd) {
        throw new CaptureFormatError(this.file, at + 24 + (p - start),
          `${what} option ${code} length ${olen} overruns the block (${optEnd - p - 4} bytes left)`);
      }
      p += 4 + ((olen + 3) & ~3);
    }
  }

  private iface(localId: number, at: number, what: string): CaptureInterface {
    const iface = this.section[localId];
    if (!iface) {
      throw new CaptureFormatError(this.file, at + 8,
        `${what} refers to interface ${localId}, but the section has ${this.section.length} interface description block(s)`);
    }
    return iface;
  }

  private enhancedPacket(buf: Uint8Array, view: DataView, o: number, len: number, at: number): void {
    const le = this.le;
    if (len < 32) throw new CaptureFormatError(this.file, at + 4, `enhanced packet block length ${len} is smaller than the minimum of 32`);
    const iface = this.iface(view.getUint32(o + 8, le), at, 'enhanced packet block');
    const caplen = view.getUint32(o + 20, le);
    const origlen = view.getUint32(o + 24, le);
    this.packet(buf, iface, view.getUint32(o + 12, le), view.getUint32(o + 16, le), o + 28, caplen, origlen, len - 32, at, 'enhanced');
  }

  private obsoletePacket(buf: Uint8Array, view: DataView, o: number, len: number, at: number): void {
    const le = this.le;
    if (len < 32) throw new CaptureFormatError(this.file, at + 4, `packet block length ${len} is smaller than the minimum of 32`);
    const iface = this.iface(view.getUint16(o + 8, le), at, 'packet block');
    const caplen = view.getUint32(o + 20, le);
    const origlen = view.getUint32(o + 24, le);
    this.packet(buf, iface, view.getUint32(o + 12, le), view.getUint32(o + 16, le), o + 28, caplen, origlen, len - 32, at, 'obsolete');
  }

  private packet(
    buf: Uint8Array, iface: CaptureInterface, tsHi: number, tsLo: number, dataStart: number,
    caplen: number, origlen: number, room: number, at: number, kind: string,
  ): void {
    if (caplen > room) {
      throw new CaptureFormatError(this.file, at + 20,
        `${kind} packet block captured length ${caplen} exceeds the ${room} bytes of packet data in the block`);
    }
    if (caplen > MAX_CAPLEN) {
      throw new CaptureFormatError(this.file, at + 20,
        `invalid packet capture length ${caplen}, bigger than the maximum of ${MAX_CAPLEN}`);
    }
    let splitter = this.splitters[iface.id];
    if (!splitter) splitter = this.splitters[iface.id] = new TimestampSplitter(iface.tsUnitsPerSecond);
    splitter.split(tsHi, tsLo, this.ts);
    const sec = this.ts.sec + iface.tsOffset;
    const nsec = this.ts.nsec;
    // One RawPacket for every timed block (the callback may not keep it: see RawPacket).
    const p = this.timed;
    p.frame = ++this.frame;
    p.tsSec = sec;
    p.tsNsec = nsec;
    p.interfaceId = iface.id;
    p.linkType = iface.linkType;
    p.originalLength = origlen;
    p.setBytes(buf, dataStart, caplen);
    p.fileOffset = at;
    this.stats.observe(sec, nsec, caplen);
    this.onPacket(p);
  }

  private simplePacket(buf: Uint8Array, view: DataView, o: number, len: number, at: number): void {
    if (len < 16) throw new CaptureFormatError(this.file, at + 4, `simple packet block length ${len} is smaller than the minimum of 16`);
    const iface = this.iface(0, at, 'simple packet block');
    const origlen = view.getUint32(o + 8, this.le);
    const room = len - 16;
    let caplen = Math.min(origlen, room);
    if (iface.snapLen > 0 && caplen > iface.snapLen) caplen = iface.snapLen;
    if (caplen > MAX_CAPLEN) caplen = MAX_CAPLEN;
    this.stats.warnings.add('spb-untimed', 'simple packet blocks carry no timestamp (time 0, left out of the time span)');
    const p: RawPacket = {
      frame: ++this.frame,
      tsSec: 0,
      tsNsec: 0,
      interfaceId: iface.id,
      linkType: iface.linkType,
      capturedLength: caplen,
      originalLength: origlen,
      data: buf.subarray(o + 12, o + 12 + caplen),
      fileOffset: at,
      noTimestamp: true,
    };
    this.stats.observeUntimed(caplen);
    this.onPacket(p);
  }

  finish(remaining: number, offset: number): void {
    if (this.stoppedAt !== null) return;
    if (this.sectionIndex < 0) {
      throw new CaptureFormatError(this.file, offset + remaining,
        `truncated pcapng section header block: ${remaining} bytes where at least 28 are needed`);
    }
    if (remaining > 0) {
      const need = this.pendingLength || 12;
      this.stats.warnings.add(
        'truncated-tail',
        `truncated last block at byte ${offset}: block needs ${need} bytes, the file has ${remaining}; read the ${this.frame} packets before it`,
      );
    }
  }

  describe() {
    const units = new Set(this.all.map((i) => i.tsUnitsPerSecond));
    const names = [...units].map(resolutionName);
    return {
      byteOrder: this.orders.size > 1 ? 'mixed' as const : this.orders.has(false) ? 'big-endian' as const : 'little-endian' as const,
      tsResolution: names.length === 0 ? 'microseconds' : names.length === 1 ? names[0] : `mixed (${names.join(', ')})`,
      version: this.firstVersion,
      sections: this.sectionIndex + 1,
      interfaces: this.all.map((i) => ({ ...i })),
    };
  }
}
