/**
 * Counting the packets in tcpdump's growing pcap file (tcpdump -U writes each packet as it
 * comes), without re-reading it: a poll reads only the new bytes and walks the 16-byte record
 * headers. Enough for progress and stall detection; the full analysis reads the file afterwards.
 */
import { openSync, readSync, closeSync, fstatSync } from 'node:fs';

const GLOBAL_HEADER = 24;
const RECORD_HEADER = 16;
/** A record longer than this is not tcpdump's: stop counting rather than skip wildly. */
const MAX_RECORD = 256 * 1024 * 4;
const CHUNK = 2 << 20;

export class PacketCounter {
  packets = 0;
  /** Epoch seconds of the newest packet seen. */
  lastPacketTime: number | null = null;
  /** Set when the file stops looking like a pcap; counting stops. */
  broken: string | null = null;
  private fd: number | null = null;
  private offset = 0;
  private littleEndian = true;
  private nanos = false;
  private headerRead = false;
  private readonly buf = Buffer.alloc(CHUNK);

  /** Link type from the file header (for `relevant`). */
  private linkType = 1;
  private relevantCount = 0;

  /**
   * `relevant`, when given, is asked about each new packet's bytes; `takeRelevant` then says how
   * many said yes since it was last called (--stall-after: go's own traffic).
   */
  constructor(private readonly file: string, private readonly relevant?: (data: Uint8Array, linkType: number) => boolean) {}

  /** Packets `relevant` accepted since the last call. */
  takeRelevant(): number {
    const n = this.relevantCount;
    this.relevantCount = 0;
    return n;
  }

  /** Read what was appended since the last call; returns the number of new packets. */
  poll(): number {
    if (this.broken) return 0;
    try {
      if (this.fd === null) this.fd = openSync(this.file, 'r');
      const size = fstatSync(this.fd).size;
      let added = 0;
      if (!this.headerRead) {
        if (size < GLOBAL_HEADER) return 0;
        const h = Buffer.alloc(GLOBAL_HEADER);
        readSync(this.fd, h, 0, GLOBAL_HEADER, 0);
        const magic = h.readUInt32LE(0);
        if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) this.littleEndian = true;
        else if (h.readUInt32BE(0) === 0xa1b2c3d4 || h.readUInt32BE(0) === 0xa1b23c4d) this.littleEndian = false;
        else {
          this.broken = `not a pcap file (magic 0x${magic.toString(16)})`;
          return 0;
        }
        this.nanos = (this.littleEndian ? h.readUInt32LE(0) : h.readUInt32BE(0)) === 0xa1b23c4d;
        this.linkType = (this.littleEndian ? h.readUInt32LE(20) : h.readUInt32BE(20)) & 0x0fffffff;
        this.headerRead = true;
        this.offset = GLOBAL_HEADER;
      }
      // Read the new bytes in large chunks and walk the record headers inside them.
      while (size - this.offset >= RECORD_HEADER) {
        const want = Math.min(CHUNK, size - this.offset);
        const n = readSync(this.fd, this.buf, 0, want, this.offset);
        let pos = 0;
        while (n - pos >= RECORD_HEADER) {
          const sec = this.littleEndian ? this.buf.readUInt32LE(pos) : this.buf.readUInt32BE(pos);
          const frac = this.littleEndian ? this.buf.readUInt32LE(pos + 4) : this.buf.readUInt32BE(pos + 4);
          const incl = this.littleEndian ? this.buf.readUInt32LE(pos + 8) : this.buf.readUInt32BE(pos + 8);
          if (incl > MAX_RECORD) {
            this.broken = `record at byte ${this.offset + pos} claims ${incl} bytes`;
            return added;
          }
          if (size - (this.offset + pos) < RECORD_HEADER + incl) break; // the rest is still being written
          if (this.relevant && this.relevant(this.buf.subarray(pos + RECORD_HEADER, pos + RECORD_HEADER + incl), this.linkType)) this.relevantCount++;
          pos += RECORD_HEADER + incl;
          this.packets++;
          added++;
          this.lastPacketTime = sec + frac / (this.nanos ? 1e9 : 1e6);
        }
        if (pos === 0) break; // a record larger than what is written so far
        this.offset += pos;
      }
      return added;
    } catch {
      return 0; // not there yet
    }
  }

  close(): void {
    if (this.fd !== null) {
      try {
        closeSync(this.fd);
      } catch {
        /* already closed */
      }
      this.fd = null;
    }
  }
}
