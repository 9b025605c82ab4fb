/**
 * How strongly a piece of traffic is tied to go's download (the `confidence` of a finding).
 * A `-i any` capture carries browsers, IDEs and background services too; the verdict must be about go.
 *
 * Ties, strongest first: a socket go (or its git/ssh child) connected in the strace log; a name go
 * fetched (go -x URLs, GOPROXY / GOSUMDB / HTTPS_PROXY from env.json) or a known module-proxy or
 * checksum-database host; a module-proxy path (/@v/, /@latest, /lookup/); an address DNS returned
 * for such a name. Against: traffic that began before go started, or that strace says go never made.
 */
import type {
  ConnectionRecord, DnsTransactionRecord, FetchRecord, ProcessRecord, SyscallRecord,
} from '../report/schema.js';
import {
  endpointIp, goProcessIds, isGoPath, isProxyHost, isSumdbHost, isSumdbPath, isVcsHost, normalizeHost,
} from './join.js';

export interface GoEnvHints {
  GOPROXY?: string;
  GOSUMDB?: string;
  GONOSUMDB?: string;
  GOPRIVATE?: string;
  GONOPROXY?: string;
  HTTPS_PROXY?: string;
  HTTP_PROXY?: string;
  NO_PROXY?: string;
  GOFLAGS?: string;
  GOTOOLCHAIN?: string;
}

export interface RelevanceContext {
  /** Names go is known to talk to (normalised). */
  goHosts: Set<string>;
  /** Addresses (`ip` or `ip:port`) go is known to talk to. */
  goAddresses: Set<string>;
  /** Remote endpoints of sockets go's process tree connected (from strace). */
  goSockets: Set<string>;
  /** Remote endpoints of sockets other processes connected (from strace). */
  otherSockets: Set<string>;
  /** Names asked by DNS transactions that go's socket reached, when strace tells. */
  sumdbHosts: Set<string>;
  /** When go started (seconds since t0), if known. */
  goStart: number | null;
  /** The strace log covers the socket calls (seen at least one socket of go's). */
  straceSeesSockets: boolean;
}

/** Host (and port) from a URL or a `host:port`, without throwing on junk. */
export function hostOfUrl(u: string): { host: string; port: number | null } | null {
  const m = /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:[^@/]*@)?(\[[^\]]*\]|[^/:?#]+)(?::(\d+))?/i.exec(u.trim());
  if (!m || !m[1]) return null;
  return { host: normalizeHost(m[1]), port: m[2] ? Number(m[2]) : null };
}

export function buildRelevance(
  parts: {
    dns: readonly DnsTransactionRecord[];
    syscalls: readonly SyscallRecord[];
    processes: readonly ProcessRecord[];
    fetches: readonly FetchRecord[];
    env?: GoEnvHints | null;
    goStart?: number | null;
  },
): RelevanceContext {
  const goHosts = new Set<string>();
  const goAddresses = new Set<string>();
  const sumdbHosts = new Set<string>();
  const addHost = (h: string | null | undefined): void => {
    if (!h) return;
    const n = normalizeHost(h);
    if (/^[0-9.]+$|:/.test(n)) goAddresses.add(n);
    else goHosts.add(n);
  };
  for (const f of parts.fetches) {
    addHost(f.host);
    const u = hostOfUrl(f.url);
    if (u) {
      addHost(u.host);
      if (u.port !== null) goAddresses.add(`${u.host}:${u.port}`);
      if (isSumdbPath(f.url)) sumdbHosts.add(u.host);
    }
  }
  const env = parts.env ?? {};
  for (const entry of (env.GOPROXY ?? '').split(/[,|]/)) {
    const e = entry.trim();
    if (!e || e === 'direct' || e === 'off') continue;
    const u = hostOfUrl(e);
    if (u) { addHost(u.host); if (u.port !== null) goAddresses.add(`${u.host}:${u.port}`); }
  }
  for (const k of ['HTTPS_PROXY', 'HTTP_PROXY'] as const) {
    const u = env[k] ? hostOfUrl(env[k]!) : null;
    if (u) { addHost(u.host); if (u.port !== null) goAddresses.add(`${u.host}:${u.port}`); }
  }
  if (env.GOSUMDB && env.GOSUMDB !== 'off') {
    // "sum.golang.org", "name+key url" or "name url".
    const fields = env.GOSUMDB.trim().split(/\s+/);
    const name = (fields[0] ?? '').split('+')[0];
    if (name) { addHost(name); sumdbHosts.add(normalizeHost(name)); }
    if (fields[1]) { const u = hostOfUrl(fields[1]); if (u) { addHost(u.host); sumdbHosts.add(u.host); } }
  }
  const goPids = goProcessIds(parts.processes);
  const goSockets = new Set<string>();
  const otherSockets = new Set<string>();
  for (const s of parts.syscalls) {
    const r = s.socket?.remote;
    if (!r) continue;
    // Without a process table (strace without -f/execve), assume the log is of go's tree.
    if (goPids.size === 0 || goPids.has(s.pid)) goSockets.add(r);
    else otherSockets.add(r);
  }
  // Names that resolved to go's sockets are go's names.
  const goSocketIps = new Set([...goSockets].map(endpointIp));
  for (const d of parts.dns) {
    if (d.answers.some((a) => goSocketIps.has(a))) addHost(d.name);
  }
  let goStart = parts.goStart ?? null;
  for (const p of parts.processes) {
    if (goPids.has(p.pid) && p.start !== null && (goStart === null || p.start < goStart)) goStart = p.start;
  }
  return { goHosts, goAddresses, goSockets, otherSockets, sumdbHosts, goStart, straceSeesSockets: goSockets.size > 0 };
}

/** A git process: git, its transport helpers, its credential helpers, ssh. */
export function isGitCommand(cmd: string | null | undefined): boolean {
  return !!cmd && /^(git|git-remote-https?|git-remote-ftps?|ssh|git-credential.*)$/.test(cmd.split('/').pop() ?? '');
}

/**
 * Why go fetches from `host` directly (with git, or https for `?go-get=1`) and not through a
 * GOPROXY mirror, or null: GONOPROXY (GOPRIVATE when GONOPROXY is not set) matches it
 * (`private`), GOPROXY names no proxy, only direct or off (`no-proxy`), or strace saw a git process
 * connect to the server (`git`: go fell back to direct).
 */
export type DirectReason = 'private' | 'no-proxy' | 'git';

export function directFetch(host: string | null, env: GoEnvHints | null | undefined, byGit: boolean): DirectReason | null {
  const patterns = (env?.GONOPROXY || env?.GOPRIVATE || '').split(',').map((x) => x.trim()).filter(Boolean);
  if (host && patterns.some((pat) => hostGlob(pat.split('/')[0]).test(normalizeHost(host)))) return 'private';
  const entries = (env?.GOPROXY ?? '').split(/[,|]/).map((x) => x.trim()).filter(Boolean);
  if (entries.length > 0 && entries.every((e) => e === 'direct' || e === 'off')) return 'no-proxy';
  return byGit ? 'git' : null;
}

/** A GOPRIVATE pattern's first path element as go matches it (path.Match: `*` and `?` within it). */
function hostGlob(pattern: string): RegExp {
  const re = pattern.toLowerCase().replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${re}$`);
}

function hostTie(host: string | null, ctx: RelevanceContext): number {
  if (!host) return 0;
  const h = normalizeHost(host);
  if (ctx.goHosts.has(h) || ctx.goAddresses.has(h) || isProxyHost(h) || isSumdbHost(h)) return 0.9;
  if (isVcsHost(h)) return 0.6;
  return 0;
}

/** Confidence (0..1) that a connection is go's. */
export function connectionRelevance(c: ConnectionRecord, host: string | null, ctx: RelevanceContext): number {
  let r = 0.5;
  const client = c.client;
  const server = c.server;
  if (ctx.goSockets.has(server)) r = 0.95;
  else {
    const tie = Math.max(
      hostTie(host, ctx),
      ctx.goAddresses.has(normalizeHost(server)) || ctx.goAddresses.has(endpointIp(server)) ? 0.9 : 0,
      c.http.some((x) => isGoPath(x.target)) ? 0.9 : 0,
    );
    if (tie > 0) r = tie;
    if (ctx.otherSockets.has(server)) r = Math.min(r, 0.15);
    else if (ctx.straceSeesSockets && tie === 0) r = 0.25; // strace saw go's sockets, not this one
  }
  if (ctx.goStart !== null && c.firstPacket < ctx.goStart - 1 && r < 0.95) r = Math.min(r, 0.2);
  void client;
  return r;
}

/** Confidence (0..1) that a DNS lookup is go's. */
export function dnsRelevance(d: DnsTransactionRecord, ctx: RelevanceContext): number {
  const name = normalizeHost(d.name);
  if (/\.(in-addr|ip6)\.arpa$/.test(name) || name.endsWith('.local')) return 0.1;
  let r = 0.5;
  const tie = hostTie(name, ctx);
  if (tie > 0) r = tie;
  else if (prefixesOf(name).some((g) => ctx.goHosts.has(g))) r = 0.8; // search-domain expansion of a go name
  else if (ctx.goHosts.size > 0 || ctx.straceSeesSockets) r = 0.3;
  if (ctx.goStart !== null && (d.queries[0] ?? 0) < ctx.goStart - 1) r = Math.min(r, 0.2);
  return r;
}

function prefixesOf(name: string): string[] {
  const out: string[] = [];
  for (let i = name.indexOf('.'); i > 0; i = name.indexOf('.', i + 1)) out.push(name.slice(0, i));
  return out;
}
