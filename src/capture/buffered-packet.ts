import type { RawPacket } from './types.js';

const EMPTY = new Uint8Array(0);

/**
 * The RawPacket a reader hands out for every record: the record's fields plus where its bytes lie
 * in the reader's buffer (`buffer`, `bufferOffset`). `data`, a view of just those bytes, is made
 * only when something reads it: the analysis decodes in the buffer itself (decode/packet.ts,
 * PacketDecoder), so most packets never get a typed array of their own. One object per reader,
 * reused for every record: like `data`, it is valid only during the callback (see RawPacket).
 */
export class BufferedPacket implements RawPacket {
  frame = 0;
  tsSec = 0;
  tsNsec = 0;
  interfaceId = 0;
  linkType = 0;
  capturedLength = 0;
  originalLength = 0;
  fileOffset = 0;
  buffer: Uint8Array = EMPTY;
  bufferOffset = 0;
  #data: Uint8Array | null = null;

  get data(): Uint8Array {
    return (this.#data ??= this.buffer.subarray(this.bufferOffset, this.bufferOffset + this.capturedLength));
  }

  /** Point at the next record's bytes: buffer[offset, offset + capturedLength). */
  setBytes(buffer: Uint8Array, offset: number, capturedLength: number): void {
    this.buffer = buffer;
    this.bufferOffset = offset;
    this.capturedLength = capturedLength;
    this.#data = null;
  }
}
