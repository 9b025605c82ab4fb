/**
 * Hand-built report fragments in the shapes the protocol reconstruction and the strace / go-log
 * loaders produce, one factory per kind of stall. Times are seconds since t0.
 */
import type {
  ConnectionRecord, DnsTransactionRecord, FetchRecord, GoroutineSummary, HttpExchangeRecord,
  ProcessRecord, Report, SyscallRecord, TlsRecord,
} from '../../src/report/schema.js';
import type { VerdictInput } from '../../src/timeline/verdict.js';

let uidCounter = 0;
let portCounter = 40000;

export function resetIds(): void { uidCounter = 0; portCounter = 40000; }

export function dnsTx(o: Partial<DnsTransactionRecord> & { name: string; at: number; latency?: number | null; addrs?: string[] }): DnsTransactionRecord {
  const latency = o.latency === undefined ? 0.004 : o.latency;
  const response = latency === null ? null : o.at + latency;
  const answered = response !== null;
  return {
    name: o.name, type: o.type ?? 'A', client: o.client ?? '127.0.0.1:5' + String(portCounter++).slice(1),
    server: o.server ?? '127.0.0.53:53', transport: 'udp', id: o.id ?? 4242,
    queries: o.queries ?? [o.at], response, rcode: answered ? o.rcode ?? 'NOERROR' : null, truncated: false,
    answers: answered ? o.addrs ?? (o.type === 'AAAA' ? [] : ['10.1.2.3']) : [], cnames: [], edns: false,
    frames: o.frames ?? (answered ? [1, 2] : [1]),
  };
}

export interface ConnOpts {
  client?: string;
  server?: string;
  at?: number;
  /** SYN-ACK delay; null = none came. */
  synAck?: number | null;
  synRetries?: number;
  refused?: boolean;
  sni?: string | null;
  /** ClientHello after establishment; null = no TLS. */
  tls?: 'ok' | 'no-server-hello' | 'reset' | 'alert' | null;
  waits?: Array<{ after: number; seconds: number | null; bytes?: number }>;
  http?: Array<Partial<HttpExchangeRecord> & { after: number; ttfb: number | null; body?: number | null }>;
  proxyConnect?: { target: string; after?: number; status: number | null; latency?: number };
  serverBytes?: number;
  /** Server payload continues until this time (trickle). */
  serverDataUntil?: number;
  end?: number;
  closedAt?: number | null;
  resetBy?: { t: number; by: 'client' | 'server' } | null;
  retransmits?: number;
}

export function conn(o: ConnOpts = {}): ConnectionRecord {
  const at = o.at ?? 0;
  const server = o.server ?? '10.1.2.3:443';
  const client = o.client ?? `10.0.0.2:${portCounter++}`;
  const syns = [at];
  for (let i = 1; i <= (o.synRetries ?? 0); i++) syns.push(at + (2 ** i - 1));
  const synAck = o.refused ? null : o.synAck === null ? null : at + (o.synAck ?? 0.001);
  const est = synAck !== null ? synAck + 0.0001 : null;
  let last = est ?? syns[syns.length - 1];
  let tls: TlsRecord | null = null;
  let reset = o.resetBy ?? null;
  if (o.refused) reset = { t: at + 0.0002, by: 'server' };
  let pc = null as ConnectionRecord['proxyConnect'];
  let t = est ?? at;
  if (o.proxyConnect && est !== null) {
    const req = est + (o.proxyConnect.after ?? 0.0005);
    const resp = o.proxyConnect.status === null ? null : req + (o.proxyConnect.latency ?? 0.002);
    pc = { target: o.proxyConnect.target, request: req, response: resp, status: o.proxyConnect.status, reason: o.proxyConnect.status === 407 ? 'Proxy Authentication Required' : o.proxyConnect.status === 200 ? 'Connection established' : null, proxyAuthenticate: o.proxyConnect.status === 407 ? 'Basic realm="proxy"' : null };
    t = resp ?? req;
    last = t;
  }
  if (o.tls && est !== null && (!pc || pc.status === 200)) {
    const ch = t + 0.0005;
    const sh = o.tls === 'ok' || o.tls === 'alert' ? ch + 0.003 : null;
    tls = {
      clientHello: ch, clientVersion: 'TLS 1.2', supportedVersions: ['TLS 1.3', 'TLS 1.2'], sni: o.sni === undefined ? 'proxy.golang.org' : o.sni,
      alpn: ['h2', 'http/1.1'], cipherSuites: 19, helloRetryRequest: null, serverHello: sh, version: sh !== null ? 'TLS 1.3' : null,
      alpnChosen: sh !== null ? 'h2' : null,
      alert: o.tls === 'alert' ? { t: ch + 0.004, from: 'client', level: 'fatal', description: 'bad_certificate' } : null,
      changeCipherSpec: { client: null, server: null }, firstAppData: { client: sh !== null ? sh + 0.001 : null, server: null },
      established: o.tls === 'ok' ? sh! + 0.001 : null, clientHelloFrame: 4,
    };
    if (o.tls === 'reset') reset = { t: ch + 0.001, by: 'server' };
    last = Math.max(last, sh ?? ch);
    t = tls.established ?? ch;
  }
  const waits = (o.waits ?? []).map((w) => {
    const request = t + w.after;
    const firstByte = w.seconds === null ? null : request + w.seconds;
    last = Math.max(last, firstByte ?? request);
    return { request, firstByte, seconds: w.seconds ?? 0, requestBytes: w.bytes ?? 120 };
  });
  const http: HttpExchangeRecord[] = (o.http ?? []).map((h) => {
    const request = t + h.after;
    const firstByte = h.ttfb === null ? null : request + h.ttfb;
    const end = firstByte === null || h.body === null ? null : firstByte + (h.body ?? 0.001);
    last = Math.max(last, end ?? firstByte ?? request);
    return {
      method: h.method ?? 'GET', target: h.target ?? '/github.com/x/y/@v/v1.0.0.zip', host: h.host ?? null, request, firstByte,
      status: firstByte === null ? null : h.status ?? 200, reason: firstByte === null ? null : h.reason ?? 'OK', end,
      contentLength: h.contentLength ?? null, bodyBytes: h.bodyBytes ?? 1000,
    };
  });
  if (o.serverDataUntil !== undefined) last = Math.max(last, o.serverDataUntil);
  const lastServerData = last;
  if (reset) last = Math.max(last, reset.t);
  const closed = o.closedAt === undefined ? null : o.closedAt;
  if (closed !== null) last = Math.max(last, closed);
  const firstServer = waits.find((w) => w.firstByte !== null)?.firstByte ?? http.find((h) => h.firstByte !== null)?.firstByte ?? (tls?.serverHello ?? null);
  return {
    uid: `C${++uidCounter}`, client, server, ipVersion: server.startsWith('[') ? 6 : 4, rolesGuessed: false,
    syns, synAck, established: est, reset, closed: closed ?? (reset ? reset.t : null), firstPacket: at, lastPacket: o.end ?? last,
    retransmits: o.retransmits ?? 0, fastRetransmits: 0, zeroWindows: 0, keepAlives: 0, longestIdle: null,
    bytes: { client: 500, server: o.serverBytes ?? 5000 },
    firstPayload: { client: tls?.clientHello ?? http[0]?.request ?? null, server: firstServer },
    lastPayload: { client: waits.at(-1)?.request ?? http.at(-1)?.request ?? tls?.clientHello ?? null, server: o.serverDataUntil ?? (firstServer !== null ? lastServerData : null) },
    history: synAck !== null ? 'ShAD' : reset ? 'Sr' : 'S', state: synAck !== null ? 'S1' : reset ? 'REJ' : 'S0',
    tls, http, proxyConnect: pc, waits, frames: { first: 1, last: 40 },
  };
}

export function lockCall(o: { at: number; duration: number | null; path?: string; module?: string; line?: number; pid?: number }): SyscallRecord {
  const path = o.path ?? '/home/u/go/pkg/mod/cache/download/github.com/!burnt!sushi/toml/@v/v1.3.2.lock';
  return {
    pid: o.pid ?? 4100, command: 'go', name: 'flock', start: o.at, duration: o.duration, result: o.duration === null ? null : '0',
    kind: 'cache-lock', fd: 8, path, module: o.module ?? 'github.com/BurntSushi/toml@v1.3.2', socket: null, line: o.line ?? 812,
    text: `flock(8</...lock>, LOCK_EX`,
  };
}

export function connectCall(o: { at: number; remote: string; pid?: number; line?: number }): SyscallRecord {
  return {
    pid: o.pid ?? 4100, command: 'go', name: 'connect', start: o.at, duration: 0.0001, result: '-1 EINPROGRESS', kind: 'connect',
    fd: 9, path: null, module: null, socket: { local: '10.0.0.2:40000', remote: o.remote, protocol: 'TCP' }, line: o.line ?? 300,
    text: `connect(9, {sa_family=AF_INET, ...}, 16)`,
  };
}

export function goProcess(pid = 4100, start = 0): ProcessRecord {
  return { pid, ppid: 1, command: 'go', argv: ['go', 'mod', 'download'], start, end: null, exit: null };
}

export function fetch(o: Partial<FetchRecord> & { url: string; start: number | null }): FetchRecord {
  const host = /^[a-z]+:\/\/([^/:]+)/.exec(o.url)?.[1] ?? '';
  return {
    url: o.url, host, start: o.start, end: o.end ?? null, status: o.status ?? null, error: o.error ?? null,
    seconds: o.seconds ?? null, errorStage: o.errorStage ?? null, line: o.line ?? 1,
  };
}

export function goroutine(waitsOn: GoroutineSummary['waitsOn'], minutes: number | null = 3): GoroutineSummary {
  return { id: 17, state: 'select', waitMinutes: minutes, waitsOn, frame: 'net/http.(*persistConn).roundTrip', frames: ['net/http.(*persistConn).roundTrip'] };
}

export function input(o: Partial<VerdictInput> & { end: number }): VerdictInput {
  return {
    dns: o.dns ?? [], connections: o.connections ?? [], syscalls: o.syscalls ?? [], processes: o.processes ?? [],
    fetches: o.fetches ?? [], goroutines: o.goroutines ?? [], captureEnd: o.captureEnd === undefined ? o.end : o.captureEnd,
    evidenceEnd: o.evidenceEnd ?? o.end, goStart: o.goStart ?? null, env: o.env ?? null, lockHolders: o.lockHolders, lookups: o.lookups,
    goErrors: o.goErrors, goExit: o.goExit, packets: o.packets,
  };
}

/** A whole report around a verdict input, for renderer tests. */
export function reportFrom(v: VerdictInput, extra: Partial<Report> = {}): Report {
  return {
    schema: 'gomod-trace/report', version: 1, generator: 'test', t0: 1764045000,
    inputs: [{ kind: 'capture', file: 'capture.pcap', format: 'pcap', linkTypes: ['LINUX_SLL2'], packets: 100, start: 0, end: v.captureEnd, warnings: [] }],
    dns: [...v.dns], connections: [...v.connections], syscalls: [...v.syscalls], processes: [...v.processes],
    fetches: [...v.fetches], goroutines: [...v.goroutines], lookups: [...(v.lookups ?? [])],
    verdict: { stage: 'none', state: 'ok', host: null, address: null, path: null, since: null, waited: null, confidence: 0.5, summary: '', evidence: [], hints: [] },
    findings: [], anomalies: [], ...extra,
  };
}
