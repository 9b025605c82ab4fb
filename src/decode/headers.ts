/**
 * The decoded header objects. Byte fields (addresses, payloads) are views made on first access
 * and kept: most packets never have their addresses or payload looked at as bytes, and creating
 * typed-array views is the decoder's main cost (measured: ~30% of decode time went to the garbage
 * collector with eager views). The views still share the capture reader's buffer: valid only
 * during the packet callback. A PacketDecoder goes further and reuses the header objects
 * themselves (gopacket's DecodingLayerParser idea): measured, 6 % less wall time for the whole
 * reconstruction.
 */
import type { IpHeader, TcpOptions, TcpSegment, UdpDatagram } from './types.js';
import { decodeTcpOptions } from './tcp-options.js';

/**
 * Header views reused from packet to packet by a PacketDecoder (packet.ts); `decodePacket` makes
 * new ones. Either way they are valid only while the packet is being handled.
 */
const NO_BYTES = new Uint8Array(0);

export interface DecodeSlots {
  ip4: IpHeaderView;
  ip6: IpHeaderView;
  tcp: TcpSegmentView;
  udp: UdpDatagramView;
}

export class IpHeaderView implements IpHeader {
  readonly version: 4 | 6 = 4;
  protocol = 0;
  ttl = 0;
  id = 0;
  fragment: IpHeader['fragment'] = null;
  headerLength = 0;
  payloadLength = 0;
  #d: Uint8Array = NO_BYTES;
  #addr = 0;
  #payloadStart = 0;
  #payloadEnd = 0;
  #src: Uint8Array | null = null;
  #dst: Uint8Array | null = null;
  #payload: Uint8Array | null = null;

  constructor(
    d: Uint8Array, version: 4 | 6, addrOffset: number, protocol: number, ttl: number, id: number,
    fragment: IpHeader['fragment'], headerLength: number, payloadStart: number, payloadEnd: number, payloadLength: number,
  ) {
    this.reset(d, version, addrOffset, protocol, ttl, id, fragment, headerLength, payloadStart, payloadEnd, payloadLength);
  }

  /** A view of nothing, to `reset` onto a header. */
  static empty(): IpHeaderView {
    return new IpHeaderView(NO_BYTES, 4, 0, 0, 0, 0, null, 0, 0, 0, 0);
  }

  /** Make this view describe another header (PacketDecoder reuses one view per packet). */
  reset(
    d: Uint8Array, version: 4 | 6, addrOffset: number, protocol: number, ttl: number, id: number,
    fragment: IpHeader['fragment'], headerLength: number, payloadStart: number, payloadEnd: number, payloadLength: number,
  ): this {
    (this as { version: 4 | 6 }).version = version;
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
    this.#src = null;
    this.#dst = null;
    this.#payload = null;
    return this;
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
  srcPort = 0;
  dstPort = 0;
  seq = 0;
  ack = 0;
  flags = 0;
  window = 0;
  headerLength = 0;
  payloadLength = 0;
  #d: Uint8Array = NO_BYTES;
  #start = 0;
  #end = 0;
  #optionsStart = 0;
  #payload: Uint8Array | null = null;
  #options: TcpOptions | null = null;

  constructor(
    d: Uint8Array, srcPort: number, dstPort: number, seq: number, ack: number, flags: number, window: number,
    headerLength: number, optionsStart: number, payloadStart: number, payloadEnd: number, payloadLength: number,
  ) {
    this.reset(d, srcPort, dstPort, seq, ack, flags, window, headerLength, optionsStart, payloadStart, payloadEnd, payloadLength);
  }

  /** A view of nothing, to `reset` onto a segment. */
  static empty(): TcpSegmentView {
    return new TcpSegmentView(NO_BYTES, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  }

  /** Make this view describe another segment (PacketDecoder reuses one view per packet). */
  reset(
    d: Uint8Array, srcPort: number, dstPort: number, seq: number, ack: number, flags: number, window: number,
    headerLength: number, optionsStart: number, payloadStart: number, payloadEnd: number, payloadLength: number,
  ): this {
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
    this.#payload = null;
    this.#options = null;
    return this;
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
  srcPort = 0;
  dstPort = 0;
  length = 0;
  #d: Uint8Array = NO_BYTES;
  #start = 0;
  #end = 0;
  #payload: Uint8Array | null = null;

  constructor(d: Uint8Array, srcPort: number, dstPort: number, length: number, payloadStart: number, payloadEnd: number) {
    this.reset(d, srcPort, dstPort, length, payloadStart, payloadEnd);
  }

  /** A view of nothing, to `reset` onto a datagram. */
  static empty(): UdpDatagramView {
    return new UdpDatagramView(NO_BYTES, 0, 0, 0, 0, 0);
  }

  /** Make this view describe another datagram (PacketDecoder reuses one view per packet). */
  reset(d: Uint8Array, srcPort: number, dstPort: number, length: number, payloadStart: number, payloadEnd: number): this {
    this.srcPort = srcPort;
    this.dstPort = dstPort;
    this.length = length;
    this.#d = d;
    this.#start = payloadStart;
    this.#end = payloadEnd;
    this.#payload = null;
    return this;
  }

  get payload(): Uint8Array {
    return (this.#payload ??= this.#d.subarray(this.#start, this.#end));
  }

  toJSON(): object {
    return { ...this, payload: this.payload.length };
  }
}
