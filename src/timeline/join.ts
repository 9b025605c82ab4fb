/**
 * Joining the evidence: which name each connection was for, which connection carried a go fetch,
 * which process owned a socket, and how strongly each piece of traffic is tied to go's download.
 *
 * Pure functions over report records (all times in seconds since t0). Nothing here reads files.
 */
import type {
  ConnectionRecord, DnsTransactionRecord, FetchRecord, ProcessRecord, SyscallRecord,
} from '../report/schema.js';

/** Hosts that only a Go toolchain talks to: module proxies, checksum databases, toolchain downloads. */
export const GO_PROXY_HOSTS: readonly string[] = [
  'proxy.golang.org', 'goproxy.cn', 'goproxy.io', 'goproxy.baidu.com', 'mirrors.aliyun.com',
  'mirrors.cloud.tencent.com', 'mirrors.tencent.com', 'repo.huaweicloud.com', 'goproxy.pub',
];
export const GO_SUMDB_HOSTS: readonly string[] = [
  'sum.golang.org', 'sum.golang.google.cn', 'gosum.io', 'index.golang.org',
];
/** Hosts go reaches in direct (VCS) mode or for `?go-get=1` lookups: tied to go only weakly. */
export const GO_VCS_HOSTS: readonly string[] = [
  'github.com', 'codeload.github.com', 'gitlab.com', 'bitbucket.org', 'go.googlesource.com',
  'golang.org', 'go.dev', 'gopkg.in', 'google.golang.org', 'cloud.google.com', 'dl.google.com',
  'honnef.co', 'k8s.io', 'sigs.k8s.io', 'go.uber.org', 'go.opentelemetry.io', 'gonum.org',
];

/** Lower-case, without a trailing dot or a port. */
export function normalizeHost(name: string): string {
  let h = name.trim().toLowerCase();
  if (h.startsWith('[')) {
    const close = h.indexOf(']');
    return close > 0 ? h.slice(1, close) : h;
  }
  const colon = h.lastIndexOf(':');
  if (colon > 0 && h.indexOf(':') === colon && /^\d+$/.test(h.slice(colon + 1))) h = h.slice(0, colon);
  return h.endsWith('.') ? h.slice(0, -1) : h;
}

function matchesList(host: string, list: readonly string[]): boolean {
  return list.some((d) => host === d || host.endsWith('.' + d));
}

export function isProxyHost(host: string): boolean { return matchesList(normalizeHost(host), GO_PROXY_HOSTS); }
/** A checksum database: a known one, or a name that says so (sum.*, *sumdb*, gosum.*). */
export function isSumdbHost(host: string): boolean {
  const h = normalizeHost(host);
  return matchesList(h, GO_SUMDB_HOSTS) || /^(sum|sumdb|gosum)\.|sumdb/.test(h);
}
export function isVcsHost(host: string): boolean { return matchesList(normalizeHost(host), GO_VCS_HOSTS); }

/** Paths only the module proxy protocol and the checksum database use. */
export function isGoPath(target: string): boolean {
  return /\/@v\/|\/@latest(?:$|\?)|\/lookup\/|\/tile\/|\/sumdb\/|[?&]go-get=1/.test(target);
}

/**
 * A checksum database request (`/lookup/…`, `/tile/…`, under any prefix: a target or a URL). A
 * module proxy path is never one, whatever its module is called (`/example.com/lookup/@v/list`).
 */
export function isSumdbPath(target: string): boolean {
  const path = target.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '').replace(/[?#].*$/, '');
  return /\/(?:lookup|tile)\//.test(path) && !/\/@v\/|\/@latest$/.test(path);
}

/** IP part of an `ip:port` or `[ip]:port` endpoint. */
export function endpointIp(endpoint: string): string {
  if (endpoint.startsWith('[')) {
    const close = endpoint.indexOf(']');
    return close > 0 ? endpoint.slice(1, close) : endpoint;
  }
  const colon = endpoint.lastIndexOf(':');
  return colon > 0 && endpoint.indexOf(':') === colon ? endpoint.slice(0, colon) : endpoint;
}

export function endpointPort(endpoint: string): number | null {
  const m = /:(\d+)$/.exec(endpoint);
  return m ? Number(m[1]) : null;
}

export function isLoopbackIp(ip: string): boolean {
  return ip.startsWith('127.') || ip === '::1' || ip.startsWith('::ffff:127.');
}

/** Address → the DNS names whose answers (or CNAME chains) returned it, in order seen. */
export function addressNames(dns: readonly DnsTransactionRecord[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const d of dns) {
    if (d.response === null) continue;
    for (const a of d.answers) {
      if (!/^[0-9a-f.:]+$/i.test(a)) continue; // only addresses; CNAME targets are in `cnames`
      const list = out.get(a) ?? [];
      const name = normalizeHost(d.name);
      if (!list.includes(name)) list.push(name);
      out.set(a, list);
    }
  }
  return out;
}

/** Host part of a `host:port` CONNECT target. */
export function connectTargetHost(target: string): string {
  return normalizeHost(target);
}

export interface ConnectionIdentity {
  /** Name the client asked for: SNI, CONNECT target, HTTP Host, DNS name of the server, or null. */
  host: string | null;
  /** Where the name came from. */
  hostFrom: 'sni' | 'connect' | 'http' | 'dns' | 'fetch' | null;
  /** Connection goes through a forward proxy (CONNECT seen). */
  viaProxy: boolean;
}

export function identifyConnection(c: ConnectionRecord, names: Map<string, string[]>): ConnectionIdentity {
  const viaProxy = c.proxyConnect !== null;
  if (c.proxyConnect) return { host: connectTargetHost(c.proxyConnect.target), hostFrom: 'connect', viaProxy };
  if (c.tls?.sni) return { host: normalizeHost(c.tls.sni), hostFrom: 'sni', viaProxy };
  const h = c.http.find((x) => x.host)?.host;
  if (h) return { host: normalizeHost(h), hostFrom: 'http', viaProxy };
  const dnsNames = names.get(endpointIp(c.server));
  if (dnsNames && dnsNames.length > 0) return { host: dnsNames[dnsNames.length - 1], hostFrom: 'dns', viaProxy };
  return { host: null, hostFrom: null, viaProxy };
}

/** Processes that are go or run by go (git, ssh, the toolchain it downloaded). */
export function goProcessIds(processes: readonly ProcessRecord[]): Set<number> {
  const ids = new Set<number>();
  const byPid = new Map(processes.map((p) => [p.pid, p]));
  const isGo = (p: ProcessRecord): boolean => {
    const cmd = (p.command ?? p.argv[0] ?? '').split('/').pop() ?? '';
    return cmd === 'go' || /^go\d/.test(cmd) || cmd === 'git' || cmd.startsWith('git-') || cmd === 'ssh' || cmd === 'hg' || cmd === 'svn';
  };
  for (const p of processes) {
    // A process counts when it or an ancestor is go (the strace log is normally of go's tree).
    let cur: ProcessRecord | undefined = p;
    for (let depth = 0; cur && depth < 64; depth++) {
      if (isGo(cur)) { ids.add(p.pid); break; }
      cur = cur.ppid !== null ? byPid.get(cur.ppid) : undefined;
    }
  }
  return ids;
}

export interface StraceSocketTie {
  pid: number;
  command: string | null;
  line: number;
}

/** Remote endpoint (`ip:port`) → the strace call that connected to it. */
export function straceRemotes(syscalls: readonly SyscallRecord[]): Map<string, StraceSocketTie> {
  const out = new Map<string, StraceSocketTie>();
  for (const s of syscalls) {
    const remote = s.socket?.remote;
    if (!remote || out.has(remote)) continue;
    out.set(remote, { pid: s.pid, command: s.command, line: s.line });
  }
  return out;
}

/** The connection that most likely carried a go fetch: same host, open over the fetch's time. */
export function connectionForFetch(
  f: FetchRecord, connections: readonly ConnectionRecord[], hosts: ReadonlyMap<string, string | null>,
): ConnectionRecord | null {
  const fhost = normalizeHost(f.host);
  let best: ConnectionRecord | null = null;
  let bestScore = -Infinity;
  for (const c of connections) {
    const h = hosts.get(c.uid);
    const viaPlain = c.http.some((x) => f.url.endsWith(x.target) || f.url.includes(x.target));
    if (h !== fhost && !viaPlain) continue;
    let score = viaPlain ? 2 : 1;
    if (f.start !== null) {
      const end = f.end ?? Infinity;
      // Must overlap the fetch; prefer connections opened just before it.
      if (c.lastPacket < f.start - 0.5 || c.firstPacket > end + 0.5) continue;
      score -= Math.abs(c.firstPacket - f.start) / 1000;
    }
    if (score > bestScore) { best = c; bestScore = score; }
  }
  if (best || f.start === null) return best;
  // No name ties a connection to the fetch (no DNS, SNI or Host in the capture): take an unnamed
  // connection opened just after go printed the `# get` line.
  let nearest = Infinity;
  for (const c of connections) {
    if (hosts.get(c.uid)) continue;
    const d = c.firstPacket - f.start;
    if (d < -0.05 || d > 5 || d >= nearest) continue;
    if (f.end !== null && c.firstPacket > f.end + 0.05) continue;
    best = c;
    nearest = d;
  }
  return best;
}

/** When go last showed progress in its log: the latest fetch start or end at or before `upTo`. */
export function lastFetchMark(fetches: readonly FetchRecord[], upTo = Infinity): number | null {
  let last: number | null = null;
  for (const f of fetches) {
    for (const t of [f.start, f.end]) if (t !== null && t <= upTo && (last === null || t > last)) last = t;
  }
  return last;
}

