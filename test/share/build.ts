/**
 * Synthetic captures for the redaction tests (and the analysis tests that need a capture file):
 * Ethernet/IPv4 TCP conversations (handshake, data cut into segments of chosen sizes, FIN), UDP
 * datagrams and silences, written as pcap or pcapng.
 */
import { writePcap, writePcapng, type PacketToWrite } from '../../src/capture/writer.js';
import { ether, ipv4, ipv6, sll2, tcp, udp } from '../capture/fixtures/frames.js';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN } from '../../src/decode/types.js';

export const T0 = 1_764_045_000;

/** Frames: Ethernet + IPv4 (default), or Linux cooked v2 (tcpdump -i any) + IPv6. */
export type Framing = 'ether4' | 'sll2v6';

export function frameFor(framing: Framing, src: string, dst: string, proto: number, payload: Uint8Array): Uint8Array {
  if (framing === 'sll2v6') return sll2(0x86dd, ipv6(v6(src), v6(dst), proto, payload));
  return ether(0x0800, ipv4(src, dst, proto, payload));
}

/** 10.0.0.2 → fd00::a00:2 (a stable IPv6 twin of a test address). */
function v6(a: string): string {
  const [w, x, y, z] = a.split('.').map(Number);
  return `fd00::${((w << 8) | x).toString(16)}:${((y << 8) | z).toString(16)}`;
}

export class CaptureBuilder {
  readonly packets: PacketToWrite[] = [];
  private t = 0;

  constructor(readonly framing: Framing = 'ether4') {}

  push(frame: Uint8Array): void {
    this.t += 0.001;
    const sec = Math.floor(this.t);
    this.packets.push({ tsSec: T0 + sec, tsNsec: Math.round((this.t - sec) * 1e9), data: frame });
  }

  /** Nothing on the wire for `seconds` (each frame is otherwise 1 ms after the one before). */
  idle(seconds: number): void {
    this.t += seconds;
  }

  /** A ready-made frame (e.g. an IP fragment). */
  raw(frame: Uint8Array): void {
    this.push(frame);
  }

  udp(src: string, sport: number, dst: string, dport: number, payload: Uint8Array): void {
    this.push(frameFor(this.framing, src, dst, 17, udp(sport, dport, payload)));
  }

  tcp(client: string, cport: number, server: string, sport: number): TcpStream {
    return new TcpStream((f) => this.push(f), client, cport, server, sport, this.framing);
  }

  pcap(): Uint8Array {
    return writePcap(this.packets, { linkType: this.framing === 'sll2v6' ? 276 : 1, nanoseconds: true });
  }

  pcapng(): Uint8Array {
    return writePcapng([{ interfaces: [{ linkType: this.framing === 'sll2v6' ? 276 : 1, tsresol: 9 }], packets: this.packets }]);
  }
}

export class TcpStream {
  private seq: [number, number] = [1000, 500000];

  constructor(private readonly out: (frame: Uint8Array) => void, private readonly c: string, private readonly cp: number, private readonly s: string, private readonly sp: number, private readonly framing: Framing = 'ether4') {}

  private seg(fromClient: boolean, flags: number, payload?: Uint8Array): void {
    const d = fromClient ? 0 : 1;
    const [src, sport, dst, dport] = fromClient ? [this.c, this.cp, this.s, this.sp] : [this.s, this.sp, this.c, this.cp];
    this.out(frameFor(this.framing, src, dst, 6, tcp(sport, dport, { seq: this.seq[d], ack: this.seq[1 - d], flags, payload })));
    this.seq[d] = (this.seq[d] + (payload?.length ?? 0) + (flags & (TCP_SYN | TCP_FIN) ? 1 : 0)) >>> 0;
  }

  open(): this {
    this.seg(true, TCP_SYN);
    this.seg(false, TCP_SYN | TCP_ACK);
    this.seg(true, TCP_ACK);
    return this;
  }

  /** Send `data` in segments of the given sizes (cycled), each acknowledged. */
  send(fromClient: boolean, data: Uint8Array, sizes: number[] = [1460]): this {
    let i = 0;
    for (let off = 0; off < data.length;) {
      const n = Math.max(1, Math.min(sizes[i++ % sizes.length], data.length - off));
      this.seg(fromClient, TCP_ACK | TCP_PSH, data.subarray(off, off + n));
      this.seg(!fromClient, TCP_ACK);
      off += n;
    }
    return this;
  }

  /** `n` bytes sent that the capture never saw (a hole in the stream). */
  lose(fromClient: boolean, n: number): this {
    const d = fromClient ? 0 : 1;
    this.seq[d] = (this.seq[d] + n) >>> 0;
    return this;
  }

  /** A reset from one side. */
  reset(fromClient: boolean): this {
    this.seg(fromClient, TCP_RST | TCP_ACK);
    return this;
  }

  close(): this {
    this.seg(true, TCP_FIN | TCP_ACK);
    this.seg(false, TCP_FIN | TCP_ACK);
    this.seg(true, TCP_ACK);
    return this;
  }
}
