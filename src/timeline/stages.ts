/**
 * Stages of each connection and DNS lookup: dns → connect → proxy-connect → tls → proxy-response →
 * transfer, each with a start, an end (null = still waiting when the evidence ended) and a state.
 * The stage a connection is stuck in, if any, is the last one that did not complete.
 *
 * Definitions (docs/verdicts.md keeps the prose in step):
 *  - stalled: the stage began and its answer never came before the end of the evidence (or before
 *    the client gave up and closed); a timeout is a stall.
 *  - failed: the other side answered with a refusal: RST, a DNS rcode other than NOERROR (NXDOMAIN,
 *    SERVFAIL, REFUSED, BADCOOKIE, …), a TLS alert, a CONNECT status other than 2xx, an HTTP 4xx/5xx.
 *  - slow: completed, but took at least the stage's slow threshold.
 *  - not a stall: a wait with no answer that lasted less than MIN_STALL, to the end of the evidence
 *    (the capture was stopped just after the request) or to the client hanging up: ok, `cutShort`.
 *  - lost on the path: data one side re-sent that the other never acknowledged, for MIN_STALL or
 *    more until the end: the stage it was sent at is stalled, whatever the exchange looked like (`lost`).
 */
import type {
  ConnectionRecord, DnsTransactionRecord, FindingState, HttpExchangeRecord, StageName,
} from '../report/schema.js';
import { clockTime } from './hints.js';

export interface StageSpan {
  stage: StageName;
  start: number;
  /** null: never completed within the evidence. */
  end: number | null;
  state: FindingState;
  /** Seconds spent: end - start, or (evidence end or give-up time) - start when still waiting. */
  seconds: number;
  /** Short technical detail in English (e.g. 'SYN sent 5 times, no SYN-ACK'). */
  detail: string;
  /** The detail in Simplified Chinese, for zh-CN summaries; absent where `detail` has no words to translate. */
  detailZh?: string;
  /** Capture frame that best shows it, when known. */
  frame: number | null;
  /** tls: a TLS alert ended the handshake (not a reset or silence). */
  alert?: true;
  /** No answer, but less than MIN_STALL passed before the evidence ended or the client hung up: ok, not a stall. */
  cutShort?: true;
  /** Stalled because data sent at this stage was re-sent and never acknowledged (lostOnPath): who sent it, how many bytes, whether it was the ClientHello. */
  lost?: { by: 'client' | 'server'; bytes: number; clientHello: boolean };
}

/** Seconds from which a completed stage counts as slow. */
export const SLOW: Record<string, number> = {
  dns: 1,
  connect: 1,
  'proxy-connect': 2,
  tls: 2,
  'proxy-response': 5,
  transfer: 10,
};

/** A pending wait shorter than this at the end of the evidence is not a stall (it just began). */
export const MIN_STALL = 1;

/**
 * The state of a wait with no answer that lasted `seconds` (to the end of the evidence, or until
 * the client gave up): a stall from MIN_STALL on, ok before. The one rule for every stage, and for
 * the report's rows of syscalls and go fetches (report/model.ts).
 */
export function unansweredState(seconds: number): 'ok' | 'stalled' {
  return seconds < MIN_STALL ? 'ok' : 'stalled';
}

/** unansweredState, as a stage's fields: ok is `cutShort`. */
function unanswered(seconds: number): { state: FindingState; cutShort?: true } {
  return unansweredState(seconds) === 'ok' ? { state: 'ok', cutShort: true } : { state: 'stalled' };
}

/** Trickle: body arriving slower than this many bytes per second over at least MIN_TRICKLE seconds. */
export const TRICKLE_RATE = 16 * 1024;
export const MIN_TRICKLE = 3;

/**
 * When a DNS transaction began: its first query. A response whose query was sent before the
 * capture began is timed from the response (how long the lookup took is unknown), not from the
 * capture's start.
 */
export function lookupStart(d: DnsTransactionRecord): number {
  return d.queries[0] ?? d.response ?? 0;
}

export function dnsStage(d: DnsTransactionRecord, evidenceEnd: number): StageSpan {
  const start = lookupStart(d);
  const frame = d.frames[0] ?? null;
  if (d.response === null) {
    const sends = d.queries.length;
    return {
      stage: 'dns', start, end: null, ...unanswered(evidenceEnd - start), seconds: Math.max(0, evidenceEnd - start), frame,
      detail: `${d.type} query for ${d.name} to ${d.server} sent ${sends} time${sends === 1 ? '' : 's'}, no answer`,
      detailZh: `发往 ${d.server} 的 ${d.type} ${d.name} 查询发送了 ${sends} 次，没有回答`,
    };
  }
  const seconds = Math.max(0, d.response - start);
  const rframe = d.frames[d.frames.length - 1] ?? frame;
  if (d.rcode !== null && d.rcode !== 'NOERROR') {
    return {
      stage: 'dns', start, end: d.response, state: 'failed', seconds, frame: rframe,
      detail: `${d.type} ${d.name}: ${d.rcode} from ${d.server}`,
      detailZh: `${d.type} ${d.name}：${d.server} 返回 ${d.rcode}`,
    };
  }
  return {
    stage: 'dns', start, end: d.response, state: seconds >= SLOW.dns ? 'slow' : 'ok', seconds, frame: rframe,
    detail: `${d.type} ${d.name}: ${d.rcode ?? 'answer'}${d.answers.length ? ' ' + d.answers.slice(0, 3).join(', ') : ''}`,
  };
}

/** When the client stopped waiting on this connection (its FIN/RST), or the evidence end. */
function waitEnd(c: ConnectionRecord, evidenceEnd: number): number {
  if (c.reset && c.reset.by === 'client') return c.reset.t;
  if (c.closed !== null) return c.closed;
  return Math.max(evidenceEnd, c.lastPacket);
}

/**
 * The connection was still open when the evidence ended, or the client closed it right at the end
 * (go killed or stopped when the recording stopped): a wait that was cut short by that is a stall.
 */
export function openAtEnd(c: ConnectionRecord, evidenceEnd: number, slack = 2): boolean {
  if (c.reset && c.reset.by === 'server') return false;
  if (c.reset) return c.reset.t >= evidenceEnd - slack;
  if (c.closed !== null) return c.closed >= evidenceEnd - slack;
  return true;
}

function serverRefused(c: ConnectionRecord, after: number): boolean {
  return c.reset !== null && c.reset.by === 'server' && c.reset.t >= after - 1e-6;
}

export function connectionStages(c: ConnectionRecord, evidenceEnd: number): StageSpan[] {
  return lostOnPath(c, exchangeStages(c, evidenceEnd), waitEnd(c, evidenceEnd));
}

/** The stages as the exchange shows them: what each side sent and when the other answered. */
function exchangeStages(c: ConnectionRecord, evidenceEnd: number): StageSpan[] {
  const out: StageSpan[] = [];
  const until = waitEnd(c, evidenceEnd);
  // ---- connect
  if (c.syns.length > 0) {
    const start = c.syns[0];
    if (c.synAck !== null) {
      const seconds = Math.max(0, c.synAck - start);
      out.push({
        stage: 'connect', start, end: c.synAck, seconds, frame: c.frames.first,
        state: seconds >= SLOW.connect ? 'slow' : 'ok',
        detail: c.syns.length > 1 ? `SYN sent ${c.syns.length} times before the SYN-ACK` : 'SYN answered',
        detailZh: c.syns.length > 1 ? `收到 SYN-ACK 前 SYN 发送了 ${c.syns.length} 次` : 'SYN 已应答',
      });
    } else if (c.established !== null) {
      // The capture missed the SYN-ACK; the client's ACK shows it came (docs/tcp-analysis.md).
      const seconds = Math.max(0, c.established - start);
      out.push({
        stage: 'connect', start, end: c.established, seconds, frame: c.frames.first,
        state: seconds >= SLOW.connect ? 'slow' : 'ok',
        detail: 'SYN-ACK not in the capture, acknowledged by the client',
      });
    } else if (serverRefused(c, start)) {
      out.push({
        stage: 'connect', start, end: c.reset!.t, seconds: Math.max(0, c.reset!.t - start), frame: c.frames.last,
        state: 'failed', detail: `SYN answered with RST (connection refused) by ${c.server}`,
        detailZh: `${c.server} 以 RST 回应 SYN（连接被拒绝）`,
      });
      return out;
    } else {
      out.push({
        stage: 'connect', start, end: null, seconds: Math.max(0, until - start), frame: c.frames.first,
        ...unanswered(until - start),
        detail: `SYN sent ${c.syns.length} time${c.syns.length === 1 ? '' : 's'} to ${c.server}, no SYN-ACK`,
        detailZh: `向 ${c.server} 发送了 ${c.syns.length} 次 SYN，没有 SYN-ACK`,
      });
      return out;
    }
  }
  // ---- proxy-connect
  const pc = c.proxyConnect;
  if (pc) {
    if (pc.response === null) {
      const failed = serverRefused(c, pc.request);
      out.push({
        stage: 'proxy-connect', start: pc.request, end: failed ? c.reset!.t : null,
        seconds: Math.max(0, (failed ? c.reset!.t : until) - pc.request), frame: c.frames.first,
        ...(failed ? { state: 'failed' as const } : unanswered(until - pc.request)),
        detail: failed ? `CONNECT ${pc.target} reset by the proxy` : `CONNECT ${pc.target} sent, no answer from the proxy`,
        detailZh: failed ? `CONNECT ${pc.target} 被代理重置` : `已发出 CONNECT ${pc.target}，代理没有回应`,
      });
      return out;
    }
    const seconds = Math.max(0, pc.response - pc.request);
    const ok = pc.status !== null && pc.status >= 200 && pc.status < 300;
    out.push({
      stage: 'proxy-connect', start: pc.request, end: pc.response, seconds, frame: c.frames.first,
      state: !ok ? 'failed' : seconds >= SLOW['proxy-connect'] ? 'slow' : 'ok',
      detail: `CONNECT ${pc.target}: ${pc.status ?? '?'}${pc.reason ? ' ' + pc.reason : ''}`,
    });
    if (!ok) return out;
  }
  // ---- tls
  const tls = c.tls;
  if (tls) {
    const serverAlert = tls.alert && tls.alert.from === 'server' ? tls.alert : null;
    const anyAlert = tls.alert;
    if (tls.serverHello === null) {
      const resetAt = serverRefused(c, tls.clientHello) ? c.reset!.t : null;
      const failedAt = serverAlert ? serverAlert.t : resetAt;
      out.push({
        stage: 'tls', start: tls.clientHello, end: failedAt, frame: tls.clientHelloFrame,
        seconds: Math.max(0, (failedAt ?? until) - tls.clientHello),
        ...(failedAt !== null ? { state: 'failed' as const } : unanswered(until - tls.clientHello)),
        ...(serverAlert ? { alert: true as const } : {}),
        detail: serverAlert
          ? `TLS alert ${serverAlert.description ?? ''} from the server after the ClientHello`.replace('  ', ' ')
          : resetAt !== null
            ? `connection reset by the server after the ClientHello${tls.sni ? ` (SNI ${tls.sni})` : ''}`
            : `ClientHello${tls.sni ? ` (SNI ${tls.sni})` : ''} sent, no ServerHello`,
        detailZh: serverAlert
          ? `服务器在 ClientHello 之后发来 TLS 告警${serverAlert.description ? ` ${serverAlert.description}` : ''}`
          : resetAt !== null
            ? `服务器在 ClientHello${tls.sni ? `（SNI ${tls.sni}）` : ''}之后重置了连接`
            : `已发出 ClientHello${tls.sni ? `（SNI ${tls.sni}）` : ''}，没有 ServerHello`,
      });
      return out;
    }
    const end = tls.established ?? tls.serverHello;
    const seconds = Math.max(0, end - tls.clientHello);
    const handshakeAlert = anyAlert && (tls.established === null || anyAlert.t <= tls.established) ? anyAlert : null;
    out.push({
      stage: 'tls', start: tls.clientHello, end, seconds, frame: tls.clientHelloFrame,
      state: handshakeAlert ? 'failed' : seconds >= SLOW.tls ? 'slow' : 'ok',
      ...(handshakeAlert ? { alert: true as const } : {}),
      detail: handshakeAlert
        ? `TLS alert ${handshakeAlert.description ?? handshakeAlert.level ?? ''} from the ${handshakeAlert.from}`
        : `${tls.version ?? 'TLS'} handshake${tls.alpnChosen ? ' (' + tls.alpnChosen + ')' : ''}`,
      detailZh: handshakeAlert
        ? `${handshakeAlert.from === 'server' ? '服务器' : '客户端'}发来 TLS 告警 ${handshakeAlert.description ?? handshakeAlert.level ?? ''}`
        : `${tls.version ?? 'TLS'} 握手${tls.alpnChosen ? `（${tls.alpnChosen}）` : ''}`,
    });
    if (handshakeAlert) return out;
  }
  // ---- proxy-response and transfer
  if (c.http.length > 0) {
    for (const h of c.http) out.push(...httpStages(c, h, until, evidenceEnd));
  } else if (c.tls || c.waits.length > 0) {
    out.push(...waitStages(c, until, evidenceEnd));
  }
  return out;
}

function httpStages(c: ConnectionRecord, h: HttpExchangeRecord, until: number, evidenceEnd: number): StageSpan[] {
  const out: StageSpan[] = [];
  const what = `${h.method} ${h.target}`;
  const unseen = c.ackedUnseen;
  if (h.firstByte === null && unseen && unseen.last >= h.request) {
    // The client acknowledged server bytes the capture does not hold: the response went unseen.
    out.push({
      stage: 'proxy-response', start: h.request, end: unseen.last, seconds: Math.max(0, unseen.last - h.request), frame: null,
      state: 'ok', detail: `${what}: response not in the capture, acknowledged by the client`,
    });
    return out;
  }
  if (h.firstByte === null) {
    const failed = serverRefused(c, h.request);
    const seconds = Math.max(0, (failed ? c.reset!.t : until) - h.request);
    out.push({
      stage: 'proxy-response', start: h.request, end: failed ? c.reset!.t : null, seconds, frame: c.frames.last,
      ...(failed ? { state: 'failed' as const } : unanswered(seconds)),
      detail: failed ? `${what}: connection reset before any response` : `${what} sent, no response`,
      detailZh: failed ? `${what}：在任何响应之前连接被重置` : `已发出 ${what}，没有响应`,
    });
    return out;
  }
  const seconds = Math.max(0, h.firstByte - h.request);
  const status = h.status;
  const notFound = status === 404 || status === 410;
  out.push({
    stage: notFound ? 'not-found' : 'proxy-response', start: h.request, end: h.firstByte, seconds, frame: null,
    state: notFound || (status !== null && status >= 400) ? 'failed' : seconds >= SLOW['proxy-response'] ? 'slow' : 'ok',
    detail: `${what}: ${status ?? '?'}${h.reason ? ' ' + h.reason : ''}`,
  });
  // Body.
  if (h.end !== null) {
    const body = Math.max(0, h.end - h.firstByte);
    const rate = body > 0 ? h.bodyBytes / body : Infinity;
    out.push({
      stage: 'transfer', start: h.firstByte, end: h.end, seconds: body, frame: null,
      state: body >= SLOW.transfer || (body >= MIN_TRICKLE && rate < TRICKLE_RATE) ? 'slow' : 'ok',
      detail: `${h.bodyBytes} bytes in ${body.toFixed(3)} s`,
      detailZh: `${body.toFixed(3)} 秒内收到 ${h.bodyBytes} 字节`,
    });
  } else {
    const body = Math.max(0, until - h.firstByte);
    const expected = h.contentLength !== null ? ` of ${h.contentLength}` : '';
    const stillGoing = openAtEnd(c, evidenceEnd);
    const lastByte = Math.max(h.firstByte, c.lastPayload.server ?? h.firstByte);
    const quiet = Math.max(0, until - lastByte);
    let state: FindingState = 'ok';
    let why = '';
    let whyZh = '';
    if (!stillGoing) { state = 'failed'; why = ', connection closed early'; whyZh = '，连接提前关闭'; }
    else if (quiet >= Math.max(MIN_STALL * 2, body / 3)) {
      state = 'stalled';
      why = `, then nothing for ${quiet.toFixed(1)} s`;
      whyZh = `，之后 ${quiet.toFixed(1)} 秒没有数据`;
    } else if (body >= MIN_TRICKLE) { state = 'slow'; why = ', still arriving'; whyZh = '，仍在接收'; }
    out.push({
      stage: 'transfer', start: h.firstByte, end: null, seconds: body, frame: c.frames.last, state,
      detail: `${h.bodyBytes}${expected} body bytes after ${body.toFixed(1)} s${why}`,
      detailZh: `${body.toFixed(1)} 秒后收到 ${h.contentLength !== null ? `${h.contentLength} 字节中的 ` : ''}${h.bodyBytes} 字节正文${whyZh}`,
    });
  }
  return out;
}

/** Encrypted application data: waits for the first server byte, then the body as server bytes. */
function waitStages(c: ConnectionRecord, until: number, evidenceEnd: number): StageSpan[] {
  const out: StageSpan[] = [];
  for (const w of c.waits) {
    if (w.firstByte === null) {
      const failed = serverRefused(c, w.request);
      const seconds = Math.max(0, (failed ? c.reset!.t : until) - w.request);
      out.push({
        stage: 'proxy-response', start: w.request, end: failed ? c.reset!.t : null, seconds, frame: c.frames.last,
        ...(failed ? { state: 'failed' as const } : unanswered(seconds)),
        detail: failed
          ? `request of ${w.requestBytes} bytes sent, connection reset by the server before any response`
          : `request of ${w.requestBytes} bytes sent, no response byte for ${seconds.toFixed(1)} s`,
        detailZh: failed
          ? `已发出 ${w.requestBytes} 字节的请求，服务器在任何响应之前重置了连接`
          : `已发出 ${w.requestBytes} 字节的请求，${seconds.toFixed(1)} 秒没有任何响应字节`,
      });
    } else {
      const seconds = Math.max(0, w.firstByte - w.request);
      out.push({
        stage: 'proxy-response', start: w.request, end: w.firstByte, seconds, frame: null,
        state: seconds >= SLOW['proxy-response'] ? 'slow' : 'ok',
        detail: `first response byte after ${seconds.toFixed(3)} s`,
        detailZh: `${seconds.toFixed(3)} 秒后收到第一个响应字节`,
      });
    }
  }
  // Transfer: server payload after the last answered wait.
  const answered = c.waits.filter((w) => w.firstByte !== null);
  const last = answered[answered.length - 1];
  const lastServer = c.lastPayload.server;
  if (last && last.firstByte !== null && lastServer !== null && lastServer > last.firstByte) {
    const pending = c.waits.some((w) => w.firstByte === null && w.request > last.firstByte!);
    const seconds = lastServer - last.firstByte;
    // Bytes are per connection; the body share is approximate for reused connections.
    const rate = seconds > 0 ? c.bytes.server / Math.max(seconds, lastServer - (c.firstPayload.server ?? lastServer)) : Infinity;
    const stillArriving = openAtEnd(c, evidenceEnd) && evidenceEnd - lastServer < Math.max(5, seconds / 2);
    // A long silence inside the span (an idle keep-alive connection, then the server's closing
    // bytes when the client hung up) is not a body: the transfer ended where the silence began.
    const idle = c.longestIdle;
    if (idle && idle.seconds >= Math.max(1, seconds / 2) && idle.start >= last.firstByte - 1e-6) {
      const end = Math.max(last.firstByte, idle.start);
      out.push({
        stage: 'transfer', start: last.firstByte, end, seconds: end - last.firstByte, frame: null,
        state: end - last.firstByte >= SLOW.transfer ? 'slow' : 'ok',
        detail: `server data until ${clockTime(end)} s, then idle for ${idle.seconds.toFixed(1)} s`,
        detailZh: `服务器数据持续到 ${clockTime(end)} 秒，之后空闲 ${idle.seconds.toFixed(1)} 秒`,
      });
      return out;
    }
    let state: FindingState = 'ok';
    if (!pending && seconds >= MIN_TRICKLE && rate < TRICKLE_RATE) state = 'slow';
    else if (seconds >= SLOW.transfer) state = 'slow';
    out.push({
      stage: 'transfer', start: last.firstByte, end: stillArriving && state === 'slow' ? null : lastServer,
      seconds: stillArriving && state === 'slow' ? Math.max(seconds, Math.min(until, evidenceEnd) - last.firstByte) : seconds,
      frame: c.frames.last, state,
      detail: `${c.bytes.server} server bytes over ${seconds.toFixed(1)} s (${Math.round(rate === Infinity ? 0 : rate)} B/s)` +
        (stillArriving && state === 'slow' ? ', still arriving' : ''),
      detailZh: `${seconds.toFixed(1)} 秒内收到服务器 ${c.bytes.server} 字节（${Math.round(rate === Infinity ? 0 : rate)} B/s）` +
        (stillArriving && state === 'slow' ? '，仍在接收' : ''),
    });
  }
  return out;
}

/** What the data lost at a stage was, by who sent it (lostOnPath). */
const LOST_WHAT: Record<'client' | 'server', Partial<Record<StageName, { en: string; zh: string }>>> = {
  client: {
    tls: { en: "the client's handshake", zh: '客户端的握手消息' },
    'proxy-connect': { en: 'the CONNECT request', zh: 'CONNECT 请求' },
    'proxy-response': { en: 'the request', zh: '请求' },
  },
  server: {
    tls: { en: "the server's handshake (ServerHello, certificates)", zh: '服务器的握手消息（ServerHello、证书）' },
    'proxy-connect': { en: "the proxy's answer to CONNECT", zh: '代理对 CONNECT 的回应' },
    'proxy-response': { en: 'the response', zh: '响应' },
  },
};

/**
 * Data one side re-sent that the other side never acknowledged, until the connection or the
 * evidence ended (c.unacked, docs/tcp-analysis.md): lost on the path — an MTU black hole, a
 * middlebox dropping one direction, a dead peer. The capture may hold bytes the other side never
 * got (a response it shows as answered), so the stage the data belongs to is stalled whatever the
 * exchange made of it, and what came after it is dropped: for the client's data the first stage
 * that began at or after the first unacknowledged send (its request), for the server's the first
 * whose answer came then or later, or is still awaited. None of them (a capture that began
 * mid-connection, or data acknowledged in part): a stage of its own, in the TLS handshake when it
 * never completed, else waiting for the response (the client's data) or the transfer (the server's).
 * Less than MIN_STALL before the end: the stages as they are.
 */
function lostOnPath(c: ConnectionRecord, stages: StageSpan[], until: number): StageSpan[] {
  const u = c.unacked;
  if (!u || until - u.since < MIN_STALL) return stages;
  const at = u.by === 'client'
    ? stages.findIndex((s) => s.start >= u.since - 1e-6)
    : stages.findIndex((s) => s.end === null || s.end >= u.since - 1e-6);
  const handshake = c.tls !== null && c.tls.established === null;
  // (A 404 the capture shows but the client never got is no answer either.)
  const stage: StageName = at >= 0 ? (stages[at].stage === 'not-found' ? 'proxy-response' : stages[at].stage)
    : handshake ? 'tls' : u.by === 'client' ? 'proxy-response' : 'transfer';
  const clientHello = u.by === 'client' && stage === 'tls' && c.tls !== null && c.tls.serverHello === null;
  const what = clientHello ? { en: 'the ClientHello', zh: 'ClientHello' }
    : LOST_WHAT[u.by][stage] ?? (u.by === 'client' ? { en: "the client's data", zh: '客户端的数据' } : { en: "the server's data", zh: '服务器的数据' });
  const seconds = until - u.since;
  const peer = u.by === 'client' ? { en: 'server', zh: '服务器' } : { en: 'client', zh: '客户端' };
  const lost: StageSpan = {
    stage, start: u.since, end: null, state: 'stalled', seconds, frame: at >= 0 ? stages[at].frame : c.frames.last,
    detail: `${u.bytes} bytes of ${what.en} were never acknowledged by the ${peer.en}, re-sent ${u.resends} time${u.resends === 1 ? '' : 's'} in ${seconds.toFixed(1)} s`,
    detailZh: `${what.zh} 的 ${u.bytes} 字节在 ${seconds.toFixed(1)} 秒内重发了 ${u.resends} 次，${peer.zh}始终没有确认`,
    lost: { by: u.by, bytes: u.bytes, clientHello },
  };
  return at >= 0 ? [...stages.slice(0, at), lost] : [...stages, lost];
}

/** The stage a connection is stuck in (stalled or failed), else null. */
export function stuckStage(stages: readonly StageSpan[]): StageSpan | null {
  let best: StageSpan | null = null;
  for (const s of stages) {
    if (s.state !== 'stalled' && s.state !== 'failed') continue;
    if (s.stage === 'not-found') continue;
    if (!best || (s.state === 'stalled' && (best.state !== 'stalled' || s.seconds > best.seconds))) best = s;
  }
  return best;
}

/** The slowest completed (or still running) stage. */
export function slowestStage(stages: readonly StageSpan[]): StageSpan | null {
  let best: StageSpan | null = null;
  for (const s of stages) if (!best || s.seconds > best.seconds) best = s;
  return best;
}
