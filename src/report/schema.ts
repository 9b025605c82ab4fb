/**
 * The report document: the contract users script against (`analyze --format json`), the data the
 * HTML report embeds, and what every other format (table, md, trace, HAR) is rendered from.
 * Documented for users in docs/report-schema.md — keep the two in step.
 *
 * Units and invariants:
 *  - `t0` is an absolute time in epoch seconds (the first packet of the capture; without a capture,
 *    the first timed strace or go-log line). Every other time in the document (`Seconds`) is
 *    seconds since t0, as a float with microsecond (or better) precision. Times can be negative when
 *    strace or go saw something before the first packet.
 *  - Durations (`waited`, `seconds`, `duration`) are seconds.
 *  - Addresses are `ip:port`; IPv6 as `[ip]:port`.
 *  - Names and fields may grow in later versions; existing ones never change meaning.
 *  - Every string that came from a capture, log or process is untrusted: renderers escape it.
 */

/** Seconds since `t0`. */
export type Seconds = number;

export const REPORT_SCHEMA = 'gomod-trace/report' as const;
export const REPORT_VERSION = 1 as const;

export interface Report {
  schema: typeof REPORT_SCHEMA;
  version: typeof REPORT_VERSION;
  /** gomod-trace version that wrote the report. */
  generator: string;
  /** Epoch seconds that every `Seconds` value is relative to. */
  t0: number;
  inputs: InputSummary[];
  /** The user's go and where it fetches from, as a record bundle saw them. Absent without a bundle. */
  environment?: GoEnvironment;
  dns: DnsTransactionRecord[];
  connections: ConnectionRecord[];
  /** Blocked or slow system calls from a strace log (issue 4). Empty without --strace. */
  syscalls: SyscallRecord[];
  /** Processes seen in the strace log. */
  processes: ProcessRecord[];
  /** HTTP fetches from go's `-x` log. Empty without --go-log. */
  fetches: FetchRecord[];
  /** Summaries of a SIGQUIT goroutine dump found in go's log. */
  goroutines: GoroutineSummary[];
  /**
   * Host lookups go announced in its log (GODEBUG=netdns=2, which record sets): when each began
   * and the resolver order go chose. Empty when go's log has none.
   */
  lookups: HostLookupRecord[];
  verdict: Finding;
  findings: Finding[];
  anomalies: AnomalyRecord[];
}

/**
 * `order` as go printed it: `files,dns` / `dns,files` / `files` / `dns` are go's own resolver
 * (/etc/hosts and the resolv.conf servers, in that order); `cgo` is the C library's resolver
 * (nsswitch: systemd-resolved, nscd, VPN split DNS, mDNS…), whose queries may leave from another
 * process or not at all.
 */
export interface HostLookupRecord {
  t: Seconds | null;
  host: string;
  order: string;
  /** Line in go's log. */
  line: number;
}

// ---------------------------------------------------------------- environment

/**
 * What a module-mirror operator needs to act on a report, from a bundle's env.json (`go env -json`
 * and the proxy variables) and meta.json. Values are the user's, credentials redacted.
 */
export interface GoEnvironment {
  /** go's version, e.g. `go1.19.8`; null when the bundle does not say. */
  goVersion: string | null;
  /** The go command record ran, e.g. `["go", "mod", "download"]`; null when the bundle does not say. */
  command: string[] | null;
  /**
   * The settings that decide where go fetches from, only those set (not empty), in this order:
   * GOPROXY, GONOPROXY, GOPRIVATE, GONOSUMDB, GOSUMDB, GOFLAGS, GOINSECURE, GOTOOLCHAIN, then
   * HTTPS_PROXY, HTTP_PROXY, NO_PROXY in either case, named as they were set.
   */
  settings: Record<string, string>;
}

// ---------------------------------------------------------------- inputs

export type InputKind = 'capture' | 'strace' | 'go-log' | 'bundle';

export interface InputSummary {
  kind: InputKind;
  file: string;
  /** Capture: 'pcap' | 'pcapng'. strace: e.g. 'strace -f -ttt -T'. go-log: 'go -x'. */
  format: string;
  /** Capture only: names of link types seen, e.g. ['EN10MB', 'LINUX_SLL2']. */
  linkTypes?: string[];
  /** Capture only: packets read. */
  packets?: number;
  /** strace / go log: lines read. */
  lines?: number;
  /** First and last event time in this input. */
  start: Seconds | null;
  end: Seconds | null;
  /** One line each; say what was skipped or assumed. */
  warnings: string[];
}

// ---------------------------------------------------------------- DNS

export type DnsRcodeName =
  | 'NOERROR' | 'FORMERR' | 'SERVFAIL' | 'NXDOMAIN' | 'NOTIMP' | 'REFUSED'
  | 'YXDOMAIN' | 'YXRRSET' | 'NXRRSET' | 'NOTAUTH' | 'NOTZONE' | string;

export interface DnsTransactionRecord {
  /** Query name as asked (escaped by renderers: it can hold any byte). */
  name: string;
  /** Query type name: 'A', 'AAAA', 'HTTPS', … or 'TYPE65534' when unknown. */
  type: string;
  /** Resolver client and server, `ip:port`. */
  client: string;
  server: string;
  transport: 'udp' | 'tcp';
  /** DNS message id. */
  id: number;
  /** Every send of the query (re-sends with the same id and question included). */
  queries: Seconds[];
  /** First response, or null when none came. Latency is response - queries[0]. */
  response: Seconds | null;
  rcode: DnsRcodeName | null;
  /** TC bit of the response. */
  truncated: boolean;
  /** Answer data as text: addresses for A/AAAA, target names for CNAME, etc. */
  answers: string[];
  /** CNAME chain targets in order. */
  cnames: string[];
  /** The response carried an EDNS OPT record. */
  edns: boolean;
  /** Capture frame numbers (1-based) of the queries and the response. */
  frames: number[];
}

// ---------------------------------------------------------------- TCP / TLS / HTTP

export interface ConnectionRecord {
  /** Stable id within this report, e.g. 'C12'. Joins findings and evidence to the connection. */
  uid: string;
  client: string;
  server: string;
  /** 4 or 6. */
  ipVersion: 4 | 6;
  /** true when client/server roles were guessed from ports (no SYN seen). */
  rolesGuessed: boolean;
  /** Every SYN the client sent (first + retransmits). */
  syns: Seconds[];
  synAck: Seconds | null;
  /** Client's ACK of the SYN-ACK (its first ACK after the SYN when the capture missed the SYN-ACK). */
  established: Seconds | null;
  reset: { t: Seconds; by: 'client' | 'server' } | null;
  /** Time of the last FIN (both sides closed) or the reset. */
  closed: Seconds | null;
  firstPacket: Seconds;
  lastPacket: Seconds;
  retransmits: number;
  fastRetransmits: number;
  zeroWindows: number;
  keepAlives: number;
  /** Longest time with no packet in either direction, and when it began. */
  longestIdle: { start: Seconds; seconds: number } | null;
  /** Payload bytes per direction (without retransmitted bytes). */
  bytes: { client: number; server: number };
  firstPayload: { client: Seconds | null; server: Seconds | null };
  lastPayload: { client: Seconds | null; server: Seconds | null };
  /**
   * Server bytes the client acknowledged that are not in the capture (one direction captured, or
   * packets the capture lost), and the last ACK that acknowledged new ones. Absent when none.
   */
  ackedUnseen?: { bytes: number; last: Seconds };
  /**
   * Payload one side re-sent that the other side had still not acknowledged when the capture
   * ended (lost on the path): who sent it, when it was first sent (at the latest: when the other
   * side's ACK last moved), how often it was re-sent since then, and how many bytes wait.
   * Absent when none (docs/tcp-analysis.md, "Unacknowledged data").
   */
  unacked?: { by: 'client' | 'server'; since: Seconds; resends: number; bytes: number };
  /** Zeek conn.log style history: s h a d f r t w, upper case = client. */
  history: string;
  /** Zeek conn_state: S0, S1, SF, REJ, RSTO, RSTR, SH, SHR, OTH, … */
  state: string;
  tls: TlsRecord | null;
  http: HttpExchangeRecord[];
  proxyConnect: ProxyConnectRecord | null;
  /**
   * Application-data exchange pattern after the TLS handshake (or on plain HTTP): client bursts
   * followed by waits for the server. The longest/last such wait is what 'proxy-response' measures.
   */
  waits: ResponseWait[];
  /** Frame numbers of the first and last packet, for evidence. */
  frames: { first: number; last: number };
}

export interface TlsRecord {
  clientHello: Seconds;
  /** Legacy record/handshake version of the ClientHello, e.g. 'TLS 1.2'. */
  clientVersion: string;
  supportedVersions: string[];
  sni: string | null;
  alpn: string[];
  cipherSuites: number;
  ja3?: string;
  ja4?: string;
  helloRetryRequest: Seconds | null;
  serverHello: Seconds | null;
  /** Negotiated version ('TLS 1.3' from supported_versions, else the ServerHello version). */
  version: string | null;
  alpnChosen: string | null;
  alert: { t: Seconds; from: 'client' | 'server'; level: string | null; description: string | null } | null;
  changeCipherSpec: { client: Seconds | null; server: Seconds | null };
  firstAppData: { client: Seconds | null; server: Seconds | null };
  /** Handshake complete: first application data seen (or Finished in TLS ≤ 1.2). */
  established: Seconds | null;
  /** Frame number of the ClientHello (its last segment). */
  clientHelloFrame: number;
}

export interface ResponseWait {
  /** When the client's request data was (last) sent. */
  request: Seconds;
  /** First server byte after it, or null when none came before the capture ended. */
  firstByte: Seconds | null;
  /** firstByte - request, or (end of capture - request) when still waiting. */
  seconds: number;
  requestBytes: number;
}

export interface HttpExchangeRecord {
  method: string;
  target: string;
  host: string | null;
  request: Seconds;
  firstByte: Seconds | null;
  status: number | null;
  reason: string | null;
  /** End of the response body (Content-Length or chunked end), null when not seen. */
  end: Seconds | null;
  contentLength: number | null;
  bodyBytes: number;
}

export interface ProxyConnectRecord {
  /** 'host:port' asked of the proxy. */
  target: string;
  request: Seconds;
  response: Seconds | null;
  status: number | null;
  reason: string | null;
  /** Proxy-Authenticate header of a 407, when present. */
  proxyAuthenticate: string | null;
}

// ---------------------------------------------------------------- strace

export interface SyscallRecord {
  pid: number;
  /** Command name of the process (from execve / comm), when known. */
  command: string | null;
  name: string;
  start: Seconds;
  /** null when the call was still unfinished at the end of the log. */
  duration: number | null;
  /** Return value as printed ('0', '-1 EAGAIN (…)'), null when unfinished. */
  result: string | null;
  /** What the call is about, classified. */
  kind: 'cache-lock' | 'file-lock' | 'terminal-read' | 'connect' | 'child-wait' | 'net-wait' | 'dns' | 'other';
  fd: number | null;
  path: string | null;
  /** Module cache lock: 'module@version' decoded from the lock path; VCS lock: 'vcs:<hash>'. */
  module: string | null;
  /** Socket endpoints when the fd is a socket: local and remote `ip:port`. */
  socket: { local: string | null; remote: string | null; protocol: string | null } | null;
  /** strace log line number (1-based) where the call started; 0 for a /proc snapshot. */
  line: number;
  /** Raw call text, possibly shortened. */
  text: string;
  /**
   * 'proc': not from strace but from record's /proc snapshot of go's processes when it stopped
   * them (meta.json `stopped`); `start` is then an estimate and `duration` null. Absent: strace.
   */
  origin?: 'strace' | 'proc';
}

export interface ProcessRecord {
  pid: number;
  ppid: number | null;
  command: string | null;
  argv: string[];
  start: Seconds | null;
  end: Seconds | null;
  exit: { code: number | null; signal: string | null } | null;
}

// ---------------------------------------------------------------- go's own log

export interface FetchRecord {
  url: string;
  host: string;
  /** When `# get URL` was printed (null when the log has no timestamps). */
  start: Seconds | null;
  /** When the result line was printed; null when the fetch never completed. */
  end: Seconds | null;
  status: number | null;
  /** Transport error text, when the result was an error. */
  error: string | null;
  /** Seconds reported by go in `(0.123s)`. */
  seconds: number | null;
  /** Stage an error text points at (dns, connect, tls, proxy-connect, …), when it does. */
  errorStage: StageName | null;
  /** Line number in the go log (1-based) of the `# get` line. */
  line: number;
}

export interface GoroutineSummary {
  id: number;
  state: string;
  /** Minutes waited, from '[select, 3 minutes]'; null when not shown. */
  waitMinutes: number | null;
  /** What the stack says go waits on, when recognisable. */
  waitsOn: StageName | 'git' | 'other';
  /** The frame that told us (function name). */
  frame: string | null;
  /** First few frames, innermost first. */
  frames: string[];
}

// ---------------------------------------------------------------- verdict and findings

export type StageName =
  | 'dns' | 'connect' | 'proxy-connect' | 'tls' | 'proxy-response' | 'transfer'
  | 'cache-lock' | 'git-prompt' | 'checksum-db' | 'not-found' | 'toolchain' | 'none' | 'unknown';

export type FindingState = 'stalled' | 'failed' | 'slow' | 'ok';

export interface Evidence {
  /** 'proc': record's /proc snapshot of go's processes when it stopped them (meta.json). */
  source: 'pcap' | 'strace' | 'go' | 'proc';
  /** 'frame 812' for a capture, 'line 3041' for a log. */
  ref: string;
  text: string;
}

export interface Finding {
  stage: StageName;
  state: FindingState;
  /** Name the client asked for (SNI / CONNECT target / DNS name / URL host). */
  host: string | null;
  /** Server it talked to (for proxy-connect: the proxy), `ip:port`. */
  address: string | null;
  /** Lock file (cache-lock) or other file. */
  path: string | null;
  since: Seconds | null;
  waited: number | null;
  /** How sure we are that this is about go's download: 0..1. */
  confidence: number;
  summary: string;
  evidence: Evidence[];
  hints: string[];
  /** Connection uid / DNS index / syscall line this finding is about. */
  refs?: string[];
}

export interface AnomalyRecord {
  /** Stable protocol-prefixed name, e.g. 'DNS_truncated_answer', 'TCP_bad_header_length'. */
  name: string;
  t: Seconds | null;
  /** 'frame 12' or 'line 40'. */
  ref: string;
  detail?: string;
}
