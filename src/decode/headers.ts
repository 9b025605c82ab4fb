/**
 * The decoded header objects. Byte fields (addresses, payloads) are views made on first access
 * and kept: most packets never have their addresses or payload looked at as bytes, and creating
 * typed-array views is the decoder's main cost (measured: ~30% of decode time went to the garbage
 * collector with eager views). The views still share the capture reader's buffer: valid only
 * during the packet callback.
 */
import type { IpHeader, TcpOptions, TcpSegment, UdpDatagram } from './types.js';
import { decodeTcpOptions } from './tcp-options.js';

export class IpHeaderView implements IpHeader {
  readonly version: 4 | 6;
  protocol: number;
  ttl: number;
  id: number;
  fragment: IpHeader['fragment'];
  headerLength: number;
  payloadLength: number;
  #d: Uint8Array;
  #addr: number;
  #payloadStart: number;
  #payloadEnd: number;
  #src: Uint8Array | null = null;
  #dst: Uint8Array | null = null;
  #payload: Uint8Array | null = null;

  constructor(
    d: Uint8Array, version: 4 | 6, addrOffset: number, protocol: number, ttl: number, id: number,
    fragment: IpHeader['fragment'], headerLength: number, payloadStart: number, payloadEnd: number, payloadLength: number,
  ) {
    this.version = version;
    this.protocol = protocol;
    this.ttl = ttl;
    this.id = id;
    this.fragment = fragment;
    this.headerLength = headerLength;
    this.payloadLength = payloadLength;
    this.#d = d;
    this.#addr = addrOffset;
    this.#payloadStart = payloadStart;
    this.#payloadEnd = payloadEnd;
  }

  get src(): Uint8Array {
    const n = this.version === 4 ? 4 : 16;
    return (this.#src ??= this.#d.subarray(this.#addr, this.#addr + n));
  }

  get dst(): Uint8Array {
    const n = this.version === 4 ? 4 : 16;
    return (this.#dst ??= this.#d.subarray(this.#addr + n, this.#addr + 2 * n));
  }

  get payload(): Uint8Array {
    return (this.#payload ??= this.#d.subarray(this.#payloadStart, this.#payloadEnd));
  }

  /**
   * The buffer the addresses are in and where the source address starts (the destination follows
   * it): lets the flow table hash and compare addresses without making views per packet.
   */
  get addrBytes(): Uint8Array {
    return this.#d;
  }

  get addrOffset(): number {
    return this.#addr;
  }

  /** Bytes of the IP payload present in the capture, without making a view. */
  get payloadPresent(): number {
    return this.#payloadEnd - this.#payloadStart;
  }

  toJSON(): object {
    return { ...this, src: Array.from(this.src), dst: Array.from(this.dst), payload: this.payload.length };
  }
}

export class TcpSegmentView implements TcpSegment {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number;
  window: number;
  headerLength: number;
  payloadLength: number;
  #d: Uint8Array;
  #start: number;
  #end: number;
  #optionsStart: number;
  #payload: Uint8Array | null = null;
  #options: TcpOptions | null = null;

  constructor(
    d: Uint8Array, srcPort: number, dstPort: number, seq: number, ack: number, flags: number, window: number,
    headerLength: number, optionsStart: number, payloadStart: number, payloadEnd: number, payloadLength: number,
  ) {
    this.srcPort = srcPort;
    this.dstPort = dstPort;
    this.seq = seq;
    this.ack = ack;
    this.flags = flags;
    this.window = window;
    this.headerLength = headerLength;
    this.payloadLength = payloadLength;
    this.#d = d;
    this.#optionsStart = optionsStart;
    this.#start = payloadStart;
    this.#end = payloadEnd;
  }

  get payload(): Uint8Array {
    return (this.#payload ??= this.#d.subarray(this.#start, this.#end));
  }

  /** Decoded on first access (the options end where the payload starts). */
  get options(): TcpOptions {
    return (this.#options ??= decodeTcpOptions(this.#d, this.#optionsStart, this.#start));
  }

  toJSON(): object {
    return { ...this, options: this.options, payload: this.payload.length };
  }
}

export class UdpDatagramView implements UdpDatagram {
  srcPort: number;
  dstPort: number;
  length: number;
  #d: Uint8Array;
  #start: number;
  #end: number;
  #payload: Uint8Array | null = null;

  constructor(d: Uint8Array, srcPort: number, dstPort: number, length: number, payloadStart: number, payloadEnd: number) {
    this.srcPort = srcPort;
    this.dstPort = dstPort;
    this.length = length;
    this.#d = d;
    this.#start = payloadStart;
    this.#end = payloadEnd;
  }

  get payload(): Uint8Array {
    return (this.#payload ??= this.#d.subarray(this.#start, this.#end));
  }

  toJSON(): object {
    return { ...this, payload: this.payload.length };
  }
}
