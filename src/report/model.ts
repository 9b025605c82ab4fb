/**
 * What every renderer shows, computed once from a report: one row per connection (with the DNS
 * lookup that preceded it), per DNS name that never led to a connection, per blocked syscall, and
 * per go fetch; each with its stages on the report's clock and a flag for the verdict's row.
 */
import type { ConnectionRecord, DnsTransactionRecord, FindingState, GoEnvironment, Report, StageName } from './schema.js';
import { connectionStages, dnsStage, stuckStage, unansweredState, type StageSpan } from '../timeline/stages.js';
import { addressNames, endpointIp, identifyConnection, normalizeHost } from '../timeline/join.js';

export type RowKind = 'connection' | 'dns' | 'syscall' | 'fetch';

export interface Row {
  id: string;
  kind: RowKind;
  /** Host name (or DNS name / lock path / URL). */
  label: string;
  address: string | null;
  start: number;
  /** null: still open / waiting at the end of the evidence. */
  end: number | null;
  stages: StageSpan[];
  state: FindingState;
  /** This row is what the verdict is about. */
  verdict: boolean;
  detail: string;
  /** Evidence reference (frame / line). */
  ref: string;
}

export interface Model {
  rows: Row[];
  /** Seconds since t0 where the evidence ends. */
  end: number;
  start: number;
}

export const STAGE_ORDER: StageName[] = ['dns', 'connect', 'proxy-connect', 'tls', 'proxy-response', 'transfer', 'not-found', 'checksum-db', 'cache-lock', 'git-prompt', 'toolchain', 'unknown', 'none'];

export function evidenceEnd(r: Report): number {
  const ends = r.inputs.map((i) => i.end).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  return ends.length ? Math.max(...ends) : 0;
}

/** Where waits on the network end: as in the verdict, the evidence end, at most an hour past the capture's. */
function captureEnd(r: Report): number {
  const c = r.inputs.find((i) => i.kind === 'capture');
  const all = evidenceEnd(r);
  return c && typeof c.end === 'number' ? Math.min(Math.max(c.end, all), c.end + 3600) : all;
}

function rowState(stages: readonly StageSpan[]): FindingState {
  const stuck = stuckStage(stages);
  if (stuck) return stuck.state;
  return stages.some((s) => s.state === 'slow') ? 'slow' : 'ok';
}

interface DnsIndex { byName: Map<string, DnsTransactionRecord[]>; byAnswer: Map<string, DnsTransactionRecord[]> }

function indexDns(dns: readonly DnsTransactionRecord[]): DnsIndex {
  const byName = new Map<string, DnsTransactionRecord[]>();
  const byAnswer = new Map<string, DnsTransactionRecord[]>();
  const add = (m: Map<string, DnsTransactionRecord[]>, k: string, d: DnsTransactionRecord): void => {
    const l = m.get(k);
    if (l) l.push(d); else m.set(k, [d]);
  };
  for (const d of dns) {
    add(byName, normalizeHost(d.name), d);
    for (const a of d.answers) add(byAnswer, a, d);
  }
  return { byName, byAnswer };
}

/** DNS lookup that returned the server's address (or asked for `host`) shortly before the connection opened. */
function precedingDns(host: string | null, server: string, at: number, idx: DnsIndex): DnsTransactionRecord | null {
  const within = (d: DnsTransactionRecord): boolean => {
    const first = d.queries[0];
    return first !== undefined && first <= at + 1e-6 && first >= at - 60;
  };
  let best: DnsTransactionRecord | null = null;
  for (const d of idx.byAnswer.get(endpointIp(server)) ?? []) {
    if (within(d) && (!best || (d.queries[0] ?? 0) > (best.queries[0] ?? 0))) best = d;
  }
  if (best || host === null) return best;
  for (const d of idx.byName.get(host) ?? []) {
    if (within(d) && (!best || (d.queries[0] ?? 0) > (best.queries[0] ?? 0))) best = d;
  }
  return best;
}

export function buildModel(r: Report): Model {
  const end = evidenceEnd(r);
  const netEnd = captureEnd(r);
  const names = addressNames(r.dns);
  const refs = new Set(r.verdict.refs ?? []);
  const rows: Row[] = [];
  const usedDns = new Set<DnsTransactionRecord>();
  const dnsIndex = indexDns(r.dns);
  const conns: ConnectionRecord[] = [...r.connections].sort((a, b) => a.firstPacket - b.firstPacket);
  for (const c of conns) {
    const id = identifyConnection(c, names);
    const stages = connectionStages(c, netEnd);
    const d = precedingDns(id.host, c.server, c.firstPacket, dnsIndex);
    if (d) { usedDns.add(d); stages.unshift(dnsStage(d, netEnd)); }
    const stuck = stuckStage(stages);
    rows.push({
      id: c.uid, kind: 'connection', label: id.host ?? endpointIp(c.server), address: c.server,
      start: stages[0]?.start ?? c.firstPacket, end: c.closed ?? (stuck && stuck.end === null ? null : c.lastPacket),
      stages, state: rowState(stages), verdict: refs.has(c.uid),
      detail: `${c.client} → ${c.server} ${c.state} ${c.history}${c.retransmits ? `, ${c.retransmits} retransmits` : ''}`,
      ref: `frame ${c.frames.first}`,
    });
  }
  // DNS names that led nowhere (or failed), one row per name.
  const byName = new Map<string, DnsTransactionRecord[]>();
  for (const d of r.dns) {
    if (usedDns.has(d)) continue;
    const n = normalizeHost(d.name);
    byName.set(n, [...(byName.get(n) ?? []), d]);
  }
  let i = 0;
  for (const [name, list] of byName) {
    const stages = list.map((d) => dnsStage(d, netEnd)).sort((a, b) => a.start - b.start);
    const last = stages.reduce((m, s) => Math.max(m, s.end ?? netEnd), 0);
    rows.push({
      id: `D${++i}`, kind: 'dns', label: name, address: list[0].server, start: stages[0].start,
      end: stages.some((s) => s.end === null) ? null : last, stages, state: rowState(stages),
      verdict: r.verdict.stage === 'dns' && r.verdict.host === name,
      detail: list.map((d) => `${d.type} ${d.rcode ?? 'no answer'}`).join(', '), ref: `frame ${list[0].frames[0] ?? '?'}`,
    });
  }
  for (const s of r.syscalls) {
    if (s.kind !== 'cache-lock' && s.kind !== 'file-lock' && s.kind !== 'terminal-read') continue;
    const stage: StageName = s.kind === 'terminal-read' ? 'git-prompt' : 'cache-lock';
    const seconds = s.duration ?? Math.max(0, end - s.start);
    const died = s.result !== null && s.result.trim().startsWith('?');
    // A call that never returned is judged as the verdict judges it (unansweredState); one that did, slow from 1 s.
    const state: FindingState = s.duration === null || died ? unansweredState(seconds) : seconds >= 1 ? 'slow' : 'ok';
    rows.push({
      id: `L${s.line}`, kind: 'syscall', label: s.module ?? s.path ?? s.name, address: null, start: s.start,
      end: s.duration === null ? null : s.start + s.duration,
      stages: [{ stage, start: s.start, end: s.duration === null ? null : s.start + s.duration, state, seconds, detail: `${s.name} by ${s.command ?? 'pid'} ${s.pid}`, frame: null }],
      state, verdict: refs.has(`line ${s.line}`), detail: `${s.command ?? ''}[${s.pid}] ${s.text}`, ref: `line ${s.line}`,
    });
  }
  for (const f of r.fetches) {
    if (f.start === null) continue;
    const stalled = f.end === null && f.status === null && !f.error;
    const endT = f.end;
    const failed = !!f.error || (f.status !== null && f.status >= 400);
    const seconds = (endT ?? end) - f.start;
    const state: FindingState = stalled ? unansweredState(seconds) : failed ? 'failed' : seconds >= 5 ? 'slow' : 'ok';
    rows.push({
      id: `G${f.line}`, kind: 'fetch', label: f.url, address: null, start: f.start, end: endT,
      stages: [{ stage: f.errorStage ?? (f.status === 404 || f.status === 410 ? 'not-found' : 'proxy-response'), start: f.start, end: endT, state, seconds, detail: f.error ?? (f.status !== null ? String(f.status) : 'no result'), frame: null }],
      state, verdict: refs.has(`go line ${f.line}`), detail: f.error ?? (f.status !== null ? `${f.status}` : 'no result line'), ref: `line ${f.line}`,
    });
  }
  rows.sort((a, b) => a.start - b.start);
  const start = rows.length ? Math.min(0, ...rows.map((x) => x.start)) : 0;
  return { rows, end: Math.max(end, ...rows.map((x) => x.end ?? 0)), start };
}

/**
 * report.environment as name and value pairs, in the order every renderer shows them: go's version
 * (`go`), its command (`command`), then the settings as named. None without a bundle.
 */
export function environmentFacts(e: GoEnvironment | undefined): Array<[string, string]> {
  if (!e) return [];
  const facts: Array<[string, string]> = [];
  if (e.goVersion) facts.push(['go', e.goVersion]);
  if (e.command) facts.push(['command', e.command.join(' ')]);
  facts.push(...Object.entries(e.settings));
  return facts;
}

/** Duration for people: 850µs, 12ms, 1.25s, 3m05s. */
export function human(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '-';
  const s = Math.max(0, seconds);
  if (s < 0.0009995) return `${Math.round(s * 1e6)}µs`;
  if (s < 1) return `${Math.round(s * 1000)}ms`;
  if (s < 10) return `${s.toFixed(2)}s`;
  if (s < 120) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s - m * 60)).padStart(2, '0')}s`;
}
