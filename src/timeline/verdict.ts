/**
 * The verdict: the one finding that holds go's download up at the end of the evidence (or made it
 * fail, or slowed it most when it succeeded), plus every other finding worth knowing.
 *
 * 1. Candidates: every DNS name, connection, blocked syscall and go fetch that did not end well,
 *    each at the stage it is stuck in (stages.ts), with its confidence of being go's (relevance.ts).
 * 2. Recovery: a failure that go got past (another answer for the same name, a later connection to
 *    the same host that went further, a 404 followed by a direct fetch) becomes a finding only.
 * 3. Choice: most confidently go's first (tiers ≥ 0.75, ≥ 0.45, below), then stalled still waiting
 *    at the end of the evidence, then failed, then stalled-but-given-up, then slow; then the longest wait.
 * 4. Nothing stalled or failed, but go failed (an error line of its own, a non-zero exit): that
 *    failure, `stage: "unknown"` (goOwnFailure).
 * 5. Nothing stalled, failed or slow: `stage: "none"`, `state: "ok"`, naming the slowest stage.
 * docs/verdicts.md is the prose version of this file.
 */
import type {
  ConnectionRecord, DnsTransactionRecord, Evidence, FetchRecord, Finding, FindingState,
  GoroutineSummary, HostLookupRecord, ProcessRecord, StageName, SyscallRecord,
} from '../report/schema.js';
import {
  addressNames, connectionForFetch, endpointIp, identifyConnection, isSumdbHost, isSumdbPath, lastFetchMark, normalizeHost,
} from './join.js';
import { decodeCacheLockPath } from '../strace/classify.js';
import { goOwnErrorKind } from '../gotool/errors.js';
import {
  buildRelevance, connectionRelevance, directFetch, dnsRelevance, hostOfUrl, isGitCommand, type GoEnvHints,
  type RelevanceContext,
} from './relevance.js';
import { SLOW, connectionStages, dnsStage, lookupStart, openAtEnd, stuckStage, unansweredState, type StageSpan } from './stages.js';
import {
  OWN_ERROR_HINT, clockTime, cutShortText, goOwnErrorText, hintText, type HintExtra, hintsFor, lostText, nothingToJudgeText, prompterText, summaryText, type Lang,
  type TextParams,
} from './hints.js';

export interface VerdictInput {
  dns: readonly DnsTransactionRecord[];
  connections: readonly ConnectionRecord[];
  syscalls: readonly SyscallRecord[];
  processes: readonly ProcessRecord[];
  fetches: readonly FetchRecord[];
  goroutines: readonly GoroutineSummary[];
  /** End of the capture (seconds since t0), null without one. */
  captureEnd: number | null;
  /** End of all evidence (seconds since t0). */
  evidenceEnd: number;
  /** When go started, if a log or strace tells. */
  goStart?: number | null;
  env?: GoEnvHints | null;
  /** PID holding a module cache lock, when the recorder saw it (/proc/locks). */
  lockHolders?: Array<{ path: string; pid: number; command?: string | null }>;
  /** Error lines go printed (`go: …`, -json Error), with the stage their text points at. */
  goErrors?: ReadonlyArray<{ line: number; t: number | null; text: string; stage: StageName | null }>;
  /**
   * How go ended, from a bundle's meta.json (null without one): the status it exited with by
   * itself, or `code` null when it did not (record stopped it, a signal killed it).
   */
  goExit?: { code: number | null } | null;
  /** Host lookups go announced (GODEBUG=netdns=2) with the resolver order it chose. */
  lookups?: readonly HostLookupRecord[];
  /** The capture's packets, and how many of them were of link types the decoder does not know; null without a capture. */
  packets?: { total: number; undecoded: number; linkTypes: number[] } | null;
}

export interface VerdictResult {
  verdict: Finding;
  findings: Finding[];
}

interface Candidate {
  finding: Finding;
  /** Still waiting when the evidence ended. */
  pending: boolean;
  /** Got past it later (finding only). */
  recovered: boolean;
  /** Sort key inside its class. */
  weight: number;
  /** Key that merges repeats (same stage, same target). */
  key: string;
  count: number;
  /** Time the candidate's subject began, for recovery rules. */
  start: number;
}

/** Connection candidates of one merge key kept apart before later ones are folded in (decide). */
const MAX_APART = 64;

/**
 * Count a repeat of `into`'s key into it: still pending if either is, recovered only if both are,
 * the longest wait, the earliest start, the highest confidence. (The merge of candidates adds
 * their evidence and refs as well; a connection folded in before it has no finding of its own.)
 */
function foldRepeat(
  into: Candidate,
  r: { pending: boolean; recovered: boolean; weight: number; waited: number | null; since: number | null; confidence: number; summary?: string },
): void {
  into.count += 1;
  into.pending ||= r.pending;
  into.recovered &&= r.recovered;
  if (r.weight > into.weight) {
    into.weight = r.weight;
    into.finding.waited = r.waited;
    // The summary tells of the worst occurrence, as `waited` does (it said "for 5.0 s (2 times)"
    // beside "waited 5.18s" when the longer wait came second).
    if (r.summary !== undefined) into.finding.summary = r.summary;
  }
  if (r.since !== null && (into.finding.since === null || r.since < into.finding.since)) into.finding.since = r.since;
  into.finding.confidence = Math.max(into.finding.confidence, r.confidence);
}

const round = (n: number): number => Math.round(n * 1e6) / 1e6;

/** A little slack for "the wait lasted until the end of the evidence". */
const END_SLACK = 0.5;

/** `maxApart`: connection candidates per merge key kept apart before folding (MAX_APART; tests compare with Infinity). */
export function decide(input: VerdictInput, lang: Lang = 'en', { maxApart = MAX_APART }: { maxApart?: number } = {}): VerdictResult {
  const ctx = buildRelevance({
    dns: input.dns, syscalls: input.syscalls, processes: input.processes, fetches: input.fetches,
    env: input.env ?? null, goStart: input.goStart ?? null,
  });
  // A wait lasts until the evidence ends: the capture's last packet, or later when go's log, strace
  // or the recorder's meta.json show the recording went on (bounded, against a wrong clock).
  const netEnd = input.captureEnd === null ? input.evidenceEnd
    : Math.min(Math.max(input.captureEnd, input.evidenceEnd), input.captureEnd + 3600);
  const names = addressNames(input.dns);
  const cands: Candidate[] = [];
  const allStages: Array<{ span: StageSpan; host: string | null; address: string | null; confidence: number }> = [];

  // ---------------------------------------------------------------- DNS, grouped by name
  const byName = new Map<string, DnsTransactionRecord[]>();
  for (const d of input.dns) {
    // The root (a query for NS or SOA of ".") is shown as ".".
    const n = normalizeHost(d.name) || '.';
    const list = byName.get(n) ?? [];
    list.push(d);
    byName.set(n, list);
  }
  const isAddr = (a: string): boolean => /^[0-9a-f.:]+$/i.test(a);
  const okNames = new Set<string>();
  for (const [n, list] of byName) {
    if (list.some((d) => d.response !== null && (d.rcode === 'NOERROR' || d.rcode === null) && d.answers.some(isAddr))) okNames.add(n);
  }
  /** Bare names this name could be a search-domain expansion of (each prefix ending at a dot). */
  const basesOf = (name: string): string[] => {
    const out: string[] = [];
    for (let i = name.indexOf('.'); i > 0; i = name.indexOf('.', i + 1)) {
      const base = name.slice(0, i);
      if (byName.has(base)) out.push(base);
    }
    return out;
  };
  const expansionsOf = new Map<string, string[]>();
  for (const n of byName.keys()) for (const b of basesOf(n)) expansionsOf.set(b, [...(expansionsOf.get(b) ?? []), n]);
  // itself, or the bare name of a search expansion, resolved to an address
  const resolvedOk = (name: string): boolean => okNames.has(name) || basesOf(name).some((b) => okNames.has(b));
  /** go asks only these; NOERROR with no address is "no such host" for them, an answer for any other type. */
  const asksAddress = (d: DnsTransactionRecord): boolean => d.type === 'A' || d.type === 'AAAA';
  const answeredWell = (d: DnsTransactionRecord): boolean => d.response !== null && (d.rcode === 'NOERROR' || d.rcode === null) &&
    (!asksAddress(d) || d.answers.some(isAddr));
  /** The same client asked the same question again later (same name, same type) and got an answer: it got past `d`. */
  const askedAgainWell = (d: DnsTransactionRecord, list: readonly DnsTransactionRecord[]): boolean => list.some((r) =>
    r !== d && r.type === d.type && endpointIp(r.client) === endpointIp(d.client) && lookupStart(r) > lookupStart(d) && answeredWell(r));
  const firstPacketsByIp = new Map<string, number[]>();
  for (const c of input.connections) {
    const ip = endpointIp(c.server);
    const l = firstPacketsByIp.get(ip);
    if (l) l.push(c.firstPacket); else firstPacketsByIp.set(ip, [c.firstPacket]);
  }
  for (const [name, list] of byName) {
    const spans = list.map((d) => ({ d, span: dnsStage(d, netEnd) }));
    const conf = Math.max(...list.map((d) => dnsRelevance(d, ctx)));
    for (const { span } of spans) allStages.push({ span, host: name, address: null, confidence: conf });
    const ok = resolvedOk(name);
    const bad = spans.filter(({ span }) => span.state === 'stalled' || span.state === 'failed');
    let subject: { d: DnsTransactionRecord; span: StageSpan } | undefined;
    let state: FindingState | null = null;
    if (bad.length > 0) {
      // Prefer the stall (no answer at all) over a refusal; the longest one.
      subject = bad.reduce((a, b) => (rankState(b.span.state) > rankState(a.span.state) ||
        (b.span.state === a.span.state && b.span.seconds > a.span.seconds) ? b : a));
      state = subject.span.state;
    } else if (!ok && spans.some(({ d }) => asksAddress(d) && d.rcode === 'NOERROR') &&
      spans.every(({ d }) => !asksAddress(d) || d.response !== null)) {
      // Every A/AAAA query answered, NOERROR but no address at all (CNAMEs at most): go says "no such host".
      const first = spans.find(({ d }) => asksAddress(d) && d.rcode === 'NOERROR')!;
      state = 'failed';
      subject = { d: first.d, span: { ...first.span, state: 'failed', detail: `${name}: no address records (NOERROR, empty answer)` } };
    } else {
      const slow = spans.filter(({ span }) => span.state === 'slow');
      if (slow.length) { subject = slow.reduce((a, b) => (b.span.seconds > a.span.seconds ? b : a)); state = 'slow'; }
    }
    if (!subject || !state) {
      // Not resolved, and first asked less than MIN_STALL before the evidence ended: a note only.
      const cut = ok ? undefined : spans.find(({ span }) => span.cutShort);
      if (cut) {
        cands.push(cutShortNote('dns', {
          host: name, address: cut.d.server, path: null, since: cut.span.start, waited: cut.span.seconds, confidence: conf, lang,
          evidence: [{ source: 'pcap', ref: `frame ${cut.span.frame ?? '?'}`, text: cut.span.detail }], refs: [],
        }, `dns|${name}`));
      }
      continue;
    }
    const { d, span } = subject;
    const seconds = state === 'stalled' ? Math.max(...bad.map((b) => b.span.seconds)) : span.seconds;
    const pending = state === 'stalled' && d.queries[d.queries.length - 1] + 5 + END_SLACK >= netEnd;
    const p: TextParams = { host: name, server: d.server, seconds, rcode: d.rcode ?? (state === 'failed' ? 'no address' : null) };
    const evidence: Evidence[] = list.slice(0, 4).map((x) => ({
      source: 'pcap', ref: `frame ${x.frames[0] ?? '?'}`,
      text: `${x.type} ${x.name} → ${x.server}: ${x.response === null ? `no answer (${x.queries.length} sends)` : `${x.rcode ?? '?'} after ${fmt(x.response - (x.queries[0] ?? x.response))} s${x.answers.length ? ' ' + x.answers.slice(0, 4).join(' ') : ''}`}`,
    }));
    cands.push({
      finding: finding('dns', state, { host: name, address: d.server, path: null, since: span.start, waited: seconds, confidence: conf, p, evidence, lang, refs: [] }),
      pending, recovered: (ok || (bad.length > 0 && bad.every(({ d: b }) => askedAgainWell(b, list)))) && state !== 'slow',
      weight: seconds, key: `dns|${name}`, count: 1, start: span.start,
    });
  }

  // The lookup as go lives it: from the first query for a name (or a search-domain expansion of
  // it) until go had its answer. An unanswered AAAA or expansion, or a send that had to be made
  // again, cost a resolver timeout that no answer shows: go's lookup then ends at the first
  // connection to an address it returned, and makes the name slow even though it resolved.
  // Otherwise the lookup ended with its last answer (or the connection, if sooner): a connection
  // made long after a quick answer (the program busy elsewhere) is no DNS finding.
  for (const [name, list] of byName) {
    const addrs = new Set(list.filter((d) => d.rcode === 'NOERROR' || d.rcode === null).flatMap((d) => d.answers).filter((a) => /^[0-9a-f.:]+$/i.test(a)));
    if (addrs.size === 0) continue;
    const answeredAt = Math.min(...list.filter((d) => d.response !== null && d.answers.some((a) => addrs.has(a))).map((d) => d.response!));
    const group: DnsTransactionRecord[] = [];
    // One lookup: the queries of the 30 s before the first address answer (later repeats are other lookups).
    for (const n of [name, ...(expansionsOf.get(name) ?? [])]) {
      group.push(...byName.get(n)!.filter((d) => { const q = d.queries[0] ?? Infinity; return q <= answeredAt + 1e-6 && q >= answeredAt - 30; }));
    }
    const start = Math.min(...group.map((d) => d.queries[0] ?? Infinity));
    if (!Number.isFinite(start) || !Number.isFinite(answeredAt)) continue;
    let firstConn = Infinity;
    for (const a of addrs) {
      for (const t of firstPacketsByIp.get(a) ?? []) if (t >= start && t <= answeredAt + 30 && t < firstConn) firstConn = t;
    }
    const lost = group.filter((d) => d.response === null);
    const resent = group.filter((d) => d.response !== null && d.queries.length > 1);
    const timedOut = lost.length > 0 || resent.length > 0;
    const lastAnswer = group.reduce((m, d) => (d.response !== null && d.response > m ? d.response : m), answeredAt);
    const end = timedOut ? (Number.isFinite(firstConn) ? firstConn : answeredAt) : Math.min(firstConn, lastAnswer);
    const answered = list.find((d) => d.response === answeredAt);
    const seconds = end - start;
    if (!Number.isFinite(seconds) || seconds < SLOW.dns) continue;
    const which = (l: DnsTransactionRecord[], sep: string): string => [...new Set(l.map((d) => `${d.type} ${d.name}`))].slice(0, 3).join(sep);
    const detail = lost.length ? `${which(lost, ', ')} unanswered before the name resolved`
      : resent.length ? `${which(resent, ', ')} sent again before its answer`
      : 'slow answer';
    const detailZh = lost.length ? `域名解析成功之前，${which(lost, '、')} 没有得到回答`
      : resent.length ? `${which(resent, '、')} 在得到回答之前又发送了一次`
      : '回答缓慢';
    const conf = Math.max(...group.map((d) => dnsRelevance(d, ctx)));
    const existing = cands.find((c) => c.key === `dns|${name}`);
    const p: TextParams = { host: name, server: list[0].server, seconds, detail };
    const summary = summaryText('dns', 'slow', p, lang) + (timedOut ? (lang === 'zh-CN' ? `（${detailZh}）` : ` (${detail})`) : '');
    if (existing && existing.finding.state === 'slow' && existing.weight >= seconds) continue;
    const f = existing?.finding ?? finding('dns', 'slow', {
      host: name, address: list[0].server, path: null, since: start, waited: seconds, confidence: conf, p, evidence: [], lang, refs: [],
    });
    Object.assign(f, { state: 'slow', since: start, waited: seconds, summary, hints: hintsFor('dns', 'slow', p, lang) });
    if (answered && f.evidence.length < 12) {
      f.evidence.push({ source: 'pcap', ref: `frame ${answered.frames[answered.frames.length - 1] ?? '?'}`, text: `${answered.type} ${answered.name} → ${answered.server}: ${answered.rcode ?? '?'} ${answered.answers.slice(0, 4).join(' ')} after ${fmt(answered.response! - (answered.queries[0] ?? answered.response!))} s` });
    }
    for (const d of lost.slice(0, 4)) {
      if (f.evidence.length < 12) f.evidence.push({ source: 'pcap', ref: `frame ${d.frames[0] ?? '?'}`, text: `${d.type} ${d.name} → ${d.server}: no answer (${d.queries.length} sends)` });
    }
    if (existing) { existing.recovered = false; existing.pending = false; existing.weight = seconds; }
    else cands.push({ finding: f, pending: false, recovered: false, weight: seconds, key: `dns|${name}`, count: 1, start });
  }

  // ---------------------------------------------------------------- connections
  const hostByUid = new Map<string, string | null>();
  const connInfo = new Map<string, { c: ConnectionRecord; host: string | null; viaProxy: boolean; stages: StageSpan[]; conf: number }>();
  for (const c of input.connections) {
    const id = identifyConnection(c, names);
    hostByUid.set(c.uid, id.host);
    const stages = connectionStages(c, netEnd);
    const conf = connectionRelevance(c, id.host, ctx);
    connInfo.set(c.uid, { c, host: id.host, viaProxy: id.viaProxy, stages, conf });
    for (const span of stages) allStages.push({ span, host: id.host, address: c.server, confidence: conf });
  }
  /**
   * When a later connection to the same host (or, without a name, the same server) got past
   * `stage` (connect, proxy-connect or tls); null if none did. Answered from an index built on the
   * first question (reachedIndex): asked once per stuck connection, a scan of all the others made a
   * capture of many stuck connections quadratic (8,000 blackholed SYNs took 2.2 s, 50,000 would
   * take over a minute). `self` is stuck (that is why it asks), so it never answers for itself.
   */
  let index: ReachedIndex | null = null;
  const reached = (host: string | null, server: string, stage: StageName, after: number): number | null => {
    index ??= reachedIndex(connInfo.values());
    const k = REACHED_ORDER.indexOf(stage);
    const group = host ? index.byHost.get(host) : index.byServer.get(server);
    if (!group || k < 0 || k >= REACHED_STAGES) return null;
    // The first connection that began at or after `after` (to a microsecond), then the earliest end over it and all later ones.
    let lo = 0;
    let hi = group.first.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (group.first[mid] < after - 1e-6) lo = mid + 1;
      else hi = mid;
    }
    const t = lo < group.first.length ? group.laterEnd[k][lo] : Infinity;
    return t === Infinity ? null : t;
  };
  /**
   * Connection candidates by merge key, for folding: past MAX_APART candidates of one key (the same
   * stage, state, host and address), a further one only adds to the first, as the merge below
   * would, without a finding of its own. The merge keeps the first one's texts, at most 12 pieces
   * of evidence and 50 refs, which the first MAX_APART already fill; 50,000 blackholed SYNs to one
   * address made 50,000 findings (texts, hints, evidence) only to merge them into one (442 MiB peak,
   * 3.6 s; now 343 MiB, 2.0 s, the same report). A go log line about a folded connection is added
   * to the first candidate of its key.
   */
  const connKeys = new Map<string, { first: Candidate; apart: number }>();
  const procs = new Map(input.processes.map((p) => [p.pid, p]));
  /** Servers a git process connected to (strace): go fetching directly. */
  const gitServers = new Set(input.syscalls
    .filter((x) => x.socket?.remote && isGitCommand(x.command ?? procs.get(x.pid)?.command))
    .map((x) => x.socket!.remote!));
  /** The candidate of each connection (by uid), for go's log lines below. */
  const candByUid = new Map<string, Candidate>();
  for (const { c, host, viaProxy, stages, conf } of connInfo.values()) {
    const stuck = stuckStage(stages);
    let span = stuck;
    if (!span) {
      const slow = stages.filter((s) => s.state === 'slow');
      span = slow.length ? slow.reduce((a, b) => (b.seconds > a.seconds ? b : a)) : null;
    }
    const cut = span ? undefined : stages.find((x) => x.cutShort);
    // Too short to be a stall, but a later connection to the same host got past the stage: the
    // client did not wait for this one, it moved on (go's fallback to another address after 300 ms).
    if (cut && reached(host, c.server, cut.stage, c.firstPacket) !== null) {
      span = { ...cut, state: 'stalled', cutShort: undefined };
    }
    if (!span) {
      // Still open when the evidence ended (not hung up on by the client): a note.
      if (cut && c.closed === null) {
        const note = cutShortNote(cut.stage, {
          host, address: c.server, path: null, since: cut.start, waited: cut.seconds, confidence: conf, lang,
          evidence: [{ source: 'pcap', ref: `frame ${cut.frame ?? c.frames.first}`, text: `${c.uid} ${c.client} → ${c.server}: ${cut.detail}` }],
          refs: [c.uid],
        }, `${cut.stage}|${host ?? endpointIp(c.server)}|${c.server}`);
        cands.push(note);
        if (!candByUid.has(c.uid)) candByUid.set(c.uid, note);
      }
      continue;
    }
    let stage: StageName = span.stage;
    const sumdb = host !== null && (isSumdbHost(host) || ctx.sumdbHosts.has(host)) ||
      c.http.some((x) => isSumdbPath(x.target) && x.firstByte === null);
    if (sumdb && stage === 'proxy-response') stage = 'checksum-db';
    const address = c.server;
    const pending = span.end === null && span.state === 'stalled' && waitReachesEnd(c, netEnd);
    const recoveredAt = span.state !== 'slow' && (stage === 'connect' || stage === 'tls' || stage === 'proxy-connect')
      ? reached(host, c.server, stage, c.firstPacket) : null;
    // A stalled connect that go got past (the IPv6 black hole with the IPv4 fallback): it cost time.
    const fellBack = recoveredAt !== null && span.state === 'stalled' && stage === 'connect';
    const recovered = recoveredAt !== null && !fellBack;
    if (fellBack) {
      span = { ...span, state: 'slow', end: recoveredAt, seconds: Math.max(0, recoveredAt - span.start),
        detail: `${span.detail}; fell back to another address after ${fmt(Math.max(0, recoveredAt - span.start))} s` };
    }
    const key = `${stage}|${span.state}|${host ?? endpointIp(address)}|${address}`;
    const group = connKeys.get(key);
    const pcProxy = stage === 'proxy-connect' ? c.proxyConnect : null;
    const p: TextParams = {
      host, address, seconds: span.seconds, detail: lang === 'zh-CN' ? span.detailZh ?? span.detail : span.detail, status: pcProxy?.status ?? null,
      path: c.http.find((x) => x.firstByte === null)?.target ?? null, syns: c.syns.length, bytes: span.lost?.bytes ?? null,
    };
    if (group !== undefined && group.apart >= maxApart) {
      // Only the summary is made, and only for a longer wait than the group's (foldRepeat keeps
      // the worst occurrence's): no finding for each of thousands of stuck connections.
      const summary = span.seconds > group.first.weight ? connectionSummary(stage, span, p, fellBack, lang) : undefined;
      foldRepeat(group.first, { pending, recovered, weight: span.seconds, waited: span.seconds, since: span.start, confidence: conf, summary });
      if (!candByUid.has(c.uid)) candByUid.set(c.uid, group.first);
      continue;
    }
    const evidence: Evidence[] = [{ source: 'pcap', ref: `frame ${span.frame ?? c.frames.first}`, text: `${c.uid} ${c.client} → ${c.server}: ${span.detail}` }];
    if (c.frames.last !== (span.frame ?? c.frames.first)) {
      evidence.push({ source: 'pcap', ref: `frame ${c.frames.last}`, text: `last packet of ${c.uid} (history ${c.history}, ${c.state})` });
    }
    const alert = span.alert === true;
    const f = finding(stage, span.state, {
      host, address, path: null, since: span.start, waited: span.seconds, confidence: conf, p, evidence, lang,
      refs: [c.uid], hintExtra: { sumdb, viaProxy, alert, direct: viaProxy ? null : directFetch(host, input.env, gitServers.has(c.server)), lost: span.lost },
    });
    if (span.lost || fellBack) f.summary = connectionSummary(stage, span, p, fellBack, lang);
    if (fellBack && c.ipVersion === 6) f.hints = [hintText('ipv6', { host, address }, lang), ...f.hints];
    const cand: Candidate = { finding: f, pending, recovered, weight: span.seconds, key, count: 1, start: span.start };
    cands.push(cand);
    if (group) group.apart++;
    else connKeys.set(key, { first: cand, apart: 1 });
    if (!candByUid.has(c.uid)) candByUid.set(c.uid, cand);
  }

  // An HTTP/2 (or any TLS) request left unanswered is invisible as a wait when other streams on the
  // connection were answered after it. What shows is silence: after the last exchange nothing moves
  // in either direction, on this connection or any other, until the client hangs up at the end.
  const quietAfter = (t: number, self: string): boolean => {
    for (const o of input.connections) {
      if (o.uid === self) continue;
      if (o.firstPacket > t + 0.5) return false;
      if ((o.lastPayload.client ?? -Infinity) > t + 0.5) return false;
    }
    return !input.dns.some((d) => d.queries.some((q) => q > t + 0.5));
  };
  for (const { c, host, stages, conf } of connInfo.values()) {
    if (!c.tls || c.tls.established === null || stuckStage(stages) || !c.longestIdle) continue;
    const idle = c.longestIdle;
    const closeAt = c.closed ?? c.lastPacket;
    if (idle.seconds < 3 || idle.seconds < 0.5 * (closeAt - c.firstPacket) || idle.start + idle.seconds < closeAt - 0.05) continue;
    if ((c.lastPayload.client ?? -Infinity) > idle.start + 0.05 || !openAtEnd(c, netEnd)) continue;
    if (!quietAfter(idle.start, c.uid)) continue;
    const waited = Math.max(0, netEnd - idle.start);
    const sumdb = host !== null && (isSumdbHost(host) || ctx.sumdbHosts.has(host));
    const stage: StageName = sumdb ? 'checksum-db' : 'proxy-response';
    const detail = `after the last exchange nothing moved for ${fmt(idle.seconds)} s while the connection stayed open: a request inside TLS left unanswered (go's -x log names the URL)`;
    const p: TextParams = {
      host, address: c.server, seconds: waited,
      detail: lang === 'zh-CN' ? `最后一次交换之后 ${fmt(idle.seconds)} 秒内没有任何数据，而连接仍然打开：TLS 内的一个请求没有得到回应（go 的 -x 日志会给出 URL）` : detail,
    };
    const cand: Candidate = {
      finding: finding(stage, 'stalled', {
        host, address: c.server, path: null, since: idle.start, waited, confidence: conf, p, lang, refs: [c.uid],
        evidence: [{ source: 'pcap', ref: `frame ${c.frames.last}`, text: `${c.uid} ${c.client} → ${c.server}: ${detail}` }],
        hintExtra: { sumdb, direct: directFetch(host, input.env, gitServers.has(c.server)) },
      }),
      // Weaker than a wait seen directly: it ranks with stalls the client gave up on.
      pending: false, recovered: false, weight: waited, key: `idle|${c.uid}`, count: 1, start: idle.start,
    };
    cands.push(cand);
    if (!candByUid.has(c.uid)) candByUid.set(c.uid, cand);
  }

  // ---------------------------------------------------------------- syscalls (strace)
  const goPidsStart = ctx.goStart;
  void goPidsStart;
  const straceEnd = input.evidenceEnd;
  const hostOfProcess = (pid: number): string | null => {
    for (let p = procs.get(pid), depth = 0; p && depth < 16; p = p.ppid !== null ? procs.get(p.ppid) : undefined, depth++) {
      for (const a of p.argv) {
        const m = /^[a-z+]+:\/\/(?:[^@/]*@)?([^/:\s]+)/i.exec(a) ?? /^[^@\s/]+@([^:\s]+):/.exec(a);
        if (m) return normalizeHost(m[1]);
      }
    }
    return null;
  };
  /** git (or its https helper, or ssh) blocked reading a pipe from a child it started just before: an askpass / credential prompt. */
  const askpassChild = (s: SyscallRecord): ProcessRecord | null => {
    if (s.name !== 'read' || !isGitCommand(s.command ?? procs.get(s.pid)?.command)) return null;
    if (!(s.duration === null || (s.result ?? '').trim().startsWith('?'))) return null;
    // strace -yy names the fd in the call text (`read(6<pipe:[…]>`); trust that over a remembered path.
    const onPipe = /<pipe:/.test(s.text) || (!/</.test(s.text) && (!s.path || /pipe/.test(s.path)));
    if (!onPipe) return null;
    for (const p of input.processes) {
      if (p.ppid !== s.pid || p.start === null || isGitCommand(p.command)) continue;
      if (p.start < s.start - 2 || p.start > s.start + 0.1) continue;
      if (p.end !== null && p.end < s.start + (s.duration ?? 0) * 0.9) continue;
      return p;
    }
    return null;
  };
  for (const s of input.syscalls) {
    const helper = s.kind === 'terminal-read' ? null : askpassChild(s);
    // A flock whose file strace could not name (no -y, fd opened where the log does not show it)
    // is still most likely go's module cache lock: go takes no other blocking flock.
    const unnamedFlock = (s.name === 'flock' || (s.name === 'fcntl' && /F_SETLKW/.test(s.text))) && !s.path &&
      /^go(\d|$)/.test(s.command ?? procs.get(s.pid)?.command ?? 'go');
    const isLock = s.kind === 'cache-lock' || unnamedFlock || (s.kind === 'file-lock' && !!s.path && /\.lock$|go\.sum|\/cache\//.test(s.path));
    const isPrompt = s.kind === 'terminal-read' || helper !== null;
    if (!isLock && !isPrompt) continue;
    const waited = s.duration ?? Math.max(0, straceEnd - s.start);
    // `= ?`: the process died (was killed) inside the call — it never got the lock.
    const neverReturned = s.duration === null || (s.result !== null && s.result.trim().startsWith('?'));
    let state: FindingState | null = null;
    if (neverReturned) state = unansweredState(waited);
    else if (s.duration !== null && s.duration >= 1) state = 'slow';
    if (!state) continue;
    const stage: StageName = isLock ? 'cache-lock' : 'git-prompt';
    const holder = isLock ? input.lockHolders?.find((l) => s.path && l.path === s.path) : undefined;
    const promptHost = isPrompt ? hostOfProcess(s.pid) : null;
    const p: TextParams = {
      path: s.path, module: s.module, seconds: waited, pid: holder?.pid ?? null, host: promptHost,
      detail: isPrompt ? prompterText({
        command: s.command ?? 'process', pid: s.pid, host: promptHost,
        helper: helper ? { argv: helper.argv.slice(0, 3).join(' '), pid: helper.pid } : null,
      }, lang) : null,
    };
    const fromProc = s.origin === 'proc';
    const evidence: Evidence[] = [fromProc
      ? { source: 'proc', ref: 'meta.json', text: `[pid ${s.pid}${s.command ? ' ' + s.command : ''}] ${s.text}${helper ? `; its child ${helper.command ?? '?'} (PID ${helper.pid}) started at ${clockTime(helper.start ?? 0)}s` : ''}` }
      : { source: 'strace', ref: `line ${s.line}`, text: `[pid ${s.pid}${s.command ? ' ' + s.command : ''}] ${s.text}${s.duration === null ? ' <unfinished at end of log>' : ` = ${s.result ?? '?'} <${fmt(s.duration)}>`}` }];
    if (holder) evidence.push({ source: fromProc ? 'proc' : 'strace', ref: 'meta', text: `lock held by PID ${holder.pid}${holder.command ? ' ' + holder.command : ''}` });
    const conf = isLock && s.kind === 'cache-lock' ? 0.95 : 0.8;
    if (state === 'ok') {
      // Too short to be a stall: a note when the log ended during the call, nothing when the process was killed in it.
      if (s.duration === null) cands.push(cutShortNote(stage, {
        host: promptHost, address: null, path: isPrompt ? null : s.path, since: s.start, waited, confidence: conf, lang, evidence,
        refs: [fromProc ? `pid ${s.pid}` : `line ${s.line}`],
      }, `${stage}|${s.path ?? s.pid}|cut`));
      continue;
    }
    cands.push({
      finding: finding(stage, state, {
        host: promptHost, address: null, path: isPrompt ? null : s.path, since: s.start, waited, confidence: conf, p, evidence, lang, refs: [fromProc ? `pid ${s.pid}` : `line ${s.line}`],
      }),
      pending: state === 'stalled', recovered: false, weight: waited, key: `${stage}|${s.path ?? s.pid}|${state}`, count: 1, start: s.start,
    });
  }

  // ---------------------------------------------------------------- go's own log
  const goEnd = input.evidenceEnd;
  for (const f of input.fetches) {
    const conn = connectionForFetch(f, input.connections, hostByUid);
    const info = conn ? connInfo.get(conn.uid) : undefined;
    const ev: Evidence = { source: 'go', ref: `line ${f.line}`, text: fetchText(f) };
    // Attach the line to the network candidate of its connection.
    const netCand = info ? candByUid.get(info.c.uid) : undefined;
    // A cut-short note takes only the fetch still waiting with it; a result is judged on its own.
    if (netCand && (!isNote(netCand) || (f.end === null && !f.error && f.status === null))) {
      if (netCand.finding.host === null && f.host) netCand.finding.host = normalizeHost(f.host);
      // The URL that never got its answer belongs in the sentence a person reads first.
      if (f.end === null && !f.error && f.status === null && netCand.finding.state === 'stalled' && !netCand.finding.summary.includes(f.url)) {
        const url = cutForSummary(f.url);
        netCand.finding.summary = lang === 'zh-CN' ? waitingForZh(netCand.finding.summary, url) : `${netCand.finding.summary.replace(/[.。]$/, '')} (waiting for ${url}).`;
      }
      netCand.finding.evidence.push(ev);
      if (!isNote(netCand)) netCand.finding.confidence = Math.max(netCand.finding.confidence, 0.95);
      if (f.end === null || f.error) netCand.finding.refs?.push(`go line ${f.line}`);
      continue;
    }
    const host = normalizeHost(f.host || hostOfUrl(f.url)?.host || '');
    // An error go printed for a stage the network evidence already shows for this host: one finding.
    if (f.error && f.errorStage) {
      const same = cands.find((c) => !isNote(c) && c.finding.stage === f.errorStage && (c.finding.host === host || (c.finding.address !== null && endpointIp(c.finding.address) === host)));
      if (same) {
        if (same.finding.evidence.length < 12) same.finding.evidence.push(ev);
        same.finding.confidence = Math.max(same.finding.confidence, 0.95);
        same.finding.refs?.push(`go line ${f.line}`);
        continue;
      }
    }
    let stage: StageName | null = null;
    let state: FindingState | null = null;
    let waited: number | null = null;
    if (f.end === null && !f.error && f.status === null) {
      stage = goroutineStage(input.goroutines) ?? (info ? stuckStage(info.stages)?.stage ?? 'proxy-response' : 'proxy-response');
      waited = f.start !== null ? Math.max(0, goEnd - f.start) : null;
      // go's log ended just after the request went out: a note only (below).
      state = waited !== null ? unansweredState(waited) : 'stalled';
    } else if (f.error) {
      state = 'failed';
      stage = f.errorStage ?? 'unknown';
      waited = f.seconds;
    } else if (f.status === 404 || f.status === 410) {
      state = 'failed';
      stage = 'not-found';
    } else if (f.status !== null && f.status >= 400) {
      state = 'failed';
      stage = 'proxy-response';
    } else if (f.seconds !== null && f.seconds >= 5) {
      state = 'slow';
      stage = 'proxy-response';
      waited = f.seconds;
    }
    if (!stage || !state) continue;
    // The network evidence already names what held this host up: the go line is its evidence.
    if (state === 'stalled' || state === 'slow') {
      const same = cands.find((c) => !c.recovered && c.finding.host === host && c.finding.stage !== 'not-found' &&
        (state === 'slow' ? c.finding.state !== 'ok' : c.finding.state === 'stalled' || c.finding.state === 'failed'));
      if (same) {
        if (same.finding.evidence.length < 12) same.finding.evidence.push(ev);
        same.finding.confidence = Math.max(same.finding.confidence, 0.95);
        same.finding.refs?.push(`go line ${f.line}`);
        continue;
      }
    }
    if (stage === 'proxy-response' && (isSumdbHost(host) || ctx.sumdbHosts.has(host) || isSumdbPath(f.url))) stage = 'checksum-db';
    if (/golang\.org\/toolchain\/@v\//.test(f.url) && state === 'slow') stage = 'toolchain';
    if (state === 'ok') {
      cands.push(cutShortNote(stage, {
        host, address: conn?.server ?? null, path: null, since: f.start, waited, confidence: 0.95, lang, evidence: [ev],
        refs: [`go line ${f.line}`, ...(conn ? [conn.uid] : [])],
      }, `go|${stage}|${host}|${f.url}`));
      continue;
    }
    const path = urlPath(f.url);
    const p: TextParams = { host, seconds: waited, status: f.status, path, detail: f.error ?? (f.status ? String(f.status) : null) };
    const recovered = stage === 'not-found' && gotPast(f, input.fetches, input.goErrors ?? []);
    cands.push({
      finding: finding(stage, state, {
        host, address: conn?.server ?? null, path: null, since: f.start, waited, confidence: 0.95, p, evidence: [ev], lang,
        refs: [`go line ${f.line}`, ...(conn ? [conn.uid] : [])],
        hintExtra: { sumdb: stage === 'checksum-db' },
      }),
      pending: state === 'stalled', recovered, weight: waited ?? 0, key: `go|${stage}|${state}|${host}|${f.url}`, count: 1, start: f.start ?? 0,
    });
  }
  // go's error lines: evidence for the candidate of the same stage, else a failure of their own.
  for (const e of input.goErrors ?? []) {
    if (!e.stage) continue;
    const ev: Evidence = { source: 'go', ref: `line ${e.line}`, text: e.text };
    const target = cands.find((c) => !isNote(c) && (c.finding.stage === e.stage || (e.stage === 'proxy-response' && c.finding.stage === 'checksum-db')));
    if (target) {
      if (target.finding.evidence.length < 12 && !target.finding.evidence.some((x) => x.ref === ev.ref)) target.finding.evidence.push(ev);
      continue;
    }
    if (cands.some((c) => c.finding.evidence.some((x) => x.source === 'go' && x.ref === ev.ref))) continue;
    const stage = e.stage;
    cands.push({
      finding: finding(stage, 'failed', {
        host: null, address: null, path: null, since: e.t, waited: null, confidence: 0.9,
        p: { detail: cutForSummary(e.text) }, evidence: [ev], lang, refs: [`go line ${e.line}`],
      }),
      pending: false, recovered: false, weight: 0, key: `goerr|${stage}|${e.text}`, count: 1, start: e.t ?? 0,
    });
  }
  // Goroutine dump: supporting evidence for the top candidate of the matching stage.
  for (const g of input.goroutines) {
    if (g.waitsOn === 'other') continue;
    const target = cands.find((c) => !isNote(c) && (c.finding.stage === g.waitsOn || (g.waitsOn === 'git' && c.finding.stage === 'git-prompt')));
    if (target && target.finding.evidence.length < 12) {
      target.finding.evidence.push({ source: 'go', ref: `goroutine ${g.id}`, text: `[${g.state}${g.waitMinutes !== null ? `, ${g.waitMinutes} minutes` : ''}] ${g.frame ?? g.frames[0] ?? ''}` });
    }
  }

  // ---------------------------------------------------------------- cache lock without strace
  // go's goroutine dump (the SIGQUIT record sends before stopping it) shows a goroutine inside
  // lockedfile/flock, and no strace log timed that call: the lock is the stall. The lock is the
  // one another process held under the module cache when the recording stopped (meta.json
  // `locks`, from /proc/locks); the wait is counted from go's last progress (its last fetch line).
  const lockWaiter = input.goroutines.find((g) => g.waitsOn === 'cache-lock');
  if (lockWaiter && !cands.some((c) => c.finding.stage === 'cache-lock')) {
    const holder = input.lockHolders?.find((l) => decodeCacheLockPath(l.path) !== null) ?? input.lockHolders?.[0];
    const since = Math.max(input.goStart ?? 0, lastFetchMark(input.fetches, input.evidenceEnd) ?? 0);
    const waited = Math.max(0, input.evidenceEnd - since);
    const path = holder?.path ?? null;
    const module = decodeCacheLockPath(path)?.module ?? null;
    const p: TextParams = { path, module, seconds: waited, pid: holder?.pid ?? null };
    const evidence: Evidence[] = [{
      source: 'go', ref: `goroutine ${lockWaiter.id}`,
      text: `[${lockWaiter.state}${lockWaiter.waitMinutes !== null ? `, ${lockWaiter.waitMinutes} minutes` : ''}] ${lockWaiter.frame ?? lockWaiter.frames[0] ?? ''}`,
    }];
    if (holder) evidence.push({ source: 'go', ref: 'meta', text: `lock held by PID ${holder.pid}${holder.command ? ' ' + holder.command : ''} when the recording stopped: ${holder.path}` });
    cands.push({
      finding: finding('cache-lock', 'stalled', {
        host: null, address: null, path, since, waited, confidence: holder ? 0.9 : 0.75, p, evidence, lang, refs: [`goroutine ${lockWaiter.id}`],
      }),
      pending: true, recovered: false, weight: waited, key: `cache-lock|${path ?? 'dump'}|stalled`, count: 1, start: since,
    });
  }

  // ---------------------------------------------------------------- go's resolver (netdns=2)
  // Which resolver go used for a name it could not resolve: its own (files,dns: /etc/hosts then
  // resolv.conf's servers, whose queries the capture shows) or the C library's (cgo: nsswitch,
  // systemd-resolved, VPN split DNS — queries may leave from another process or not at all).
  for (const c of cands) {
    if (c.finding.stage !== 'dns' || !c.finding.host || isNote(c)) continue;
    const name = normalizeHost(c.finding.host);
    const lookup = (input.lookups ?? []).find((l) => normalizeHost(l.host) === name);
    if (!lookup) continue;
    if (c.finding.evidence.length < 12) {
      c.finding.evidence.push({ source: 'go', ref: `line ${lookup.line}`, text: `go looked up ${lookup.host} with order ${lookup.order} (${resolverText(lookup.order)})` });
    }
    if (lookup.order === 'cgo') {
      const generic = hintText('netdns', {}, lang);
      c.finding.hints = [hintText('cgo-resolver', { host: lookup.host }, lang), ...c.finding.hints.filter((h) => h !== generic)];
    }
  }

  // ---------------------------------------------------------------- merge repeats, choose
  const merged = new Map<string, Candidate>();
  for (const c of cands) {
    const prev = merged.get(c.key);
    if (!prev) { merged.set(c.key, c); continue; }
    foldRepeat(prev, {
      pending: c.pending, recovered: c.recovered, weight: c.weight, waited: c.finding.waited, since: c.finding.since,
      confidence: c.finding.confidence, summary: c.finding.summary,
    });
    for (const e of c.finding.evidence) if (prev.finding.evidence.length < 12) prev.finding.evidence.push(e);
    prev.finding.refs = [...new Set([...(prev.finding.refs ?? []), ...(c.finding.refs ?? [])])].slice(0, 50);
  }
  const list = [...merged.values()];
  for (const c of list) if (c.count > 1) c.finding.summary += lang === 'zh-CN' ? `（共 ${c.count} 次）` : ` (${c.count} times)`;

  for (const c of list) if (c.recovered) c.finding.summary = (lang === 'zh-CN' ? '（已恢复）' : '(recovered) ') + c.finding.summary;
  // Once go's own traffic is identified, what is clearly not go's cannot be the verdict.
  const goSeen = allStages.some((s) => s.confidence >= 0.75) || list.some((c) => c.finding.confidence >= 0.75);
  const eligible = list.filter((c) => !c.recovered && !(goSeen && c.finding.confidence < 0.45));
  eligible.sort(compareCandidates);
  // A network stall or failure explains go's failure; without one, go's own error is the verdict.
  const goFailure = eligible.some((c) => c.finding.state === 'stalled' || c.finding.state === 'failed') ? null : goOwnFailure(input, lang);
  if (goFailure) {
    eligible.unshift(goFailure);
    list.push(goFailure);
  }
  const top = eligible[0];
  const findings: Finding[] = [];
  let verdict: Finding;
  if (top && top.finding.state !== 'ok') {
    verdict = top.finding;
    verdict.waited = verdict.waited === null ? null : round(verdict.waited);
    const others = list.filter((c) => c !== top).sort(compareCandidates);
    for (const c of others) findings.push(c.finding);
    if (others.some((c) => c.finding.confidence < 0.45 && c.finding.state === 'stalled') && verdict.confidence >= 0.45) {
      verdict.hints.push(hintText('other-traffic', {}, lang));
    }
    // A capture alone whose traffic nothing ties to go (confidence 0.5 at most: no go name, no go
    // log, strace or bundle): the hints are go's, and may be about some other program's traffic.
    if (verdict.confidence <= 0.5 && noGoEvidence(input)) verdict.hints.unshift(hintText('no-go-tie', {}, lang));
  } else {
    const slowest = allStages
      .filter((s) => s.confidence >= 0.45 && s.span.end !== null)
      .reduce<typeof allStages[number] | null>((a, b) => (!a || b.span.seconds > a.span.seconds ? b : a), null);
    const p: TextParams = slowest ? { stage: slowest.span.stage, host: slowest.host ?? slowest.address, seconds: slowest.span.seconds } : {};
    // Nothing at all came out of the inputs (an empty capture, one of a link type not decoded): say so, not "no stall".
    const nothing = input.dns.length === 0 && input.connections.length === 0 && input.syscalls.length === 0 &&
      input.processes.length === 0 && input.fetches.length === 0 && input.goroutines.length === 0 &&
      !input.goErrors?.length && !input.lookups?.length;
    verdict = {
      stage: 'none', state: 'ok', host: slowest?.host ?? null, address: slowest?.address ?? null, path: null,
      since: null, waited: null, confidence: slowest ? slowest.confidence : 0.5,
      summary: nothing ? nothingToJudgeText(input.packets ?? null, lang) : summaryText('none', 'ok', p, lang),
      evidence: slowest ? [{ source: 'pcap', ref: slowest.span.frame !== null ? `frame ${slowest.span.frame}` : 'capture', text: `slowest stage: ${slowest.span.stage} ${fmt(slowest.span.seconds)} s — ${slowest.span.detail}` }] : [],
      hints: [],
    };
    for (const c of list.sort(compareCandidates)) findings.push(c.finding);
  }
  for (const f of [verdict, ...findings]) {
    if (f.waited !== null) f.waited = round(f.waited);
    if (f.since !== null) f.since = round(f.since);
    f.confidence = Math.round(f.confidence * 100) / 100;
  }
  return { verdict, findings };
}

/** The inputs hold nothing of go's own: no go log (fetches, errors, lookups, dumps), no strace log of it, no bundle. */
function noGoEvidence(input: VerdictInput): boolean {
  return input.fetches.length === 0 && input.processes.length === 0 && input.goroutines.length === 0 &&
    !input.goErrors?.length && !input.lookups?.length && !input.env && input.goExit == null && input.goStart == null;
}

/**
 * A Chinese summary with the URL go waits for: （等待 URL）before its full stop, in place of the
 * URL's path when the summary already shows it in brackets.
 */
function waitingForZh(summary: string, url: string): string {
  const path = urlPath(url);
  const waiting = `（等待 ${url}）`;
  if (path && summary.includes(`（${path}）`)) return summary.replace(`（${path}）`, waiting);
  return `${summary.replace(/[.。]$/, '')}${waiting}。`;
}

/** go's text (an error line, a URL) in a summary: at most 300 characters. */
function cutForSummary(text: string): string {
  return text.length > 300 ? text.slice(0, 299) + '…' : text;
}

/**
 * go failed and the evidence shows no network stall or failure: the error lines go printed that
 * point at no stage (a malformed module path, an invalid version, a go.mod it cannot parse), the
 * first quoted in the summary; with no error line at all, the non-zero status it exited with
 * (meta.json). None when go exited 0 or was stopped, or when its only errors point at a stage
 * (their findings were recovered: judged there).
 */
function goOwnFailure(input: VerdictInput, lang: Lang): Candidate | null {
  // Exited 0, or stopped before it could fail: go did not fail.
  if (input.goExit && (input.goExit.code === null || input.goExit.code === 0)) return null;
  const code = input.goExit?.code ?? null;
  const errors = input.goErrors ?? [];
  const own = errors.filter((e) => e.stage === null);
  if (own.length === 0 && (code === null || errors.length > 0)) return null;
  const first = own.length > 0 ? own[0] : null;
  // `go: errors parsing go.mod:` says what is wrong on its next line: both are quoted.
  const next = first?.text.endsWith(':') ? own.find((e) => e.line === first.line + 1) : undefined;
  const kind = first ? goOwnErrorKind(first.text) : 'input';
  const evidence: Evidence[] = own.slice(0, 11).map((e) => ({ source: 'go', ref: `line ${e.line}`, text: e.text }));
  if (code !== null) evidence.push({ source: 'go', ref: 'meta.json', text: `go exited with status ${code}` });
  const finding: Finding = {
    stage: 'unknown', state: 'failed', host: null, address: null, path: null, since: first?.t ?? null, waited: null,
    confidence: 0.9,
    summary: goOwnErrorText(first ? cutForSummary(next ? `${first.text} ${next.text}` : first.text) : null, code, kind, lang),
    evidence,
    hints: [hintText(OWN_ERROR_HINT[kind], {}, lang)],
    refs: own.slice(0, 50).map((e) => `go line ${e.line}`),
  };
  return { finding, pending: false, recovered: false, weight: 0, key: 'go-own-error', count: 1, start: first?.t ?? 0 };
}

function resolverText(order: string): string {
  if (order === 'cgo') return "the C library's resolver: nsswitch, systemd-resolved, nscd, VPN split DNS";
  const parts = order.split(',').map((x) => (x === 'files' ? '/etc/hosts' : x === 'dns' ? "resolv.conf's servers" : x));
  return `go's own resolver: ${parts.join(', then ')}`;
}

function waitReachesEnd(c: ConnectionRecord, end: number): boolean {
  if (c.reset && c.reset.by === 'client') return c.reset.t + END_SLACK >= end - 2;
  // Closed by the client right at the end (go killed when the recording stopped) still counts.
  if (c.closed !== null) return c.closed + END_SLACK >= end - 2;
  return true;
}

function rankState(s: FindingState): number {
  return s === 'stalled' ? 3 : s === 'failed' ? 2 : s === 'slow' ? 1 : 0;
}

function tier(conf: number): number {
  return conf >= 0.75 ? 2 : conf >= 0.45 ? 1 : 0;
}

/** Order: tier of confidence, then class (pending stall, failure, stall given up, slow), then weight. */
function compareCandidates(a: Candidate, b: Candidate): number {
  const t = tier(b.finding.confidence) - tier(a.finding.confidence);
  if (t !== 0) return t;
  const cls = (c: Candidate): number => {
    const s = c.finding.state;
    if (s === 'stalled' && c.pending) return 5;
    if (s === 'failed' && c.finding.stage !== 'not-found') return 4;
    if (s === 'stalled') return 3;
    if (s === 'failed') return 2;
    if (s === 'slow') return 1;
    return 0;
  };
  const k = cls(b) - cls(a);
  if (k !== 0) return k;
  // Among failures, the latest is the one go died of; among stalls, the longest.
  if (a.finding.state === 'failed' && b.finding.state === 'failed') return (b.start ?? 0) - (a.start ?? 0);
  return b.weight - a.weight;
}

function goroutineStage(gs: readonly GoroutineSummary[]): StageName | null {
  let best: GoroutineSummary | null = null;
  for (const g of gs) {
    if (g.waitsOn === 'other' || g.waitsOn === 'git') continue;
    if (!best || (g.waitMinutes ?? 0) > (best.waitMinutes ?? 0)) best = g;
  }
  return best ? (best.waitsOn as StageName) : null;
}

function urlPath(u: string): string | null {
  const m = /^[a-z]+:\/\/[^/]+(\/[^?#]*)/i.exec(u);
  return m ? m[1] : null;
}

function fetchText(f: FetchRecord): string {
  if (f.error) return `# get ${f.url}: ${f.error}`;
  if (f.status !== null) return `# get ${f.url}: ${f.status}${f.seconds !== null ? ` (${f.seconds}s)` : ''}`;
  return `# get ${f.url} (no result line)`;
}

export function fmt(n: number): string {
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(3);
}

function finding(
  stage: StageName, state: FindingState,
  o: {
    host: string | null; address: string | null; path: string | null; since: number | null; waited: number | null;
    confidence: number; p: TextParams; evidence: Evidence[]; lang: Lang; refs: string[];
    hintExtra?: HintExtra;
  },
): Finding {
  return {
    stage, state, host: o.host, address: o.address, path: o.path, since: o.since, waited: o.waited,
    confidence: o.confidence,
    summary: summaryText(stage, state, o.p, o.lang),
    evidence: o.evidence,
    hints: hintsFor(stage, state, { ...o.p, ...(o.hintExtra ?? {}) }, o.lang),
    refs: o.refs,
  };
}

/** A connection finding's summary: the stage's text, data lost on the path, or for a connect go got past, the fallback. */
function connectionSummary(stage: StageName, span: StageSpan, p: TextParams, fellBack: boolean, lang: Lang): string {
  if (span.lost) return lostText(p, lang);
  if (!fellBack) return summaryText(stage, span.state, p, lang);
  const { host, address } = p;
  return lang === 'zh-CN'
    ? `到 ${address}${host ? `（${host}）` : ' '}的 TCP 连接没有回应；${fmt(span.seconds)} 秒后 go 改用了另一个地址。`
    : `TCP connect to ${address}${host ? ` (${host})` : ''} got no answer; go fell back to another address after ${fmt(span.seconds)} s.`;
}

/** A cut-short note (cutShortNote): evidence of what matters does not go to it. */
function isNote(c: Candidate): boolean {
  return c.finding.state === 'ok';
}

/**
 * A note, never the verdict: a wait with no answer yet that began less than MIN_STALL before the
 * evidence ended (stages.ts, `cutShort`). State ok; confidence at most 0.3, so that it is listed
 * after the findings that matter.
 */
function cutShortNote(
  stage: StageName,
  o: {
    host: string | null; address: string | null; path: string | null; since: number | null; waited: number | null;
    confidence: number; evidence: Evidence[]; lang: Lang; refs: string[];
  },
  key: string,
): Candidate {
  const p: TextParams = { host: o.host ?? o.address, seconds: o.waited };
  const f = finding(stage, 'ok', { ...o, confidence: Math.min(o.confidence, 0.3), p });
  f.summary = cutShortText(stage, p, o.lang);
  return { finding: f, pending: false, recovered: false, weight: 0, key: `cut|${key}`, count: 1, start: o.since ?? 0 };
}

/** The stages a later connection can get past, in order; `reached` asks about the first REACHED_STAGES. */
const REACHED_ORDER: StageName[] = ['connect', 'proxy-connect', 'tls', 'proxy-response', 'transfer'];
const REACHED_STAGES = 3;

/** Connections of one host (or server), in first-packet order. */
interface ReachedGroup {
  first: number[];
  /**
   * laterEnd[k][i]: the earliest end of a finished (ok or slow) stage at or after REACHED_ORDER[k]
   * over connections i, i+1, … of the group; Infinity when none finished one. Stuck connections
   * (a stalled or failed stage) count as having finished nothing, as `reached` has it.
   */
  laterEnd: number[][];
}

interface ReachedIndex {
  byHost: Map<string, ReachedGroup>;
  byServer: Map<string, ReachedGroup>;
}

function reachedIndex(infos: Iterable<{ c: ConnectionRecord; host: string | null; stages: StageSpan[] }>): ReachedIndex {
  type Entry = { first: number; ends: number[] };
  const byHost = new Map<string, Entry[]>();
  const byServer = new Map<string, Entry[]>();
  for (const info of infos) {
    const ends = new Array<number>(REACHED_STAGES).fill(Infinity);
    if (!stuckStage(info.stages)) {
      for (const x of info.stages) {
        if ((x.state !== 'ok' && x.state !== 'slow') || x.end === null) continue;
        const at = REACHED_ORDER.indexOf(x.stage);
        for (let k = 0; k < REACHED_STAGES && k <= at; k++) if (x.end < ends[k]) ends[k] = x.end;
      }
    }
    const e: Entry = { first: info.c.firstPacket, ends };
    if (info.host) push(byHost, info.host, e);
    push(byServer, info.c.server, e);
  }
  const group = (entries: Entry[]): ReachedGroup => {
    entries.sort((a, b) => a.first - b.first);
    const laterEnd = Array.from({ length: REACHED_STAGES }, () => new Array<number>(entries.length));
    for (let k = 0; k < REACHED_STAGES; k++) {
      let min = Infinity;
      for (let i = entries.length - 1; i >= 0; i--) {
        if (entries[i].ends[k] < min) min = entries[i].ends[k];
        laterEnd[k][i] = min;
      }
    }
    return { first: entries.map((x) => x.first), laterEnd };
  };
  const out: ReachedIndex = { byHost: new Map(), byServer: new Map() };
  for (const [host, entries] of byHost) out.byHost.set(host, group(entries));
  for (const [server, entries] of byServer) out.byServer.set(server, group(entries));
  return out;

  function push(m: Map<string, Entry[]>, key: string, e: Entry): void {
    const list = m.get(key);
    if (list) list.push(e);
    else m.set(key, [e]);
  }
}

/**
 * Whether go got past a 404/410: a fetch it started after that answer came back (the same path
 * from the next GOPROXY entry, `@latest` after a missing `@v/list`, the next module) succeeded,
 * and go printed no error line naming the URL (its final "reading URL: 410 Gone" means it gave
 * up on it). "After" is after the answer, not after the request: go fetches several modules at
 * once, and a success that was already in flight says nothing about this one. By time when the
 * log has times, else by line (the start line of a fetch that began after this one, a weaker
 * order: two requests in flight print their start lines before either result).
 */
function gotPast(f: FetchRecord, fetches: readonly FetchRecord[], goErrors: readonly { text: string }[]): boolean {
  if (goErrors.some((e) => e.text.includes(f.url))) return false;
  return fetches.some((g) => g !== f && g.status !== null && g.status < 400 &&
    (f.end !== null && g.start !== null ? g.start >= f.end : g.line > f.line));
}
