/**
 * `--format har`: HAR 1.2 for the fetches whose URLs are known — go's `-x` log, or plain-HTTP
 * requests seen in the capture. Timings (milliseconds, -1 where a phase does not apply) follow
 * HAR's phases on one line, each counted once: `blocked` (waiting before a connection was being
 * made, or for a connection another request was opening), `dns`, `connect` (SYN to the end of the
 * TLS handshake; `ssl` is the TLS part of it), `send` (0: not measured), `wait` (request sent, or
 * the connection ready if later, to the first response byte) and `receive` (the body). Only the
 * request that opened a connection pays its setup; `time` is the sum of the phases without `ssl`.
 * A fetch with no answer has status 0 and a comment saying how long it waited.
 */
import type { ConnectionRecord, DnsTransactionRecord, FetchRecord, Report } from './schema.js';
import { connectionStages } from '../timeline/stages.js';
import { addressNames, connectionForFetch, endpointIp, identifyConnection, normalizeHost } from '../timeline/join.js';
import { evidenceEnd } from './model.js';
import { clip } from './escape.js';

interface HarTimings { blocked: number; dns: number; connect: number; ssl: number; send: number; wait: number; receive: number }

const ms = (s: number | null | undefined): number => (s === null || s === undefined || !Number.isFinite(s) ? -1 : Math.round(s * 1e6) / 1e3);

function iso(epoch: number): string {
  const d = new Date(Math.floor(epoch * 1000));
  return Number.isFinite(d.getTime()) ? d.toISOString() : new Date(0).toISOString();
}

/** A lookup that ended longer than this before the SYN was not made for this connection's dial. */
const LOOKUP_TO_DIAL = 1;
/** Queries of one lookup go out together (go asks A and AAAA at once). */
const SAME_LOOKUP = 0.1;

/** What it took to make a connection ready for its first request, in seconds since t0. */
interface Setup {
  /** The lookup of the server's address that the dial waited for, or null. */
  dns: { start: number; end: number } | null;
  syn: number;
  /** Handshakes done (TCP, CONNECT, TLS), or when they failed or the evidence ended. */
  ready: number;
  /** The TLS handshake's share of syn → ready, or null without TLS. */
  ssl: number | null;
}

/** DNS transactions that answered with each address, and those of each name by first query. */
interface DnsIndex { byAddress: Map<string, DnsTransactionRecord[]>; byName: Map<string, DnsTransactionRecord[]> }

function indexDns(dns: readonly DnsTransactionRecord[]): DnsIndex {
  const byAddress = new Map<string, DnsTransactionRecord[]>();
  const byName = new Map<string, DnsTransactionRecord[]>();
  const add = (m: Map<string, DnsTransactionRecord[]>, k: string, d: DnsTransactionRecord) => { const l = m.get(k); if (l) l.push(d); else m.set(k, [d]); };
  for (const d of dns) {
    if (d.queries.length === 0) continue;
    add(byName, normalizeHost(d.name), d);
    if (d.response !== null) for (const a of d.answers) add(byAddress, a, d);
  }
  for (const l of byName.values()) l.sort((x, y) => x.queries[0] - y.queries[0]);
  return { byAddress, byName };
}

/**
 * The lookup behind a dial: the last answer naming the server's address before the SYN, with the
 * queries for the same name sent alongside and their re-sends. The dial waits for all of them, so
 * one still unanswered at the SYN (given up on) ends the lookup there.
 */
function lookupBefore(c: ConnectionRecord, dns: DnsIndex, syn: number): Setup['dns'] {
  let anchor: DnsTransactionRecord | null = null;
  for (const d of dns.byAddress.get(endpointIp(c.server)) ?? []) {
    if (d.response! <= syn && (!anchor || d.response! > anchor.response!)) anchor = d;
  }
  if (!anchor) return null;
  let start = anchor.queries[0];
  let end = anchor.response!;
  for (const d of dns.byName.get(normalizeHost(anchor.name)) ?? []) {
    const q = d.queries[0];
    if (q < anchor.queries[0] - SAME_LOOKUP) continue;
    if (q > end || q > syn) break;
    start = Math.min(start, q);
    end = Math.max(end, Math.min(d.response ?? syn, syn));
  }
  return syn - end <= LOOKUP_TO_DIAL ? { start, end } : null;
}

/** Null when the capture did not see the connection being opened (no SYN). */
function setupOf(c: ConnectionRecord, dns: DnsIndex, end: number): Setup | null {
  const syn = c.syns[0];
  if (syn === undefined) return null;
  let ready = syn;
  let ssl: number | null = null;
  for (const s of connectionStages(c, end)) {
    if (s.stage !== 'connect' && s.stage !== 'proxy-connect' && s.stage !== 'tls') continue;
    ready = Math.max(ready, s.start + s.seconds);
    if (s.stage === 'tls') ssl = s.seconds;
  }
  return { dns: lookupBefore(c, dns, syn), syn, ready, ssl };
}

/**
 * `opened`: this request opened the connection and pays its setup; any other request on it only
 * waits (`blocked`) for the setup still under way when it started. Returns the timings and when the
 * entry began (its first phase).
 */
function timingsFor(setup: Setup | null, opened: boolean, end: number, reqStart: number, firstByte: number | null, bodyEnd: number | null): { timings: HarTimings; start: number } {
  const t: HarTimings = { blocked: -1, dns: -1, connect: -1, ssl: -1, send: 0, wait: 0, receive: 0 };
  let start = reqStart;
  if (setup && opened) {
    const dns = setup.dns ? setup.dns.end - setup.dns.start : 0;
    if (setup.dns) t.dns = ms(dns);
    const before = setup.syn - reqStart - dns;
    if (before > 0) t.blocked = ms(before);
    t.connect = ms(setup.ready - setup.syn);
    if (setup.ssl !== null) t.ssl = ms(setup.ssl);
    start = Math.min(reqStart, setup.dns?.start ?? setup.syn);
  } else if (setup && reqStart < setup.ready) {
    t.blocked = ms(setup.ready - reqStart);
  }
  const sent = setup ? Math.max(reqStart, setup.ready) : reqStart;
  t.wait = Math.max(0, ms((firstByte ?? end) - sent));
  t.receive = firstByte !== null && bodyEnd !== null ? Math.max(0, ms(bodyEnd - firstByte)) : 0;
  return { timings: t, start };
}

function total(t: HarTimings): number {
  return ms([t.blocked, t.dns, t.connect, t.send, t.wait, t.receive].filter((x) => x > 0).reduce((a, b) => a + b, 0) / 1e3);
}

function entryFromFetch(f: FetchRecord, c: ConnectionRecord | null, setup: Setup | null, opened: boolean, report: Report, end: number) {
  const reqStart = f.start ?? 0;
  const { timings, start } = timingsFor(setup, opened, end, reqStart, f.end, null);
  const noAnswer = f.end === null && f.status === null && !f.error;
  const comment = f.error ? `error: ${f.error}` : noAnswer ? `no response within the evidence (waited ${(end - reqStart).toFixed(3)} s)` : '';
  return {
    startedDateTime: iso(report.t0 + start),
    time: total(timings),
    request: { method: 'GET', url: clip(f.url, 8000), httpVersion: '', cookies: [], headers: [], queryString: [], headersSize: -1, bodySize: 0 },
    response: {
      status: f.status ?? 0, statusText: f.status !== null ? '' : f.error ? clip(f.error, 500) : '', httpVersion: '',
      cookies: [], headers: [], content: { size: -1, mimeType: '' }, redirectURL: '', headersSize: -1, bodySize: -1,
    },
    cache: {},
    timings,
    ...(c ? { serverIPAddress: c.server.replace(/^\[|\]?:\d+$/g, ''), connection: c.uid } : {}),
    comment: clip(`go -x line ${f.line}${comment ? ': ' + comment : ''}`, 2000),
  };
}

export function renderHar(report: Report): string {
  const end = evidenceEnd(report);
  const names = addressNames(report.dns);
  const hosts = new Map(report.connections.map((c) => [c.uid, identifyConnection(c, names).host] as const));
  const dns = indexDns(report.dns);
  const setups = new Map<string, Setup | null>();
  const setupFor = (c: ConnectionRecord): Setup | null => {
    if (!setups.has(c.uid)) setups.set(c.uid, setupOf(c, dns, end));
    return setups.get(c.uid)!;
  };
  const entries: unknown[] = [];
  const fetchConns = report.fetches.map((f) => connectionForFetch(f, report.connections, hosts));
  // The fetch that opened a connection: the earliest of its fetches, if it began before the
  // connection was ready (one that began later found it open).
  const openers = new Map<string, number>();
  fetchConns.forEach((c, i) => {
    const setup = c && setupFor(c);
    if (!c || !setup) return;
    const start = report.fetches[i].start ?? 0;
    const prev = openers.get(c.uid);
    if (start <= setup.ready && (prev === undefined || start < (report.fetches[prev].start ?? 0))) openers.set(c.uid, i);
  });
  report.fetches.forEach((f, i) => {
    const c = fetchConns[i];
    entries.push(entryFromFetch(f, c, c && setupFor(c), c !== null && openers.get(c.uid) === i, report, end));
  });
  if (report.fetches.length === 0) {
    for (const c of report.connections) {
      c.http.forEach((h, i) => {
        const host = h.host ?? c.server;
        const url = /^[a-z]+:\/\//i.test(h.target) ? h.target : `http://${host}${h.target.startsWith('/') ? '' : '/'}${h.target}`;
        const { timings, start } = timingsFor(setupFor(c), i === 0, end, h.request, h.firstByte, h.end);
        entries.push({
          startedDateTime: iso(report.t0 + start), time: total(timings),
          request: { method: clip(h.method, 20), url: clip(url, 8000), httpVersion: 'HTTP/1.1', cookies: [], headers: [], queryString: [], headersSize: -1, bodySize: 0 },
          response: {
            status: h.status ?? 0, statusText: clip(h.reason ?? '', 200), httpVersion: h.status !== null ? 'HTTP/1.1' : '', cookies: [], headers: [],
            content: { size: h.bodyBytes, mimeType: '' }, redirectURL: '', headersSize: -1, bodySize: h.end !== null ? h.bodyBytes : -1,
          },
          cache: {}, timings, serverIPAddress: c.server.replace(/^\[|\]?:\d+$/g, ''), connection: c.uid,
          ...(h.firstByte === null ? { comment: `no response within the evidence (waited ${(end - h.request).toFixed(3)} s)` } : {}),
        });
      });
    }
  }
  const har = {
    log: {
      version: '1.2',
      creator: { name: 'gomod-trace', version: report.generator.replace(/^gomod-trace\s*/, '') || '0' },
      pages: [],
      entries,
      comment: clip(`${report.verdict.state} ${report.verdict.stage}: ${report.verdict.summary}`, 2000),
    },
  };
  return JSON.stringify(har, null, 2) + '\n';
}
