/**
 * What a capture reader hands to the rest of the pipeline. Readers (pcap.ts, pcapng.ts) know file
 * formats and nothing about protocols; decode/ takes a RawPacket's bytes from here.
 */

export type CaptureFormat = 'pcap' | 'pcapng';

/** One capture interface: a pcap file has one, a pcapng section one per IDB. */
export interface CaptureInterface {
  /** Index over the whole file (pcapng: counted across sections, in IDB order). */
  id: number;
  /** pcapng section number (0-based); 0 for pcap. */
  section: number;
  /** LINKTYPE_ value. */
  linkType: number;
  /** Name such as 'EN10MB', 'LINUX_SLL2', or 'LINKTYPE_<n>' when unknown. */
  linkTypeName: string;
  snapLen: number;
  /** Timestamp units per second, e.g. 1e6, 1e9, 256. */
  tsUnitsPerSecond: number;
  /** pcapng if_tsoffset, seconds (0 when absent). */
  tsOffset: number;
  name: string | null;
  description: string | null;
}

/**
 * One captured packet. `data` is a view into the reader's buffer, and the object itself is reused
 * for the next packet: both are only valid during the callback that received them. Copy the fields
 * (and `data.slice()`) you keep, not the object.
 */
export interface RawPacket {
  /** 1-based frame number, as tshark and Wireshark count. */
  frame: number;
  /** Whole seconds since the epoch. */
  tsSec: number;
  /** Nanoseconds within the second (0..999_999_999), at the file's precision. */
  tsNsec: number;
  interfaceId: number;
  linkType: number;
  /** Bytes present in `data` (caplen). */
  capturedLength: number;
  /** Length on the wire; > capturedLength when the snap length cut the packet. */
  originalLength: number;
  data: Uint8Array;
  /**
   * Set by the readers: the buffer `data` is a view into and where it starts there, so that a
   * decoder can read the bytes in place without a view per packet (decode/packet.ts,
   * PacketDecoder). Absent on packets built by hand.
   */
  buffer?: Uint8Array;
  bufferOffset?: number;
  /** Byte offset of the packet record in the file (for error messages and evidence). */
  fileOffset: number;
  /** pcapng simple packet blocks carry no timestamp: tsSec/tsNsec are 0 and mean nothing. */
  noTimestamp?: true;
}

export interface CaptureSummary {
  file: string;
  format: CaptureFormat;
  byteOrder: 'little-endian' | 'big-endian' | 'mixed';
  /** pcap: 'microseconds' | 'nanoseconds'; pcapng: from the IDBs, e.g. 'nanoseconds' or 'mixed'. */
  tsResolution: string;
  /** pcap: major.minor version; pcapng: of the first section. */
  version: string;
  sections: number;
  interfaces: CaptureInterface[];
  packets: number;
  bytes: number;
  /** Epoch seconds of the earliest and latest packet (not first/last in file order). */
  firstTime: number | null;
  lastTime: number | null;
  /** One line each; repeated conditions are counted, not repeated. */
  warnings: string[];
}

/**
 * The file is not a capture we can read at all, or is broken at `offset` in a way that stops the
 * read. The message names the file, the offset and what was expected. Exit status 2.
 */
export class CaptureFormatError extends Error {
  readonly file: string;
  readonly offset: number;
  constructor(file: string, offset: number, message: string) {
    super(`${file}: at byte ${offset}: ${message}`);
    this.name = 'CaptureFormatError';
    this.file = file;
    this.offset = offset;
  }
}

/** Epoch seconds as a float (loses sub-microsecond precision at today's epoch: for display and spans). */
export function packetTime(p: Pick<RawPacket, 'tsSec' | 'tsNsec'>): number {
  return p.tsSec + p.tsNsec / 1e9;
}
