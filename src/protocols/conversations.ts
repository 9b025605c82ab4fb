import type { RawPacket } from '../capture/types.js';
import type { DecodedPacket, TcpSegment } from '../decode/types.js';
import { TCP_ACK, TCP_RST, TCP_SYN } from '../decode/types.js';
import { CommonFrame } from '../decode/common-frame.js';
import { IPPROTO_UDP } from '../decode/protocols.js';
import { Defragmenter } from '../decode/defrag.js';
import { TcpSegmentView } from '../decode/headers.js';
import { PacketDecoder } from '../decode/packet.js';
import { isSupportedLinkType } from '../decode/link.js';
import type { AnomalyRecord, ConnectionRecord, DnsTransactionRecord } from '../report/schema.js';
import { AnomalySink } from '../flow/anomalies.js';
import type { TcpConnection } from '../flow/connection.js';
import { formatEndpoint as endpointText, formatEndpointAt, formatIpEndpoint } from '../decode/address.js';
import { BufferBudget, type StreamSink } from '../flow/reassembly.js';
import { ConnectionTable } from '../flow/table.js';
import { parseDnsMessage, type DnsMessage } from './dns.js';
import { DnsTcpStream } from './dns-tcp.js';
import { DnsTransactions } from './dns-transactions.js';
import { HttpSession, looksLikeHttpRequest } from './http.js';
import { looksLikeTls, TlsSession, type TlsCarrier } from './tls.js';
import { SNIFF_BYTES, clearlyNotTlsOrHttp, concatBytes, startsWithAscii } from './sniff.js';

/** Counts over the whole capture, in the terms tshark's filters use (see docs/protocols.md). */
export interface ConversationStats {
  /** Unicast DNS (port 53) messages, UDP and TCP. */
  dns: { queries: number; responses: number };
  /** Multicast DNS (UDP 5353) and LLMNR (UDP 5355) messages: counted, kept out of `dns`. */
  mdns: { queries: number; responses: number };
  llmnr: { queries: number; responses: number };
  /** Frames with SYN and not ACK, with SYN and ACK, with RST. */
  tcp: { syn: number; synAck: number; rst: number; retransmits: number };
  tls: { clientHellos: number; serverHellos: number };
  http: { requests: number; responses: number };
  /** Packets of a link type gomod-trace does not decode, by interface id. */
  undecoded: Map<number, number>;
}

export interface Conversations {
  /** Epoch seconds every time in the records is relative to; null when no packet was added. */
  t0: number | null;
  dns: DnsTransactionRecord[];
  connections: ConnectionRecord[];
  anomalies: AnomalyRecord[];
  packets: number;
  /** Time of the latest packet (seconds since t0). */
  end: number | null;
  stats: ConversationStats;
}

const DNS_PORT = 53;
const MDNS_PORT = 5353;
const LLMNR_PORT = 5355;

/** Per-connection application state (which parser owns the streams): a connection's Sniffer. */
interface App {
  readonly tls: TlsSession | null;
  readonly http: HttpSession | null;
}

/**
 * Rebuilds DNS transactions and TCP connections (with TLS, HTTP and proxy CONNECT on top) from
 * decoded packets. Feed every packet in capture order with `add`, then call `finish` once.
 * The per-packet path builds no strings and copies no payload it will not parse.
 */
export class ConversationBuilder {
  private t0: number | null;
  /** Latest packet time so far (a plain number field: set per packet without boxing; -Infinity before any). */
  private end = -Infinity;
  private packets = 0;
  private readonly anomalies = new AnomalySink();
  private readonly dnsTxns: DnsTransactions;
  private readonly apps = new Map<TcpConnection, App>();
  private readonly table: ConnectionTable;
  private readonly stats: ConversationStats = {
    dns: { queries: 0, responses: 0 },
    mdns: { queries: 0, responses: 0 },
    llmnr: { queries: 0, responses: 0 },
    tcp: { syn: 0, synAck: 0, rst: 0, retransmits: 0 },
    tls: { clientHellos: 0, serverHellos: 0 },
    http: { requests: 0, responses: 0 },
    undecoded: new Map(),
  };
  private finished: Conversations | null = null;
  /** Out-of-order bytes held by all streams together: 64 MiB. */
  private readonly budget = new BufferBudget();

  private readonly maxConnections: number;

  // addRaw's own decoding: the full decoder with IP reassembly, and the fast lane.
  private readonly decoder = new PacketDecoder();
  private readonly defrag = new Defragmenter();
  private readonly frame = new CommonFrame();
  private readonly segment = TcpSegmentView.empty();

  /**
   * `maxConnections` and `maxDnsTransactions` bound memory on hostile captures; past them new
   * connections / transactions are counted as anomalies (TCP_connection_limit, DNS_transaction_limit)
   * and not tracked.
   */
  constructor(opts: { t0?: number; maxConnections?: number; maxDnsTransactions?: number } = {}) {
    this.t0 = opts.t0 ?? null;
    this.maxConnections = opts.maxConnections ?? 50_000;
    this.table = new ConnectionTable((conn) => this.setUp(conn), this.maxConnections);
    this.dnsTxns = new DnsTransactions(opts.maxDnsTransactions ?? 50_000, (t, frame) =>
      this.anomalies.add('DNS_transaction_limit', t, frame, 'too many DNS transactions: this one is not tracked'));
  }

  /**
   * Decode a packet straight from a capture reader and add it: what the analysis does with every
   * packet. IP fragments are put back together first (large DNS answers often arrive fragmented).
   * A packet of the common shape (decode/common-frame.ts) takes a fast lane, skipping the full
   * decoder: a TCP segment straight to the connection table, a UDP datagram to DNS (or the mDNS
   * and LLMNR counts). The result is what `add(decoder.decode(raw))` gives. An arrow function:
   * hand it to readCapture as it is.
   */
  readonly addRaw = (raw: RawPacket): void => {
    const f = this.frame;
    if (this.finished === null && this.t0 !== null && f.read(raw)) {
      if (f.protocol === IPPROTO_UDP) {
        this.commonDatagram(f, raw);
        return;
      }
      this.commonSegment(f, raw);
      return;
    }
    const p = this.defrag.push(this.decoder.decode(raw));
    if (p) this.add(p);
  };

  /** addRaw's fast lane for a TCP segment: what add() does with it, from the fields `f` read. */
  private commonSegment(f: CommonFrame, raw: RawPacket): void {
    this.packets++;
    const t = raw.tsSec + raw.tsNsec / 1e9 - this.t0!;
    if (t > this.end) this.end = t;
    const flags = f.flags;
    const n = f.ipVersion === 4 ? 4 : 16;
    const seg = this.segment.reset(f.buffer, f.srcPort, f.dstPort, f.seq, f.ack, flags, f.window, f.headerLength,
      f.optionsStart, f.payloadStart, f.payloadEnd, f.payloadEnd - f.payloadStart);
    if ((flags & (TCP_SYN | TCP_RST)) === 0) {
      // Only a SYN can start a connection (or a new one on a reused 4-tuple): a segment without
      // one is looked up alone first, and the table asked to start one only when it is new.
      this.toConnection(this.table.find(f.buffer, f.addrOffset, n, f.srcPort, f.dstPort) ??
        this.table.lookupAt(f.buffer, f.addrOffset, n, seg, t, raw.frame), seg, t, raw.frame);
      return;
    }
    this.countFlags(flags);
    this.toConnection(this.table.lookupAt(f.buffer, f.addrOffset, n, seg, t, raw.frame), seg, t, raw.frame);
  }

  /** The SYN, SYN-ACK and RST counts of the stats (for both ways in: add and commonSegment). */
  private countFlags(flags: number): void {
    if ((flags & TCP_SYN) !== 0) {
      if ((flags & TCP_ACK) !== 0) this.stats.tcp.synAck++;
      else this.stats.tcp.syn++;
    }
    if ((flags & TCP_RST) !== 0) this.stats.tcp.rst++;
  }

  /** A segment to the connection the table gave it, or the anomaly when the table was full. */
  private toConnection(conn: TcpConnection | null, seg: TcpSegment, t: number, frame: number): void {
    if (conn !== null) conn.add(seg, this.table.dir, t, frame);
    else this.anomalies.add('TCP_connection_limit', t, frame, `more than ${this.maxConnections} TCP connections: this one is not tracked`);
  }

  /** addRaw's fast lane for a UDP datagram: what add() does with it, from the fields `f` read. */
  private commonDatagram(f: CommonFrame, raw: RawPacket): void {
    this.packets++;
    const t = raw.tsSec + raw.tsNsec / 1e9 - this.t0!;
    if (t > this.end) this.end = t;
    const sp = f.srcPort;
    const dp = f.dstPort;
    if (sp === DNS_PORT || dp === DNS_PORT) {
      // Whole and not a fragment: never cut short by the capture.
      const msg = this.parseDns(f.buffer.subarray(f.payloadStart, f.payloadEnd), false, t, raw.frame);
      if (msg === null) return;
      const n = f.ipVersion === 4 ? 4 : 16;
      this.dnsMessage(msg, formatEndpointAt(f.buffer, f.addrOffset, n, sp), formatEndpointAt(f.buffer, f.addrOffset + n, n, dp), 'udp', t, raw.frame);
    } else if (sp === MDNS_PORT || dp === MDNS_PORT) this.countLocal(this.stats.mdns, f.buffer.subarray(f.payloadStart, f.payloadEnd));
    else if (sp === LLMNR_PORT || dp === LLMNR_PORT) this.countLocal(this.stats.llmnr, f.buffer.subarray(f.payloadStart, f.payloadEnd));
  }

  add(p: DecodedPacket): void {
    if (this.finished) throw new Error('ConversationBuilder.add called after finish');
    this.packets++;
    if (this.t0 === null) this.t0 = p.t;
    const t = p.t - this.t0;
    if (t > this.end) this.end = t;
    for (let i = 0; i < p.anomalies.length; i++) this.anomalies.add(p.anomalies[i], t, p.frame);
    const ip = p.ip;
    if (ip === null) {
      if (!isSupportedLinkType(p.linkType)) this.stats.undecoded.set(p.interfaceId, (this.stats.undecoded.get(p.interfaceId) ?? 0) + 1);
      return;
    }
    if (p.tcp) {
      const seg = p.tcp;
      this.countFlags(seg.flags);
      this.toConnection(this.table.lookupIp(ip, seg, t, p.frame), seg, t, p.frame);
      return;
    }
    const udp = p.udp;
    if (udp === null) return;
    const sp = udp.srcPort;
    const dp = udp.dstPort;
    if (sp === DNS_PORT || dp === DNS_PORT) this.udpDns(p, t);
    else if (sp === MDNS_PORT || dp === MDNS_PORT) this.countLocal(this.stats.mdns, udp.payload);
    else if (sp === LLMNR_PORT || dp === LLMNR_PORT) this.countLocal(this.stats.llmnr, udp.payload);
  }

  /** The records so far, without ending anything (for a live view while a capture grows). */
  snapshot(): Conversations {
    if (this.finished) return this.finished;
    return this.build(false);
  }

  /** Flush every stream, release the buffers and return the final records. Idempotent. */
  finish(): Conversations {
    if (this.finished) return this.finished;
    this.finished = this.build(true);
    this.apps.clear();
    return this.finished;
  }

  private build(final: boolean): Conversations {
    const end = this.packets > 0 ? this.end : 0;
    const connections: ConnectionRecord[] = [];
    let retransmits = 0;
    for (const conn of this.table.all) {
      if (final) conn.release();
      const app = this.apps.get(conn);
      const tlsSession = app?.tls ?? null;
      const http = app?.http ?? null;
      retransmits += conn.retransmits;
      const tls = tlsSession?.record() ?? null;
      connections.push(conn.toRecord(`C${conn.index + 1}`, end, {
        tls: tls && !final ? { ...tls } : tls,
        http: http ? (final ? http.exchanges : http.exchanges.map((e) => ({ ...e }))) : [],
        proxyConnect: http?.proxyConnect ? (final ? http.proxyConnect : { ...http.proxyConnect }) : null,
      }));
    }
    const stats: ConversationStats = final ? this.stats : structuredClone(this.stats);
    stats.tcp.retransmits = retransmits;
    const dns = this.dnsTxns.finish();
    return {
      t0: this.t0,
      dns: final ? dns : dns.map((d) => ({ ...d, queries: d.queries.slice(), frames: d.frames.slice() })),
      connections,
      anomalies: this.anomalies.finish(),
      packets: this.packets,
      end: this.packets > 0 ? this.end : null,
      stats,
    };
  }

  // ---------------------------------------------------------------- DNS

  private udpDns(p: DecodedPacket, t: number): void {
    const udp = p.udp!;
    const ip = p.ip!;
    const wire = udp.length - 8;
    const cut = udp.payload.length < wire || (ip.fragment !== null && ip.fragment.moreFragments);
    const msg = this.parseDns(udp.payload, cut, t, p.frame);
    if (msg === null) return;
    this.dnsMessage(msg, formatIpEndpoint(ip, 'src', udp.srcPort), formatIpEndpoint(ip, 'dst', udp.dstPort), 'udp', t, p.frame);
  }

  /**
   * A DNS message (a UDP datagram's payload or a TCP-framed message), its anomaly (if any)
   * recorded: one the capture cut short (`cut`: snap length, missing fragments) is truncated, not
   * malformed. Null when not even the header could be read.
   */
  private parseDns(bytes: Uint8Array, cut: boolean, t: number, frame: number): DnsMessage | null {
    const parsed = parseDnsMessage(bytes);
    if (!('id' in parsed)) {
      this.anomalies.add(cut ? 'DNS_cut_short_by_capture' : parsed.anomaly.name, t, frame, parsed.anomaly.detail);
      return null;
    }
    if (parsed.anomaly) this.anomalies.add(cut ? 'DNS_cut_short_by_capture' : parsed.anomaly.name, t, frame, parsed.anomaly.detail);
    return parsed;
  }

  private dnsMessage(msg: DnsMessage, src: string, dst: string, transport: 'udp' | 'tcp', t: number, frame: number): void {
    if (msg.response) {
      this.stats.dns.responses++;
      this.dnsTxns.response(msg, dst, src, transport, t, frame);
    } else {
      this.stats.dns.queries++;
      this.dnsTxns.query(msg, src, dst, transport, t, frame);
    }
  }

  private countLocal(c: { queries: number; responses: number }, payload: Uint8Array): void {
    if (payload.length < 12) return;
    if (payload[2] & 0x80) c.responses++;
    else c.queries++;
  }

  // ---------------------------------------------------------------- TCP applications

  private setUp(conn: TcpConnection): void {
    if (conn.serverPort === DNS_PORT || conn.clientPort === DNS_PORT) {
      const client = endpointText(conn.clientIp, conn.clientPort);
      const server = endpointText(conn.serverIp, conn.serverPort);
      const onMessage = (fromClient: boolean) => (bytes: Uint8Array, t: number, frame: number) => {
        // A length-prefixed message reassembled whole: not cut short by the capture.
        const parsed = this.parseDns(bytes, false, t, frame);
        if (parsed === null) return;
        if (fromClient) this.dnsMessage(parsed, client, server, 'tcp', t, frame);
        else this.dnsMessage(parsed, server, client, 'tcp', t, frame);
      };
      conn.attach(new DnsTcpStream(onMessage(true)), new DnsTcpStream(onMessage(false)), this.budget);
      return;
    }
    const sniffer = new Sniffer(this, conn);
    this.apps.set(conn, sniffer);
    conn.attach(sniffer.client, sniffer.server, this.budget);
  }

  /** @internal used by Sniffer: a TLS session on `sniffer`'s connection (or in its CONNECT tunnel). */
  newTls(sniffer: Sniffer): TlsSession {
    return new TlsSession(this.anomalies, this.stats.tls, sniffer);
  }

  /** @internal used by Sniffer */
  newHttp(): HttpSession {
    return new HttpSession(this.anomalies, this.stats.http);
  }
}

/**
 * Decides a connection's protocol from the first bytes of each direction (TLS record, HTTP
 * request, HTTP response) and then forwards to that parser. Unknown protocols stop reassembly.
 * It is also the connection's application state (App: the parsers it started) and what a TLS
 * session is told about the connection (TlsCarrier): one object per connection for all three.
 */
class Sniffer implements App, TlsCarrier {
  readonly client: StreamSink = new SnifferSide(this, true);
  readonly server: StreamSink = new SnifferSide(this, false);
  tls: TlsSession | null = null;
  http: HttpSession | null = null;
  /** @internal read by SnifferSide: the parser's sinks once decided (null: none, or not yet). */
  targetClient: StreamSink | null = null;
  targetServer: StreamSink | null = null;
  private decided = false;
  /** First bytes of each direction, held until there are enough to decide. */
  private headClient = EMPTY;
  private headServer = EMPTY;

  constructor(private readonly b: ConversationBuilder, private readonly conn: TcpConnection) {}

  // ---- TlsCarrier: request/response waits are measured from the handshake's end, or from where
  // its records were lost.

  tlsEstablished(): void {
    this.conn.waits.enabled = true;
  }

  tlsLost(): void {
    this.conn.waits.enabled = true;
  }

  tlsBytes(_fromClient: boolean, control: boolean): void {
    this.conn.waits.mark(control);
  }

  get handshakeRtt(): number | null {
    return this.conn.handshakeRtt;
  }

  private startTls(): TlsSession {
    const tls = this.b.newTls(this);
    this.tls = tls;
    return tls;
  }

  private startHttp(): HttpSession {
    const http = this.b.newHttp();
    http.onFirstRequest = () => {
      if (!this.tls) this.conn.waits.enabled = true;
    };
    http.onTunnel = () => {
      const tls = this.startTls();
      return { client: tls.client, server: tls.server };
    };
    this.http = http;
    return http;
  }

  private target(fromClient: boolean): StreamSink | null {
    return fromClient ? this.targetClient : this.targetServer;
  }

  /** @internal used by SnifferSide */
  data(fromClient: boolean, bytes: Uint8Array, t: number, frame: number): boolean {
    if (!this.decided) {
      // Decide on the first SNIFF_BYTES of a direction (a segment can hold a single byte).
      const held = fromClient ? this.headClient : this.headServer;
      const all = held.length > 0 ? concatBytes(held, bytes) : bytes;
      if (all.length < SNIFF_BYTES && !clearlyNotTlsOrHttp(all)) {
        if (fromClient) this.headClient = all.slice();
        else this.headServer = all.slice();
        return true;
      }
      if (fromClient) this.headClient = EMPTY;
      else this.headServer = EMPTY;
      if (!fromClient && !looksLikeTls(all) && !startsWithAscii(all, 'HTTP/1.')) {
        // Server speaks first with something else (a banner): wait for the client's first bytes.
        return true;
      }
      this.decided = true;
      let parser: { client: StreamSink; server: StreamSink } | null = null;
      if (looksLikeTls(all)) parser = this.startTls();
      else if (fromClient && looksLikeHttpRequest(all)) parser = this.startHttp();
      // Capture began after the request: the responses still parse (without a request each).
      else if (!fromClient && startsWithAscii(all, 'HTTP/1.')) parser = this.startHttp();
      if (parser === null) return false;
      this.targetClient = parser.client;
      this.targetServer = parser.server;
      // Bytes the other direction held while undecided go first (a server that spoke first).
      const other = fromClient ? this.headServer : this.headClient;
      if (other.length > 0) {
        this.headClient = this.headServer = EMPTY;
        (fromClient ? parser.server : parser.client).data(other, t, frame);
      }
      return (fromClient ? parser.client : parser.server).data(all, t, frame);
    }
    const target = this.target(fromClient);
    if (target === null) return false;
    return target.data(bytes, t, frame);
  }

  /** @internal used by SnifferSide */
  gap(fromClient: boolean, length: number, t: number, frame: number): boolean {
    if (!this.decided) {
      // A hole before the protocol is known: the start of the stream is lost, give up on it.
      this.decided = true;
      this.headClient = this.headServer = EMPTY;
      return false;
    }
    const target = this.target(fromClient);
    if (target === null) return false;
    return target.gap(length, t, frame);
  }
}

/**
 * One direction of a Sniffer as a stream sink. (A small class rather than closures: one is made per
 * direction of every connection, mostly by code V8 has not optimised, where closures cost more.)
 */
class SnifferSide implements StreamSink {
  constructor(private readonly sniffer: Sniffer, private readonly fromClient: boolean) {}

  data(bytes: Uint8Array, t: number, frame: number): boolean {
    return this.sniffer.data(this.fromClient, bytes, t, frame);
  }

  gap(length: number, t: number, frame: number): boolean {
    return this.sniffer.gap(this.fromClient, length, t, frame);
  }

  end(t: number): void {
    const target = this.fromClient ? this.sniffer.targetClient : this.sniffer.targetServer;
    if (target !== null) target.end?.(t);
  }
}

const EMPTY = new Uint8Array(0);

