/**
 * `--format har`: HAR 1.2 for the fetches whose URLs are known — go's `-x` log, or plain-HTTP
 * requests seen in the capture. Timings come from the connection that carried each fetch (dns,
 * connect, ssl, wait, receive in milliseconds; -1 where a phase does not apply or is unknown).
 * A fetch with no answer has status 0 and a comment saying how long it waited.
 */
import type { ConnectionRecord, FetchRecord, Report } from './schema.js';
import { connectionStages, dnsStage } from '../timeline/stages.js';
import { addressNames, connectionForFetch, identifyConnection, normalizeHost } from '../timeline/join.js';
import { evidenceEnd } from './model.js';
import { clip } from './escape.js';

interface HarTimings { blocked: number; dns: number; connect: number; ssl: number; send: number; wait: number; receive: number }

const ms = (s: number | null | undefined): number => (s === null || s === undefined || !Number.isFinite(s) ? -1 : Math.round(s * 1e6) / 1e3);

function iso(epoch: number): string {
  const d = new Date(Math.floor(epoch * 1000));
  return Number.isFinite(d.getTime()) ? d.toISOString() : new Date(0).toISOString();
}

function timingsFor(c: ConnectionRecord | null, report: Report, end: number, reqStart: number, firstByte: number | null, bodyEnd: number | null): HarTimings {
  const t: HarTimings = { blocked: -1, dns: -1, connect: -1, ssl: -1, send: 0, wait: 0, receive: 0 };
  if (c) {
    const stages = connectionStages(c, end);
    // Phases count for the first fetch on a connection only (later ones reuse it).
    if (reqStart - c.firstPacket < 5 || c.http.length === 0) {
      const host = identifyConnection(c, addressNames(report.dns)).host;
      const d = report.dns.find((x) => host && normalizeHost(x.name) === host && (x.queries[0] ?? Infinity) <= c.firstPacket);
      if (d) t.dns = ms(dnsStage(d, end).seconds);
      const conn = stages.find((s) => s.stage === 'connect');
      const tls = stages.find((s) => s.stage === 'tls');
      if (conn) t.connect = ms(conn.seconds + (tls ? tls.seconds : 0)); // HAR: connect includes ssl
      if (tls) t.ssl = ms(tls.seconds);
    }
  }
  t.wait = Math.max(0, ms((firstByte ?? end) - reqStart));
  t.receive = firstByte !== null && bodyEnd !== null ? Math.max(0, ms(bodyEnd - firstByte)) : 0;
  return t;
}

function total(t: HarTimings): number {
  return [t.blocked, t.dns, t.connect, t.send, t.wait, t.receive].filter((x) => x > 0).reduce((a, b) => a + b, 0);
}

function entryFromFetch(f: FetchRecord, report: Report, end: number, hosts: Map<string, string | null>) {
  const c = connectionForFetch(f, report.connections, hosts);
  const start = f.start ?? 0;
  const firstByte = f.end;
  const timings = timingsFor(c, report, end, start, firstByte, null);
  const noAnswer = f.end === null && f.status === null && !f.error;
  const comment = f.error ? `error: ${f.error}` : noAnswer ? `no response within the evidence (waited ${(end - start).toFixed(3)} s)` : '';
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
  const entries: unknown[] = [];
  for (const f of report.fetches) entries.push(entryFromFetch(f, report, end, hosts));
  if (report.fetches.length === 0) {
    for (const c of report.connections) {
      for (const h of c.http) {
        const host = h.host ?? c.server;
        const url = /^[a-z]+:\/\//i.test(h.target) ? h.target : `http://${host}${h.target.startsWith('/') ? '' : '/'}${h.target}`;
        const timings = timingsFor(c, report, end, h.request, h.firstByte, h.end);
        entries.push({
          startedDateTime: iso(report.t0 + h.request), time: total(timings),
          request: { method: clip(h.method, 20), url: clip(url, 8000), httpVersion: 'HTTP/1.1', cookies: [], headers: [], queryString: [], headersSize: -1, bodySize: 0 },
          response: {
            status: h.status ?? 0, statusText: clip(h.reason ?? '', 200), httpVersion: h.status !== null ? 'HTTP/1.1' : '', cookies: [], headers: [],
            content: { size: h.bodyBytes, mimeType: '' }, redirectURL: '', headersSize: -1, bodySize: h.end !== null ? h.bodyBytes : -1,
          },
          cache: {}, timings, serverIPAddress: c.server.replace(/^\[|\]?:\d+$/g, ''), connection: c.uid,
          ...(h.firstByte === null ? { comment: `no response within the evidence (waited ${(end - h.request).toFixed(3)} s)` } : {}),
        });
      }
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
