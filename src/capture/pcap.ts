/**
 * Classic pcap (libpcap savefile): a 24-byte global header, then records of a 16-byte header and
 * `caplen` bytes. Both byte orders; microsecond (a1b2c3d4) and nanosecond (a1b23c4d) magic.
 *
 * Checks follow libpcap's sf-pcap.c in spirit: version 2.0–2.4 (and 543.0), reserved link-type bits
 * zero, caplen no larger than the snapshot length nor 256 KiB. A record cut short at the end of the
 * file is a warning, not an error: the packets before it are good.
 */
import { CaptureFormatError, type CaptureInterface } from './types.js';
import { BufferedPacket } from './buffered-packet.js';
import { CaptureStats, LOOP_WINDOW, type PacketCallback, type RecordParser } from './parser.js';
import { linkTypeName } from './linktypes.js';

export const PCAP_GLOBAL_HEADER_LENGTH = 24;
export const PCAP_RECORD_HEADER_LENGTH = 16;
/** libpcap's MAXIMUM_SNAPLEN: no packet record may be larger. */
export const MAX_CAPLEN = 262144;

export const PCAP_MAGIC_USEC = 0xa1b2c3d4;
export const PCAP_MAGIC_NSEC = 0xa1b23c4d;

export class PcapParser implements RecordParser {
  readonly format = 'pcap' as const;
  pendingLength = 0;
  private headerDone = false;
  private le = true;
  private nsec = false;
  private versionMajor = 0;
  private versionMinor = 0;
  private snapLen = 0;
  /** The largest caplen we accept: the header's snaplen, or 256 KiB when it is 0 or larger. */
  private maxCaplen = MAX_CAPLEN;
  private linkType = 0;
  private frame = 0;
  private iface: CaptureInterface | null = null;
  private readonly packet = new BufferedPacket();

  constructor(
    private readonly file: string,
    private readonly onPacket: PacketCallback,
    private readonly stats: CaptureStats,
  ) {}

  parse(buf: Uint8Array, view: DataView, start: number, end: number, base: number): number {
    let o = start;
    this.pendingLength = 0;
    if (!this.headerDone) {
      if (end - o < PCAP_GLOBAL_HEADER_LENGTH) {
        this.pendingLength = PCAP_GLOBAL_HEADER_LENGTH;
        return o;
      }
      this.readGlobalHeader(view, o, base);
      o += PCAP_GLOBAL_HEADER_LENGTH;
    }
    for (let w = Math.min(end, o + LOOP_WINDOW); ; w = Math.min(end, w + LOOP_WINDOW)) {
      o = this.records(buf, view, o, w, base);
      if (w === end) break;
    }
    // What stopped the loop: a record cut at the end of the window (its length, when readable).
    if (end - o >= PCAP_RECORD_HEADER_LENGTH) this.pendingLength = PCAP_RECORD_HEADER_LENGTH + view.getUint32(o + 8, this.le);
    else if (end - o > 0) this.pendingLength = PCAP_RECORD_HEADER_LENGTH;
    return o;
  }

  /**
   * Hand every complete record in buf[o, end) to the callback; returns where the first incomplete
   * one starts. (Its own function, whose loop ends in nothing but a return: V8 optimises the loop
   * while it runs (on-stack replacement), and code after the loop that has not run yet would throw
   * the optimised code away at the end of every read buffer.)
   */
  private records(buf: Uint8Array, view: DataView, o: number, end: number, base: number): number {
    const le = this.le;
    const max = this.maxCaplen;
    const nsec = this.nsec;
    const stats = this.stats;
    const onPacket = this.onPacket;
    // One RawPacket for every record (the callback may not keep it: see RawPacket).
    const p = this.packet;
    p.linkType = this.linkType;
    // The caplen of the record at o, read one record ahead (see below).
    let caplen = end - o >= PCAP_RECORD_HEADER_LENGTH ? view.getUint32(o + 8, le) : 0;
    while (end - o >= PCAP_RECORD_HEADER_LENGTH) {
      if (caplen > max) this.caplenError(caplen, base + o);
      const recordEnd = o + PCAP_RECORD_HEADER_LENGTH + caplen;
      if (recordEnd > end) break;
      let sec = view.getUint32(o, le);
      let frac = view.getUint32(o + 4, le);
      const origlen = view.getUint32(o + 12, le);
      const unit = nsec ? 1_000_000_000 : 1_000_000;
      if (frac >= unit) {
        // A fraction of exactly one second more is a rounding slip by the writer: carry it (as
        // tshark shows it). Anything larger is garbage: keep the seconds, drop the fraction.
        if (frac < 2 * unit) {
          sec += 1;
          frac -= unit;
        } else {
          frac = 0;
        }
        this.warnFraction();
      }
      const tsNsec = nsec ? frac : frac * 1000;
      if (origlen < caplen) {
        stats.warnings.add('pcap-origlen', `packet records with an original length smaller than the captured length (first: frame ${this.frame + 1})`);
      }
      p.frame = ++this.frame;
      p.tsSec = sec;
      p.tsNsec = tsNsec;
      p.originalLength = origlen;
      p.setBytes(buf, o + PCAP_RECORD_HEADER_LENGTH, caplen);
      p.fileOffset = base + o;
      stats.observe(sec, tsNsec, caplen);
      // Read the next record's length before handing this packet over: the bytes were copied into
      // the buffer by another thread, so a record's first read misses the cache, and issued here it
      // overlaps with the work on this packet instead of waiting at the top of the loop.
      const next = recordEnd + PCAP_RECORD_HEADER_LENGTH <= end ? view.getUint32(recordEnd + 8, le) : 0;
      onPacket(p);
      o = recordEnd;
      caplen = next;
    }
    return o;
  }

  /** A sub-second field ≥ 1 s: carry it into the seconds, as tshark does, and say so once. */
  private warnFraction(): void {
    this.stats.warnings.add(
      'pcap-frac',
      `timestamps with a sub-second field of one second or more (below 2 s carried into the seconds, else dropped; first: frame ${this.frame + 1})`,
    );
  }

  private caplenError(caplen: number, offset: number): never {
    const limit = this.maxCaplen === MAX_CAPLEN && (this.snapLen === 0 || this.snapLen >= MAX_CAPLEN)
      ? `the maximum of ${MAX_CAPLEN}`
      : `the file's snapshot length ${this.snapLen}`;
    throw new CaptureFormatError(
      this.file,
      offset,
      `invalid packet capture length ${caplen} in record ${this.frame + 1}, bigger than ${limit}`,
    );
  }

  private readGlobalHeader(view: DataView, o: number, base: number): void {
    const magicBE = view.getUint32(o, false);
    const magicLE = view.getUint32(o, true);
    if (magicBE === PCAP_MAGIC_USEC || magicBE === PCAP_MAGIC_NSEC) {
      this.le = false;
      this.nsec = magicBE === PCAP_MAGIC_NSEC;
    } else if (magicLE === PCAP_MAGIC_USEC || magicLE === PCAP_MAGIC_NSEC) {
      this.le = true;
      this.nsec = magicLE === PCAP_MAGIC_NSEC;
    } else {
      throw new CaptureFormatError(this.file, base + o, `not a pcap magic number (0x${hex32(magicBE)})`);
    }
    const le = this.le;
    this.versionMajor = view.getUint16(o + 4, le);
    this.versionMinor = view.getUint16(o + 6, le);
    const okVersion = (this.versionMajor === 2 && this.versionMinor <= 4) ||
      (this.versionMajor === 543 && this.versionMinor === 0);
    if (!okVersion) {
      throw new CaptureFormatError(
        this.file,
        base + o + 4,
        `unsupported pcap savefile version ${this.versionMajor}.${this.versionMinor} (expected 2.4)`,
      );
    }
    this.snapLen = view.getUint32(o + 16, le);
    const linkField = view.getUint32(o + 20, le);
    if ((linkField & 0x03ff0000) !== 0) {
      throw new CaptureFormatError(
        this.file,
        base + o + 20,
        `linktype reserved field not zero (0x${hex32((linkField & 0x03ff0000) >>> 0)})`,
      );
    }
    this.linkType = linkField & 0xffff;
    if ((linkField & 0x04000000) !== 0) {
      const fcsBytes = ((linkField >>> 28) & 0xf) * 2;
      this.stats.warnings.add('pcap-fcs', `link-layer frames end with a ${fcsBytes}-byte FCS (not stripped)`);
    }
    this.maxCaplen = this.snapLen === 0 || this.snapLen > MAX_CAPLEN ? MAX_CAPLEN : this.snapLen;
    this.iface = {
      id: 0,
      section: 0,
      linkType: this.linkType,
      linkTypeName: linkTypeName(this.linkType),
      snapLen: this.snapLen,
      tsUnitsPerSecond: this.nsec ? 1e9 : 1e6,
      tsOffset: 0,
      name: null,
      description: null,
    };
    this.headerDone = true;
  }

  finish(remaining: number, offset: number): void {
    if (!this.headerDone) {
      throw new CaptureFormatError(
        this.file,
        offset + remaining,
        `truncated pcap file header: expected ${PCAP_GLOBAL_HEADER_LENGTH} bytes, the file has ${remaining}`,
      );
    }
    if (remaining > 0) {
      const need = this.pendingLength || PCAP_RECORD_HEADER_LENGTH;
      this.stats.warnings.add(
        'truncated-tail',
        `truncated last packet at byte ${offset}: record needs ${need} bytes, the file has ${remaining}; read the ${this.frame} packets before it`,
      );
    }
  }

  describe() {
    return {
      byteOrder: this.le ? 'little-endian' as const : 'big-endian' as const,
      tsResolution: this.nsec ? 'nanoseconds' : 'microseconds',
      version: `${this.versionMajor}.${this.versionMinor}`,
      sections: 1,
      interfaces: this.iface ? [{ ...this.iface }] : [],
    };
  }
}

export function hex32(v: number): string {
  return (v >>> 0).toString(16).padStart(8, '0');
}
