import type { TlsRecord } from '../report/schema.js';
import type { StreamSink } from '../flow/reassembly.js';
import type { AnomalySink } from '../flow/anomalies.js';
import { HelloError, helloSummary, parseClientHello, parseServerHello } from './tls-hello.js';
import { alertDescription, alertLevel, tlsVersionName } from './tls-names.js';

/** Largest record body allowed (2^14 plus the TLS 1.2 ciphertext expansion allowance). */
const MAX_RECORD = (1 << 14) + 2048;
/** ClientHello / ServerHello bodies are buffered up to this size (a post-quantum hello is ~2 KB, the largest seen ~11 KB). */
const MAX_HELLO = 128 * 1024;

const CT_CCS = 20;
const CT_ALERT = 21;
const CT_HANDSHAKE = 22;
const CT_APPDATA = 23;
const CT_HEARTBEAT = 24;

/** Does a stream start with a TLS record or an SSLv2 ClientHello? Needs at least 3 bytes. */
export function looksLikeTls(b: Uint8Array): boolean {
  if (b.length < 3) return false;
  if (b[0] >= CT_CCS && b[0] <= CT_HEARTBEAT && b[1] === 3 && b[2] <= 4) return true;
  // SSLv2 record header with a 2-byte length, then CLIENT-HELLO (1) or SERVER-HELLO (4)
  return (b[0] & 0x80) !== 0 && (b[2] === 1 || b[2] === 4) && (((b[0] & 0x7f) << 8) | b[1]) >= 9;
}

/**
 * The connection a TLS session runs on, as the session sees it: what it tells the connection
 * (when request/response waits start, what each chunk after the handshake held) and the TCP
 * handshake RTT it reads. One object per connection (ConversationBuilder's Sniffer), not a
 * closure per callback: this is set up once per connection, mostly by code V8 has not optimised.
 */
export interface TlsCarrier {
  /** The handshake is complete (called once). */
  tlsEstablished(t: number): void;
  /**
   * A side's records stopped making sense (longer than TLS allows, not TLS, bytes missing) after
   * the hellos but before the handshake was seen to complete: what follows can only be told apart
   * by the TCP exchange pattern (called once).
   */
  tlsLost(t: number): void;
  /** Per chunk after the handshake: whether it held control records or request/response data. */
  tlsBytes(fromClient: boolean, control: boolean): void;
  /** The TCP connection's handshake RTT, for the session-ticket window. */
  readonly handshakeRtt: number | null;
}

export interface TlsCounters {
  clientHellos: number;
  serverHellos: number;
}

/**
 * One TLS conversation on a TCP connection (or inside a CONNECT tunnel): walks the records of both
 * directions, parses the plaintext ClientHello / ServerHello (across records and segments), notes
 * alerts, ChangeCipherSpec and the first application data, and stops reading once the handshake is
 * over in both directions (the bulk data is only counted by the TCP layer).
 */
export class TlsSession {
  readonly client: StreamSink;
  readonly server: StreamSink;
  private rec: TlsRecord | null = null;
  private tls13 = false;
  /** The ServerHello shows the server's ALPN choice: TLS ≤ 1.2 (TLS 1.3 and its drafts encrypt it). */
  private alpnShown = false;
  private secondClientHello = false;
  private lostTold = false;
  private ticketsSeen = 0;

  constructor(
    private readonly anomalies: AnomalySink,
    private readonly counters: TlsCounters,
    private readonly carrier: TlsCarrier | null = null,
  ) {
    this.client = new TlsDirection(this, true);
    this.server = new TlsDirection(this, false);
  }

  record(): TlsRecord | null {
    return this.rec;
  }

  // ---- events from the directions

  anomaly(name: string, t: number, frame: number, detail: string): void {
    this.anomalies.add(name, t, frame, detail);
  }

  /** A hello parsed, or null with the anomaly `name` when it is malformed (HelloError). */
  private parseOr<T>(parse: (body: Uint8Array) => T, body: Uint8Array, name: string, t: number, frame: number): T | null {
    try {
      return parse(body);
    } catch (err) {
      if (!(err instanceof HelloError)) throw err;
      this.anomaly(name, t, frame, err.message);
      return null;
    }
  }

  clientHello(body: Uint8Array, t: number, frame: number): void {
    this.counters.clientHellos++;
    const ch = this.parseOr(parseClientHello, body, 'TLS_malformed_client_hello', t, frame);
    if (!ch) return;
    if (this.rec) {
      // Second ClientHello (after a HelloRetryRequest): the first one stays in the record.
      if (this.rec.helloRetryRequest !== null) this.secondClientHello = true;
      return;
    }
    const summary = helloSummary(ch);
    this.rec = newRecord(t, frame, summary.clientVersion, summary.supportedVersions, ch.sni, ch.alpn,
      ch.cipherSuites.length, summary.ja3, summary.ja4);
  }

  sslv2ClientHello(version: number, cipherSpecs: number, t: number, frame: number): void {
    this.counters.clientHellos++;
    if (this.rec) return;
    // An SSLv2 hello has no fingerprints: the record leaves them out.
    const { ja3: _ja3, ja4: _ja4, ...rec } = newRecord(t, frame, tlsVersionName(version), [], null, [], cipherSpecs, '', '');
    this.rec = rec;
  }

  serverHello(body: Uint8Array, t: number, frame: number): void {
    this.counters.serverHellos++;
    const sh = this.parseOr(parseServerHello, body, 'TLS_malformed_server_hello', t, frame);
    if (!sh) return;
    const rec = this.rec;
    if (!rec) {
      this.anomaly('TLS_server_hello_without_client_hello', t, frame, 'ServerHello before any ClientHello was seen');
      return;
    }
    if (sh.helloRetryRequest) {
      if (rec.helloRetryRequest === null) rec.helloRetryRequest = t;
      return;
    }
    if (rec.serverHello !== null) return;
    rec.serverHello = t;
    const v = sh.selectedVersion ?? sh.legacyVersion;
    rec.version = tlsVersionName(v);
    rec.alpnChosen = sh.alpn;
    this.tls13 = v === 0x0304 || (v & 0xff00) === 0x7f00;
    this.alpnShown = v <= 0x0303;
  }

  sslv2ServerHello(version: number, t: number): void {
    this.counters.serverHellos++;
    if (this.rec && this.rec.serverHello === null) {
      this.rec.serverHello = t;
      this.rec.version = tlsVersionName(version);
    }
  }

  /** Is a hello still to come from this side after a HelloRetryRequest? */
  helloPending(fromClient: boolean): boolean {
    const rec = this.rec;
    if (!rec || rec.helloRetryRequest === null) return false;
    return fromClient ? !this.secondClientHello : rec.serverHello === null;
  }

  get isTls13(): boolean {
    return this.tls13;
  }

  alert(fromClient: boolean, level: number | null, desc: number | null, t: number): void {
    if (!this.rec || this.rec.alert) return;
    this.rec.alert = {
      t,
      from: fromClient ? 'client' : 'server',
      level: level === null ? null : alertLevel(level),
      description: desc === null ? null : alertDescription(desc),
    };
  }

  changeCipherSpec(fromClient: boolean, t: number): void {
    if (!this.rec) return;
    const k = fromClient ? 'client' : 'server';
    if (this.rec.changeCipherSpec[k] === null) this.rec.changeCipherSpec[k] = t;
  }

  /**
   * An application-data record of `length` bytes from one side. Returns true when the record is
   * taken as control rather than request or response data (docs/tcp-analysis.md, "Waits"):
   *  - TLS 1.3, before the client's Finished: the server's encrypted handshake;
   *  - TLS 1.3, the server's first two records after the client's Finished when they come within
   *    1.5 handshake RTTs + 30 ms of it: NewSessionTickets;
   *  - server records of at most 64 bytes of plaintext when HTTP/2 is possible (h2Possible):
   *    SETTINGS, SETTINGS ACK, WINDOW_UPDATE, PING (alone or a few together), an encrypted alert;
   *  - client records after its first of at most 17 bytes of plaintext: SETTINGS ACK,
   *    WINDOW_UPDATE, PING, an alert. No request is that small.
   */
  appData(fromClient: boolean, t: number, length: number): boolean {
    const rec = this.rec;
    if (!rec) return false;
    // Plaintext estimate: TLS 1.3 adds a 16-byte tag and the inner content type; TLS 1.2 AEAD an
    // 8-byte explicit nonce and the tag.
    const plain = length - (this.tls13 ? 17 : 24);
    if (fromClient) {
      const first = rec.firstAppData.client === null;
      if (first) rec.firstAppData.client = t;
      // TLS 1.3: the client's first encrypted record carries its Finished; the handshake is done.
      if (this.tls13 || rec.serverHello !== null) this.establish(t);
      return !first && plain <= 17;
    }
    if (this.tls13) {
      // Before the client's Finished, server application data is its encrypted handshake.
      if (rec.firstAppData.client === null) return true;
      const window = 1.5 * (this.carrier?.handshakeRtt ?? 0) + 0.03;
      if (this.ticketsSeen < 2 && rec.firstAppData.server === null && t - rec.firstAppData.client <= window) {
        this.ticketsSeen++;
        return true;
      }
    }
    if (plain <= 64 && this.h2Possible()) return true;
    if (rec.firstAppData.server === null) {
      rec.firstAppData.server = t;
      if (!this.tls13) this.establish(t);
    }
    return false;
  }

  /**
   * Can the connection speak HTTP/2? The client offered h2, and the server chose it where the
   * ServerHello shows its choice (alpnShown; an unseen ServerHello shows nothing). Other protocols
   * answer in small records too (a chat server's 29-byte replies).
   */
  private h2Possible(): boolean {
    const rec = this.rec;
    if (!rec || !rec.alpn.includes('h2')) return false;
    return !this.alpnShown || rec.alpnChosen === 'h2';
  }

  /** TLS ≤ 1.2: an encrypted handshake record (Finished) after ChangeCipherSpec. */
  finished(t: number): void {
    const rec = this.rec;
    if (!rec || this.tls13) return;
    if (rec.changeCipherSpec.client !== null && rec.changeCipherSpec.server !== null) this.establish(t);
  }

  private establish(t: number): void {
    const rec = this.rec;
    if (!rec || rec.established !== null) return;
    rec.established = t;
    this.carrier?.tlsEstablished(t);
  }

  /** What a direction's chunk after the handshake held (TlsCarrier.tlsBytes). */
  bytes(fromClient: boolean, control: boolean): void {
    this.carrier?.tlsBytes(fromClient, control);
  }

  /** A direction gave up on its records (see TlsCarrier.tlsLost). */
  lost(t: number): void {
    const rec = this.rec;
    if (this.lostTold || !rec || rec.serverHello === null || rec.established !== null) return;
    this.lostTold = true;
    this.carrier?.tlsLost(t);
  }

  /** Both directions past the handshake: nothing more to read. */
  done(): boolean {
    const rec = this.rec;
    return rec !== null && rec.established !== null && rec.firstAppData.client !== null && rec.firstAppData.server !== null;
  }
}

const enum State { Header, Body, Stopped }

/** One direction's record and handshake-message reader. */
class TlsDirection implements StreamSink {
  private state = State.Header;
  /**
   * The record header gathered so far, across segments: its first three bytes (type, version) and
   * its last two (length), as small integers. Numbers, not a buffer: no object per direction
   * (docs/performance.md, session 11).
   */
  private hdrHead = 0;
  private hdrLength = 0;
  private hdrFill = 0;
  private recType = 0;
  private recVersion = 0;
  private recLeft = 0;
  private first = true;
  /** Handshake messages are plaintext until this side's ChangeCipherSpec (or TLS 1.3 ServerHello). */
  private plaintext = true;
  // handshake message reassembly
  /** The handshake message header gathered so far: its type byte, its 3-byte length. */
  private hsHdrType = 0;
  private hsHdrLength = 0;
  private hsHdrFill = 0;
  private hsType = -1;
  private hsLeft = 0;
  private hsBody: Uint8Array | null = null;
  private hsFill = 0;
  /** The current alert record's level and description bytes, as far as read (alertFill). */
  private alertLevel = 0;
  private alertDescription = 0;
  private alertFill = 0;
  /** The current record is control (session ticket / encrypted handshake), not data. */
  private recControl = false;
  private sawControl = false;
  private sawData = false;

  constructor(private readonly s: TlsSession, private readonly fromClient: boolean) {}

  gap(length: number, t: number, frame: number): boolean {
    if (this.state === State.Body && length <= this.recLeft) {
      this.recLeft -= length;
      if (this.recType === CT_HANDSHAKE && this.plaintext) {
        this.s.anomaly('TLS_handshake_gap', t, frame, `${length} bytes of a handshake record missing from the capture`);
        this.plaintext = false;
      }
      if (this.recLeft === 0) this.endRecord(t);
      return true;
    }
    this.giveUp(t);
    return false;
  }

  data(b: Uint8Array, t: number, frame: number): boolean {
    if (this.state === State.Stopped) return false;
    this.sawControl = false;
    this.sawData = false;
    const ok = this.read(b, t, frame);
    if (this.sawControl) this.s.bytes(this.fromClient, true);
    if (this.sawData) this.s.bytes(this.fromClient, false);
    return ok;
  }

  private read(b: Uint8Array, t: number, frame: number): boolean {
    if (this.first) {
      this.first = false;
      if (b.length >= 3 && (b[0] & 0x80) !== 0 && (b[2] === 1 || b[2] === 4)) {
        this.sslv2(b, t, frame);
        this.stop();
        return false;
      }
    }
    let pos = 0;
    while (pos < b.length) {
      if (this.state === State.Header) {
        const n = Math.min(5 - this.hdrFill, b.length - pos);
        for (let k = 0; k < n; k++) {
          if (this.hdrFill + k < 3) this.hdrHead = (this.hdrHead << 8) | b[pos + k];
          else this.hdrLength = (this.hdrLength << 8) | b[pos + k];
        }
        this.hdrFill += n;
        pos += n;
        if (this.hdrFill < 5) break;
        this.hdrFill = 0;
        this.recType = this.hdrHead >> 16;
        this.recVersion = this.hdrHead & 0xffff;
        this.recLeft = this.hdrLength;
        this.hdrHead = this.hdrLength = 0;
        if (this.recType < CT_CCS || this.recType > CT_HEARTBEAT || this.recVersion >> 8 !== 3) {
          this.s.anomaly('TLS_bad_record_header', t, frame,
            `record type ${this.recType} version 0x${this.recVersion.toString(16)} is not TLS; stopped reading this direction`);
          this.giveUp(t);
          return false;
        }
        if (this.recLeft > MAX_RECORD) {
          this.s.anomaly('TLS_record_too_long', t, frame, `record length ${this.recLeft} exceeds ${MAX_RECORD}`);
          this.giveUp(t);
          return false;
        }
        this.startRecord(t);
        this.state = State.Body;
        if (this.recLeft === 0) this.endRecord(t);
        continue;
      }
      // Body
      const n = Math.min(this.recLeft, b.length - pos);
      if (n > 0 && this.recType === CT_APPDATA) {
        if (this.recControl) this.sawControl = true;
        else this.sawData = true;
      }
      if (this.recType === CT_HANDSHAKE && this.plaintext) this.handshakeBytes(b.subarray(pos, pos + n), t, frame);
      else if (this.recType === CT_ALERT) {
        for (let i = 0; i < n && this.alertFill < 2; i++) {
          if (this.alertFill++ === 0) this.alertLevel = b[pos + i];
          else this.alertDescription = b[pos + i];
        }
      }
      pos += n;
      this.recLeft -= n;
      if (this.recLeft === 0) this.endRecord(t);
      if (this.s.done()) {
        this.stop();
        return false;
      }
    }
    return (this.state as State) !== State.Stopped;
  }

  private startRecord(t: number): void {
    this.alertFill = 0;
    this.recControl = false;
    if (this.recType === CT_APPDATA) {
      this.recControl = this.s.appData(this.fromClient, t, this.recLeft);
      if (this.recControl) this.sawControl = true;
      else this.sawData = true;
    }
    else if (this.recType === CT_CCS) {
      this.s.changeCipherSpec(this.fromClient, t);
    } else if (this.recType === CT_HANDSHAKE && !this.plaintext) this.s.finished(t);
  }

  private endRecord(t: number): void {
    this.state = State.Header;
    if (this.recType === CT_ALERT) {
      const plain = this.plaintext && this.alertFill === 2;
      this.s.alert(this.fromClient, plain ? this.alertLevel : null, plain ? this.alertDescription : null, t);
    } else if (this.recType === CT_CCS) {
      // After ChangeCipherSpec the handshake is encrypted — except TLS 1.3's middlebox-compatibility
      // CCS, which can come between a HelloRetryRequest and the real hellos.
      if (!this.s.helloPending(this.fromClient)) this.plaintext = false;
    }
  }

  private handshakeBytes(b: Uint8Array, t: number, frame: number): void {
    let pos = 0;
    while (pos < b.length && this.plaintext) {
      if (this.hsType < 0) {
        const n = Math.min(4 - this.hsHdrFill, b.length - pos);
        for (let k = 0; k < n; k++) {
          if (this.hsHdrFill + k === 0) this.hsHdrType = b[pos + k];
          else this.hsHdrLength = (this.hsHdrLength << 8) | b[pos + k];
        }
        this.hsHdrFill += n;
        pos += n;
        if (this.hsHdrFill < 4) return;
        this.hsHdrFill = 0;
        this.hsType = this.hsHdrType;
        this.hsLeft = this.hsHdrLength;
        this.hsHdrLength = 0;
        const wanted = (this.hsType === 1 && this.fromClient) || (this.hsType === 2 && !this.fromClient);
        if (wanted) {
          if (this.hsLeft > MAX_HELLO) {
            this.s.anomaly('TLS_hello_too_long', t, frame, `hello of ${this.hsLeft} bytes exceeds ${MAX_HELLO}`);
            this.plaintext = false;
            return;
          }
          if (pos + this.hsLeft <= b.length) {
            // The whole hello is here (the usual case): parse it where it lies, without a copy.
            this.hsBody = b.subarray(pos, pos + this.hsLeft);
            pos += this.hsLeft;
            this.hsLeft = 0;
            this.endMessage(t, frame);
            continue;
          }
          this.hsBody = new Uint8Array(this.hsLeft);
          this.hsFill = 0;
        } else this.hsBody = null;
        if (this.hsLeft === 0) this.endMessage(t, frame);
        continue;
      }
      const n = Math.min(this.hsLeft, b.length - pos);
      if (this.hsBody) this.hsBody.set(b.subarray(pos, pos + n), this.hsFill);
      this.hsFill += n;
      this.hsLeft -= n;
      pos += n;
      if (this.hsLeft === 0) this.endMessage(t, frame);
    }
  }

  private endMessage(t: number, frame: number): void {
    const type = this.hsType;
    const body = this.hsBody;
    this.hsType = -1;
    this.hsBody = null;
    if (!body) return;
    if (type === 1) this.s.clientHello(body, t, frame);
    else if (type === 2) {
      this.s.serverHello(body, t, frame);
      // TLS 1.3: everything after the ServerHello is encrypted.
      if (this.s.isTls13) this.plaintext = false;
    }
  }

  private sslv2(b: Uint8Array, t: number, frame: number): void {
    // [len:2][type:1][version:2] then for CLIENT-HELLO: cipher_specs_len:2 session_id_len:2 challenge_len:2
    if (b.length < 5) return;
    const version = (b[3] << 8) | b[4];
    if (b[2] === 1 && this.fromClient) {
      const specs = b.length >= 7 ? ((b[5] << 8) | b[6]) / 3 : 0;
      this.s.sslv2ClientHello(version, Math.floor(specs), t, frame);
    } else if (b[2] === 4 && !this.fromClient) {
      // SERVER-HELLO: [session_id_hit:1][certificate_type:1][version:2]
      const v = b.length >= 7 ? (b[5] << 8) | b[6] : version;
      this.s.sslv2ServerHello(v, t);
    }
  }

  private stop(): void {
    this.state = State.Stopped;
    this.hsBody = null;
  }

  /** Records that stop making sense: stop reading this direction, and tell the session (lost). */
  private giveUp(t: number): void {
    this.s.lost(t);
    this.stop();
  }
}

/**
 * A connection's TLS record at its (first) ClientHello: the hello's fields, nothing after it yet.
 * (Written out field by field rather than spread from an object: this runs once per connection,
 * mostly in V8's baseline tier, where spreading is slow.)
 */
function newRecord(
  t: number, frame: number, clientVersion: string, supportedVersions: string[], sni: string | null, alpn: string[],
  cipherSuites: number, ja3: string, ja4: string,
): TlsRecord {
  // The two nested objects are made apart from the literal, which V8's baseline code then copies
  // by a fast builtin instead of a runtime walk of its boilerplate.
  const changeCipherSpec = { client: null, server: null };
  const firstAppData = { client: null, server: null };
  return {
    clientHello: t,
    clientVersion,
    supportedVersions,
    sni,
    alpn,
    cipherSuites,
    ja3,
    ja4,
    helloRetryRequest: null,
    serverHello: null,
    version: null,
    alpnChosen: null,
    alert: null,
    changeCipherSpec,
    firstAppData,
    established: null,
    clientHelloFrame: frame,
  };
}
