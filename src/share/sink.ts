/**
 * A StreamSink (src/flow/reassembly.ts) that counts stream offsets: the walkers of this folder
 * get each in-order piece with the offset of its first byte, so that what they decide can be
 * mapped back onto the packets that carried the bytes.
 */
import type { StreamSink } from '../flow/reassembly.js';

export interface OffsetSink {
  /** In-order bytes starting at stream offset `off` (a view: copy what you keep). False: no more. */
  data(b: Uint8Array, off: number): boolean;
  /** `length` bytes at `off` were never captured. False: no more. */
  gap(length: number, off: number): boolean;
}

export class Offsets implements StreamSink {
  /** Offset of the next byte. */
  pos = 0;
  constructor(public target: OffsetSink | null) {}

  data(bytes: Uint8Array): boolean {
    const off = this.pos;
    this.pos += bytes.length;
    return this.target ? this.target.data(bytes, off) : false;
  }

  gap(length: number): boolean {
    const off = this.pos;
    this.pos += length;
    return this.target ? this.target.gap(length, off) : false;
  }
}
