/**
 * Everything the verdict says in words: the one-sentence summaries and the hints, in English and
 * Simplified Chinese. Texts take plain parameters (host, address, seconds…); renderers escape them.
 */
import type { FindingState, StageName } from '../report/schema.js';
import type { GoOwnErrorKind } from '../gotool/errors.js';
import type { DirectReason } from './relevance.js';
import { endpointIp } from './join.js';

export type Lang = 'en' | 'zh-CN';

/** `--lang` wins; else a zh locale in LC_ALL / LC_MESSAGES / LANG selects Simplified Chinese. */
export function resolveLang(flag?: string | null, env: NodeJS.ProcessEnv = process.env): Lang {
  const pick = (v: string | undefined | null): Lang | null => {
    if (!v) return null;
    const s = v.toLowerCase();
    if (s.startsWith('zh')) return 'zh-CN';
    if (s.startsWith('en') || s === 'c' || s === 'posix' || s.startsWith('c.')) return 'en';
    return null;
  };
  if (flag) {
    const l = pick(flag);
    if (l) return l;
  }
  for (const k of ['LC_ALL', 'LC_MESSAGES', 'LANG']) {
    const v = env[k];
    if (v) return pick(v) ?? 'en';
  }
  return 'en';
}

export interface TextParams {
  host?: string | null;
  address?: string | null;
  path?: string | null;
  module?: string | null;
  seconds?: number | null;
  server?: string | null;
  status?: number | null;
  rcode?: string | null;
  pid?: number | null;
  detail?: string | null;
  count?: number | null;
  stage?: string | null;
  /** How many SYNs the connection sent (connect). */
  syns?: number | null;
  /** Bytes of the data lost on the path (the pq-client-hello hint). */
  bytes?: number | null;
}

type Text = { en: (p: TextParams) => string; zh: (p: TextParams) => string };

/**
 * A time on the report's clock (seconds since t0) for people: signed, to the millisecond, `+0.026`
 * or `-0.001` (before t0); the caller adds the unit. The HTML page's script has its own copy (`rel`).
 */
export function clockTime(t: number): string {
  // Round first, so that a time a hair before t0 is +0.000 and not -0.000.
  const ms = Math.round(t * 1000);
  return `${ms < 0 ? '-' : '+'}${(Math.abs(ms) / 1000).toFixed(3)}`;
}

const s = (n: number | null | undefined): string => (n === null || n === undefined ? '?' : n < 10 ? n.toFixed(1) : String(Math.round(n)));
const h = (p: TextParams): string => p.host ?? p.address ?? '?';

const STAGE_ZH: Record<string, string> = {
  dns: 'DNS 解析', connect: 'TCP 连接', 'proxy-connect': '代理 CONNECT', tls: 'TLS 握手',
  'proxy-response': '等待服务器响应', transfer: '数据传输', 'cache-lock': '模块缓存锁',
  'git-prompt': 'git 等待输入', 'checksum-db': '校验和数据库', 'not-found': '模块不存在',
  toolchain: '工具链下载', none: '无', unknown: '未知',
};

export function stageLabel(stage: StageName | string, lang: Lang): string {
  return lang === 'zh-CN' ? STAGE_ZH[stage] ?? stage : stage;
}

const STATE_ZH: Record<FindingState, string> = { stalled: '卡住', failed: '失败', slow: '慢', ok: '正常' };

/** A finding's state in words: `stalled` in English (renderers choose the case), `卡住` in Chinese. */
export function stateLabel(state: FindingState, lang: Lang): string {
  return lang === 'zh-CN' ? STATE_ZH[state] : state;
}

/**
 * A verdict's heading: its state in the renderer's word for it, then the stage (`STALLED at tls`,
 * `卡住 于 TLS 握手`); the state alone when there is no stage to name (`none`, and `unknown`: go's own
 * error, where "at unknown" would say nothing).
 */
export function verdictHeading(stateWord: string, stage: StageName, lang: Lang): string {
  if (stage === 'none' || stage === 'unknown') return stateWord;
  return `${stateWord} ${lang === 'zh-CN' ? '于' : 'at'} ${stageLabel(stage, lang)}`;
}

/** Summaries: key `${stage}:${state}`, with fallbacks by state. */
const SUMMARY: Record<string, Text> = {
  'dns:stalled': {
    en: (p) => `DNS lookup of ${h(p)} got no answer from ${p.server ?? 'the resolver'} for ${s(p.seconds)} s.`,
    zh: (p) => `DNS 服务器 ${p.server ?? ''} 在 ${s(p.seconds)} 秒内没有回答 ${h(p)} 的查询。`,
  },
  'dns:failed': {
    en: (p) => `DNS lookup of ${h(p)} failed: ${p.rcode ?? 'error'} from ${p.server ?? 'the resolver'}.`,
    zh: (p) => `${h(p)} 的 DNS 解析失败：${p.server ?? '解析服务器'} 返回 ${p.rcode ?? '错误'}。`,
  },
  'dns:slow': {
    en: (p) => `DNS lookup of ${h(p)} took ${s(p.seconds)} s.`,
    zh: (p) => `${h(p)} 的 DNS 解析用了 ${s(p.seconds)} 秒。`,
  },
  'connect:stalled': {
    en: (p) => `TCP connect to ${p.address ?? '?'}${p.host ? ` (${p.host})` : ''} got no SYN-ACK for ${s(p.seconds)} s: the SYNs are dropped.`,
    zh: (p) => `到 ${p.address ?? '?'}${p.host ? `（${p.host}）` : ''} 的 TCP 连接 ${s(p.seconds)} 秒没有收到 SYN-ACK：SYN 被丢弃。`,
  },
  'connect:failed': {
    en: (p) => `TCP connect to ${p.address ?? '?'}${p.host ? ` (${p.host})` : ''} was refused (RST).`,
    zh: (p) => `到 ${p.address ?? '?'}${p.host ? `（${p.host}）` : ''} 的 TCP 连接被拒绝（RST）。`,
  },
  'connect:slow': {
    // One SYN answered late (a far or busy server) is no retransmission.
    en: (p) => `TCP connect to ${p.address ?? '?'} took ${s(p.seconds)} s (${p.syns === 1 ? 'one SYN, answered late' : 'SYN retransmitted'}).`,
    zh: (p) => `到 ${p.address ?? '?'} 的 TCP 连接用了 ${s(p.seconds)} 秒（${p.syns === 1 ? '只发了一个 SYN，回答来得晚' : 'SYN 重传'}）。`,
  },
  'proxy-connect:stalled': {
    en: (p) => `The forward proxy ${p.address ?? '?'} never answered CONNECT ${h(p)} (${s(p.seconds)} s).`,
    zh: (p) => `HTTP 代理 ${p.address ?? '?'} 一直没有回应 CONNECT ${h(p)}（${s(p.seconds)} 秒）。`,
  },
  'proxy-connect:failed': {
    en: (p) => `The forward proxy ${p.address ?? '?'} refused CONNECT ${h(p)}${p.status ? ` with ${p.status}` : ''}${p.status === 407 ? ' (Proxy Authentication Required)' : ''}.`,
    zh: (p) => `HTTP 代理 ${p.address ?? '?'} 拒绝了 CONNECT ${h(p)}${p.status ? `（${p.status}${p.status === 407 ? '，需要代理认证' : ''}）` : ''}。`,
  },
  'tls:stalled': {
    en: (p) => `TLS handshake with ${h(p)}${p.address && p.host ? ` at ${p.address}` : ''} got no ServerHello for ${s(p.seconds)} s.`,
    zh: (p) => `与 ${h(p)}${p.address && p.host ? `（${p.address}）` : ''} 的 TLS 握手 ${s(p.seconds)} 秒没有收到 ServerHello。`,
  },
  'tls:failed': {
    en: (p) => `TLS handshake with ${h(p)} failed: ${p.detail ?? 'reset'}.`,
    zh: (p) => `与 ${h(p)} 的 TLS 握手失败：${p.detail ?? '连接被重置'}。`,
  },
  'proxy-response:stalled': {
    en: (p) => `${h(p)} accepted the request but sent no response for ${s(p.seconds)} s${p.path ? ` (${p.path})` : ''}.`,
    zh: (p) => `${h(p)} 收到了请求，但 ${s(p.seconds)} 秒没有任何响应${p.path ? `（${p.path}）` : ''}。`,
  },
  'proxy-response:failed': {
    en: (p) => `${h(p)} answered with an error${p.status ? ` (${p.status})` : ''}${p.path ? ` for ${p.path}` : ''}.`,
    zh: (p) => `${h(p)}${p.path ? ` 对 ${p.path}` : ''} 返回错误${p.status ? `（${p.status}）` : ''}。`,
  },
  'proxy-response:slow': {
    en: (p) => `${h(p)} took ${s(p.seconds)} s to start answering.`,
    zh: (p) => `${h(p)} 用了 ${s(p.seconds)} 秒才开始响应。`,
  },
  'transfer:stalled': {
    en: (p) => `The download from ${h(p)} trickles: ${p.detail ?? ''}.`,
    zh: (p) => `从 ${h(p)} 的下载极慢：${p.detail ?? ''}。`,
  },
  'transfer:failed': {
    en: (p) => `The download from ${h(p)} broke off: ${p.detail ?? ''}.`,
    zh: (p) => `从 ${h(p)} 的下载中断：${p.detail ?? ''}。`,
  },
  'transfer:slow': {
    en: (p) => `The download from ${h(p)} was slow: ${p.detail ?? ''}.`,
    zh: (p) => `从 ${h(p)} 的下载很慢：${p.detail ?? ''}。`,
  },
  'cache-lock:stalled': {
    en: (p) => `go waits on the module cache lock ${p.module ? `of ${p.module} ` : ''}(${p.path ?? 'a file the evidence does not name'}) for ${s(p.seconds)} s: another process holds it.`,
    zh: (p) => `go 等待${p.module ? ` ${p.module} 的` : ''}模块缓存锁（${p.path ?? '证据中没有该文件名'}）已 ${s(p.seconds)} 秒：另一个进程持有该锁。`,
  },
  'cache-lock:slow': {
    en: (p) => `go waited ${s(p.seconds)} s for the module cache lock ${p.module ? `of ${p.module} ` : ''}(${p.path ?? '?'}).`,
    zh: (p) => `go 等待${p.module ? ` ${p.module} 的` : ''}模块缓存锁（${p.path ?? '?'}）用了 ${s(p.seconds)} 秒。`,
  },
  'git-prompt:stalled': {
    en: (p) => `${p.detail ?? 'git'} is waiting for input (a password, askpass or host-key prompt) for ${s(p.seconds)} s.`,
    zh: (p) => `${p.detail ?? 'git'} 在等待输入（密码、askpass 或主机密钥提示）已 ${s(p.seconds)} 秒。`,
  },
  'not-found:failed': {
    en: (p) => `${h(p)} does not have ${p.path ?? 'the module'} (${p.status ?? '404'}).`,
    zh: (p) => `${h(p)} 上没有 ${p.path ?? '该模块'}（${p.status ?? '404'}）。`,
  },
  'checksum-db:stalled': {
    en: (p) => `The checksum database ${h(p)} did not answer for ${s(p.seconds)} s (${p.detail ?? ''}).`,
    zh: (p) => `校验和数据库 ${h(p)} ${s(p.seconds)} 秒没有响应（${p.detail ?? ''}）。`,
  },
  'checksum-db:failed': {
    en: (p) => `Verifying against the checksum database ${h(p)} failed (${p.detail ?? ''}).`,
    zh: (p) => `校验和数据库 ${h(p)} 校验失败（${p.detail ?? ''}）。`,
  },
  'toolchain:slow': {
    en: (p) => `go downloaded a toolchain${p.path ? ` (${p.path})` : ''} before the modules (${s(p.seconds)} s).`,
    zh: (p) => `go 先下载了工具链${p.path ? `（${p.path}）` : ''}（${s(p.seconds)} 秒）。`,
  },
  'none:ok': {
    en: (p) => p.stage
      ? `No stall found; the slowest stage was ${p.stage}${p.host ? ` to ${p.host}` : ''} (${s(p.seconds)} s).`
      : 'No stall found in the evidence.',
    zh: (p) => p.stage
      ? `没有发现卡住的地方；最慢的阶段是 ${stageLabel(p.stage, 'zh-CN')}${p.host ? `（${p.host}）` : ''}，${s(p.seconds)} 秒。`
      : '证据中没有发现卡住的地方。',
  },
};

const GENERIC: Record<FindingState, Text> = {
  stalled: {
    en: (p) => `${p.stage ?? 'A stage'} did not complete${p.host ? ` for ${p.host}` : ''} (${s(p.seconds)} s): ${p.detail ?? ''}.`,
    zh: (p) => `${stageLabel(p.stage ?? 'unknown', 'zh-CN')}未完成${p.host ? `（${p.host}）` : ''}，${s(p.seconds)} 秒：${p.detail ?? ''}。`,
  },
  failed: {
    en: (p) => `${p.stage ?? 'A stage'} failed${p.host ? ` for ${p.host}` : ''}: ${p.detail ?? ''}.`,
    zh: (p) => `${stageLabel(p.stage ?? 'unknown', 'zh-CN')}失败${p.host ? `（${p.host}）` : ''}：${p.detail ?? ''}。`,
  },
  slow: {
    en: (p) => `${p.stage ?? 'A stage'} was slow${p.host ? ` for ${p.host}` : ''} (${s(p.seconds)} s): ${p.detail ?? ''}.`,
    zh: (p) => `${stageLabel(p.stage ?? 'unknown', 'zh-CN')}较慢${p.host ? `（${p.host}）` : ''}，${s(p.seconds)} 秒：${p.detail ?? ''}。`,
  },
  ok: {
    en: (p) => `${p.stage ?? 'Stage'} completed${p.host ? ` for ${p.host}` : ''}.`,
    zh: (p) => `${stageLabel(p.stage ?? 'unknown', 'zh-CN')}完成${p.host ? `（${p.host}）` : ''}。`,
  },
};

export function summaryText(stage: StageName, state: FindingState, p: TextParams, lang: Lang): string {
  const own = SUMMARY[`${stage}:${state}`];
  // The generic sentences name the finding's stage; in none:ok `stage` is the slowest one, if any.
  const t = own ?? GENERIC[state];
  const text = (lang === 'zh-CN' ? t.zh : t.en)(own ? p : { ...p, stage: p.stage ?? stage });
  const flat = text.replace(/\s+/g, ' ').trim();
  // An empty detail leaves " ." at the end; a " ." inside is a name (the DNS root).
  return lang === 'zh-CN' ? zhSpacing(flat) : flat.replace(/ \.$/, '.');
}

/** Chinese puts no space next to full-width punctuation, nor between two Chinese characters. */
function zhSpacing(text: string): string {
  return text.replace(/ *([（）：，。；、]) */g, '$1').replace(/(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])/g, '');
}

/**
 * Who waits at a git prompt (the `detail` of a git-prompt finding): the process, the host it
 * fetches from, and the helper (askpass, credential helper) it waits on.
 */
export function prompterText(
  o: { command: string; pid: number; host: string | null; helper: { argv: string; pid: number } | null }, lang: Lang,
): string {
  if (lang === 'zh-CN') {
    const who = `${o.command}（PID ${o.pid}${o.host ? `，访问 ${o.host}` : ''}）`;
    return o.helper ? `${who}通过其辅助程序 ${o.helper.argv}（PID ${o.helper.pid}）` : who;
  }
  return `${o.command} (PID ${o.pid})${o.host ? ` for ${o.host}` : ''}${o.helper ? ` (through its helper ${o.helper.argv}, PID ${o.helper.pid})` : ''}`;
}

/**
 * A connection stalled because data sent at its stage was never acknowledged (stages.ts
 * lostOnPath); `detail` says what was lost, how often it was re-sent and for how long.
 */
export function lostText(p: TextParams, lang: Lang): string {
  const addr = p.address && p.host ? p.address : null;
  return lang === 'zh-CN'
    ? zhSpacing(`客户端与 ${h(p)}${addr ? `（${addr}）` : ''} 之间的数据包在路上丢失：${p.detail ?? ''}。`)
    : `Packets between the client and ${h(p)}${addr ? ` (${addr})` : ''} are lost on the path: ${p.detail ?? ''}.`;
}

/** A note (state ok, never the verdict): a wait with no answer yet when the evidence ended, too young to be a stall. */
export function cutShortText(stage: StageName, p: TextParams, lang: Lang): string {
  const secs = p.seconds !== null && p.seconds !== undefined && p.seconds < 1 ? p.seconds.toFixed(2) : s(p.seconds);
  return lang === 'zh-CN'
    ? zhSpacing(`证据在${p.host ? ` ${p.host} 的 ` : ''}${stageLabel(stage, lang)}开始 ${secs} 秒后就结束了，尚无回应：时间太短，不算卡住。`)
    : `The evidence ended ${secs} s into ${stage}${p.host ? ` for ${p.host}` : ''}, with no answer yet: too soon to call it a stall.`;
}

/**
 * The verdict's summary when the inputs held nothing to judge: no DNS lookup, connection, syscall,
 * process or anything from go's log. `packets`: the capture's, null without one.
 */
export function nothingToJudgeText(packets: { total: number; undecoded: number; linkTypes: number[] } | null, lang: Lang): string {
  const zh = lang === 'zh-CN';
  if (packets && packets.undecoded > 0) {
    const n = packets.undecoded;
    const types = packets.linkTypes.join(', ');
    return zh
      ? `${n} 个数据包无法解码（不支持链路类型 ${types}）：没有可判断的证据。`
      : `${n} packet${n === 1 ? '' : 's'} could not be decoded (link type${packets.linkTypes.length === 1 ? ` ${types} is` : `s ${types} are`} not supported): nothing to judge.`;
  }
  if (!packets || packets.total === 0) return zh ? '没有可判断的数据包、系统调用或 go 请求。' : 'No packets, syscalls or go fetches to judge.';
  return zh
    ? '没有可判断的证据：数据包中没有 DNS 查询或 TCP 连接，也没有系统调用或 go 请求。'
    : 'Nothing to judge: no DNS lookup or TCP connection in the packets, and no syscall or go fetch.';
}

/** Where the cause of go's own error is, by what it says to fix (GoOwnErrorKind). */
const OWN_CAUSE: Record<GoOwnErrorKind, { en: string; zh: string }> = {
  input: { en: "go's input (module path, version, go.mod)", zh: 'go 的输入（模块路径、版本、go.mod）' },
  command: { en: "go's command line (a command or flag go does not know)", zh: 'go 的命令行（go 不认识的命令或参数）' },
  'no-module': { en: 'where go ran (no go.mod there or above)', zh: 'go 运行的位置（该目录及上级目录中没有 go.mod）' },
  setting: { en: "go's settings (GOPROXY, GO111MODULE)", zh: 'go 的设置（GOPROXY、GO111MODULE）' },
};

/**
 * The verdict's summary when go failed and the evidence shows no network stall or failure: go's
 * own error line (`detail`, cut by the caller), or without one the status it exited with; the
 * cause named by what the line says to fix.
 */
export function goOwnErrorText(detail: string | null, code: number | null, kind: GoOwnErrorKind, lang: Lang): string {
  if (lang === 'zh-CN') {
    const head = detail !== null ? 'go 因自身的错误而失败' : `go 以状态 ${code ?? '?'} 退出`;
    return `${head}，证据中没有网络卡住或失败：原因在 ${OWN_CAUSE[kind].zh}，而不是网络。${detail !== null ? `go 的输出：${detail}` : ''}`;
  }
  const head = detail !== null ? 'go failed with an error of its own' : `go exited with status ${code ?? '?'}`;
  return `${head}, and the evidence shows no network stall or failure: the cause is ${OWN_CAUSE[kind].en}, not the network.${detail !== null ? ` go said: ${detail}` : ''}`;
}

/** The hint for go's own error, by what it says to fix. */
export const OWN_ERROR_HINT: Record<GoOwnErrorKind, HintKey> = { input: 'go-error', command: 'go-command', 'no-module': 'go-no-module', setting: 'go-setting' };

// ---------------------------------------------------------------- hints

/**
 * The userinfo the proxy-credentials hint writes to show the form of proxy credentials, by
 * language: no secret, so the report's redactor lets it through (report/redact.ts).
 */
export const USERINFO_PLACEHOLDER: Record<Lang, string> = { en: 'USER:PASSWORD', 'zh-CN': '用户名:密码' };

export type HintKey =
  | 'mirror' | 'no-fallback-on-hang' | 'resolv' | 'netdns' | 'cgo-resolver' | 'nxdomain-spelling' | 'private'
  | 'https-proxy' | 'no-proxy' | 'proxy-credentials' | 'proxy-refused' | 'refused'
  | 'sni-filter' | 'intercept-ca' | 'sumdb' | 'trickle' | 'lock-holder' | 'lock-find'
  | 'lock-no-clean' | 'git-prompt' | 'not-found-private' | 'toolchain' | 'retry-later' | 'other-traffic' | 'ipv6'
  | 'go-error' | 'go-command' | 'go-no-module' | 'go-setting' | 'direct-host' | 'git-credentials' | 'private-scope' | 'no-go-tie'
  | 'mtu-blackhole' | 'pq-client-hello' | 'path-drop';

const HINTS: Record<HintKey, Text> = {
  mirror: {
    en: () => 'Use a module mirror reachable from your network, keeping direct as the fallback: go env -w GOPROXY=https://goproxy.cn,direct',
    zh: () => '使用当前网络可以访问的模块代理，并保留 direct 作为后备：go env -w GOPROXY=https://goproxy.cn,direct',
  },
  'no-fallback-on-hang': {
    en: (p) => `go has no response timeout and a hang is not an error, so it never moves on to the next GOPROXY entry: take ${h(p)} out of GOPROXY or put a working mirror first.`,
    zh: (p) => `go 没有响应超时，挂起也不算错误，所以不会切换到 GOPROXY 中的下一个地址：把 ${h(p)} 从 GOPROXY 中去掉，或把可用的代理放在前面。`,
  },
  resolv: {
    en: (p) => `Check the nameservers in /etc/resolv.conf${p.server ? ` (the query went to ${p.server})` : ''}; try another resolver, e.g. with dig @SERVER ${p.host ?? 'proxy.golang.org'}.`,
    zh: (p) => `检查 /etc/resolv.conf 里的 nameserver${p.server ? `（查询发往 ${p.server}）` : ''}；可用 dig @服务器 ${p.host ?? 'proxy.golang.org'} 试试其他 DNS 服务器。`,
  },
  'cgo-resolver': {
    en: (p) => `go used the system (cgo) resolver for ${h(p)}: the lookup goes through nsswitch (systemd-resolved on 127.0.0.53, nscd, VPN split DNS). Check \`resolvectl query ${h(p)}\` or \`getent hosts ${h(p)}\`, or try go's own resolver: GODEBUG=netdns=go.`,
    zh: (p) => `go 对 ${h(p)} 使用了系统（cgo）解析器：查询经过 nsswitch（127.0.0.53 上的 systemd-resolved、nscd、VPN 分流 DNS）。可用 \`resolvectl query ${h(p)}\` 或 \`getent hosts ${h(p)}\` 检查，或改用 go 自己的解析器：GODEBUG=netdns=go。`,
  },
  netdns: {
    en: () => 'Switch go\'s resolver to compare: GODEBUG=netdns=go (pure Go, reads resolv.conf) or GODEBUG=netdns=cgo (the system resolver, nsswitch, VPN/split DNS).',
    zh: () => '切换 go 的解析器对比一下：GODEBUG=netdns=go（纯 Go，读取 resolv.conf）或 GODEBUG=netdns=cgo（系统解析器，适用于 nsswitch、VPN/分流 DNS）。',
  },
  'nxdomain-spelling': {
    en: (p) => `${h(p)} does not exist for this resolver: check the spelling in GOPROXY / the module path, and the search domains in /etc/resolv.conf.`,
    zh: (p) => `该 DNS 服务器上不存在 ${h(p)}：检查 GOPROXY 或模块路径的拼写，以及 /etc/resolv.conf 中的 search 域。`,
  },
  private: {
    en: () => 'For private modules, set GOPRIVATE=your.host/* (it implies GONOPROXY and GONOSUMDB) so go fetches them directly and does not ask the public proxy or checksum database.',
    zh: () => '私有模块请设置 GOPRIVATE=your.host/*（同时相当于 GONOPROXY 和 GONOSUMDB），让 go 直接拉取，而不去问公共代理和校验和数据库。',
  },
  'https-proxy': {
    en: () => 'If your network requires a forward proxy, set HTTPS_PROXY=http://proxy.example:3128 (and HTTP_PROXY) for go.',
    zh: () => '如果网络需要通过 HTTP 代理访问外网，请为 go 设置 HTTPS_PROXY=http://代理地址:端口（以及 HTTP_PROXY）。',
  },
  'no-proxy': {
    en: (p) => `If ${h(p)} should be reached without the proxy, add it to NO_PROXY; otherwise check that HTTPS_PROXY points at a working proxy${p.address ? ` (now ${p.address})` : ''}.`,
    zh: (p) => `如果 ${h(p)} 应该直连，把它加入 NO_PROXY；否则检查 HTTPS_PROXY 指向的代理是否可用${p.address ? `（当前为 ${p.address}）` : ''}。`,
  },
  'proxy-credentials': {
    en: () => `The proxy wants credentials: HTTPS_PROXY=http://${USERINFO_PLACEHOLDER.en}@proxy:port (percent-encode special characters in the password).`,
    zh: () => `代理需要认证：HTTPS_PROXY=http://${USERINFO_PLACEHOLDER['zh-CN']}@代理地址:端口（密码中的特殊字符需要百分号编码）。`,
  },
  'proxy-refused': {
    en: (p) => `The proxy refused the tunnel${p.status ? ` (${p.status})` : ''}: ask its administrator to allow ${h(p)}, or bypass it with NO_PROXY.`,
    zh: (p) => `代理拒绝建立隧道${p.status ? `（${p.status}）` : ''}：请管理员放行 ${h(p)}，或用 NO_PROXY 绕过代理。`,
  },
  refused: {
    en: (p) => `Nothing listens on ${p.address ?? 'that address'}: check the host and port in GOPROXY / HTTPS_PROXY, and that the server is running.`,
    zh: (p) => `${p.address ?? '该地址'} 上没有服务在监听：检查 GOPROXY / HTTPS_PROXY 中的主机和端口，以及服务器是否在运行。`,
  },
  'sni-filter': {
    en: (p) => `A ClientHello for ${h(p)} that is dropped or reset is typical of filtering by SNI: use a mirror that is not filtered (GOPROXY=https://goproxy.cn,direct) or a proxy (HTTPS_PROXY).`,
    zh: (p) => `发往 ${h(p)} 的 ClientHello 被丢弃或重置，是按 SNI 过滤的典型表现：换用未被屏蔽的代理（GOPROXY=https://goproxy.cn,direct）或设置 HTTPS_PROXY。`,
  },
  'intercept-ca': {
    en: () => 'A TLS alert during the handshake often means a middlebox re-signs TLS: if your company inspects HTTPS, point SSL_CERT_FILE at a bundle that includes its CA.',
    zh: () => '握手期间的 TLS 告警通常说明有中间设备在重签证书：如果公司会检查 HTTPS 流量，请把 SSL_CERT_FILE 指向包含公司根证书的证书包。',
  },
  sumdb: {
    en: () => 'For the checksum database: GOSUMDB=sum.golang.google.cn is reachable from mainland China; private modules belong in GONOSUMDB (or GOPRIVATE). GOSUMDB=off turns verification off — avoid it.',
    zh: () => '校验和数据库：中国大陆可用 GOSUMDB=sum.golang.google.cn；私有模块放进 GONOSUMDB（或 GOPRIVATE）。GOSUMDB=off 会关闭校验，不建议。',
  },
  trickle: {
    en: (p) => `The path to ${h(p)} is very slow (retransmissions or a throttling middlebox): try a closer mirror, e.g. GOPROXY=https://goproxy.cn,direct.`,
    zh: (p) => `到 ${h(p)} 的链路非常慢（重传或中间设备限速）：换一个更近的代理，例如 GOPROXY=https://goproxy.cn,direct。`,
  },
  'lock-holder': {
    en: (p) => `The lock is held by PID ${p.pid ?? '?'}: let it finish, or stop it if it is stuck.`,
    zh: (p) => `该锁由进程 PID ${p.pid ?? '?'} 持有：等它结束，或在它卡死时结束它。`,
  },
  'lock-find': {
    en: () => 'Find the holder while it waits: lslocks | grep -F .lock (or match the file\'s inode in /proc/locks); it is usually another go command or gopls using the same GOMODCACHE.',
    zh: () => '在等待期间找出持锁进程：lslocks | grep -F .lock（或在 /proc/locks 中按文件 inode 查找）；通常是使用同一 GOMODCACHE 的另一个 go 命令或 gopls。',
  },
  'lock-no-clean': {
    en: () => 'Do not delete the .lock file; go clean -modcache helps only if no other go process is running and the cache is damaged.',
    zh: () => '不要删除 .lock 文件；只有在没有其他 go 进程运行且缓存已损坏时，go clean -modcache 才有用。',
  },
  'git-prompt': {
    en: () => 'git is prompting: set GOPRIVATE for the module, give git credentials (credential.helper or ~/.netrc, ssh-agent / known_hosts for ssh), or GIT_TERMINAL_PROMPT=0 so it fails instead of waiting.',
    zh: () => 'git 在等待输入：为该模块设置 GOPRIVATE，配置 git 凭据（credential.helper 或 ~/.netrc；ssh 则用 ssh-agent / known_hosts），或设置 GIT_TERMINAL_PROMPT=0 让它直接失败而不是等待。',
  },
  'not-found-private': {
    en: (p) => `The proxy does not have it${p.path ? ` (${p.path})` : ''}: for a private or new module set GOPRIVATE (or GONOPROXY) so go fetches it directly.`,
    zh: (p) => `代理上没有该模块${p.path ? `（${p.path}）` : ''}：私有或刚发布的模块请设置 GOPRIVATE（或 GONOPROXY），让 go 直接拉取。`,
  },
  toolchain: {
    en: () => 'GOTOOLCHAIN=auto made go download a toolchain first; GOTOOLCHAIN=local skips that (or install the Go version go.mod asks for).',
    zh: () => 'GOTOOLCHAIN=auto 让 go 先下载工具链；设置 GOTOOLCHAIN=local 可跳过（或安装 go.mod 要求的 Go 版本）。',
  },
  'retry-later': {
    en: () => 'The server side reset the connection: retry later, or use another GOPROXY mirror.',
    zh: () => '服务器端重置了连接：稍后重试，或换一个 GOPROXY 代理。',
  },
  ipv6: {
    en: (p) => `IPv6 to ${p.address ?? h(p)} is black-holed: every new connection waits for the fallback to IPv4. Fix the IPv6 route, or stop advertising IPv6 on this host (or have the resolver return no AAAA for ${h(p)}).`,
    zh: (p) => `到 ${p.address ?? h(p)} 的 IPv6 不通：每个新连接都要等回退到 IPv4。修复 IPv6 路由，或在本机停用 IPv6（或让 DNS 不返回 ${h(p)} 的 AAAA 记录）。`,
  },
  'go-error': {
    en: () => "Read go's error and fix what it names (the module path or version asked for, or go.mod), then run go again; changing GOPROXY, the proxy or the network will not help.",
    zh: () => '阅读 go 的报错，修正它指出的问题（所请求的模块路径或版本，或 go.mod），然后重新运行 go；更换 GOPROXY、代理或网络都没有帮助。',
  },
  'go-command': {
    en: () => 'go does not know a command or flag it was given: check the go command line (for record, what follows --) and GOFLAGS (go env GOFLAGS); go help mod download lists that command\'s flags.',
    zh: () => 'go 不认识传给它的某个命令或参数：检查 go 的命令行（对 record 而言是 -- 之后的部分）和 GOFLAGS（go env GOFLAGS）；go help mod download 会列出该命令的参数。',
  },
  'go-no-module': {
    en: () => 'go found no go.mod in the folder it ran in or any folder above it: run it in your module\'s folder (record runs go in its own working folder), or name what to download: go mod download MODULE@VERSION.',
    zh: () => 'go 在运行目录及其上级目录中都没有找到 go.mod：请在模块所在的目录中运行（record 在自己的工作目录中运行 go），或指明要下载的模块：go mod download 模块@版本。',
  },
  'go-setting': {
    en: () => 'A go setting forbids or breaks what go was asked to do (its error names it): check it with go env NAME (GOPROXY, GO111MODULE) and set a working value, in the environment or with go env -w; GOPROXY=off allows only what the module cache already holds.',
    zh: () => 'go 的某个设置禁止或破坏了所要求的操作（报错中写明了是哪个）：用 go env 名称（GOPROXY、GO111MODULE）检查，并在环境变量中或用 go env -w 设置可用的值；GOPROXY=off 只允许使用模块缓存中已有的内容。',
  },
  'direct-host': {
    en: (p) => `go fetches from ${h(p)} directly with git, not through a GOPROXY mirror, and neither go nor git gives up on a server that stops answering: check that ${h(p)} is reachable from this machine (VPN, firewall) and answers, e.g. git ls-remote https://${h(p)}/PATH.`,
    zh: (p) => `go 直接用 git 从 ${h(p)} 拉取，不经过 GOPROXY 代理；服务器不再响应时，go 和 git 都不会放弃：检查本机能否访问 ${h(p)}（VPN、防火墙）以及它是否响应，例如 git ls-remote https://${h(p)}/路径。`,
  },
  'git-credentials': {
    en: (p) => `If git needs credentials for ${h(p)}, set them up beforehand (credential.helper or ~/.netrc; ssh-agent / known_hosts for ssh), and set GIT_TERMINAL_PROMPT=0 so that git fails instead of waiting for input.`,
    zh: (p) => `如果 git 访问 ${h(p)} 需要凭据，请事先配置（credential.helper 或 ~/.netrc；ssh 则用 ssh-agent / known_hosts），并设置 GIT_TERMINAL_PROMPT=0，让 git 直接失败而不是等待输入。`,
  },
  'private-scope': {
    en: (p) => `${h(p)} matches GOPRIVATE (or GONOPROXY), so go does not use GOPROXY for it: keep those patterns to private modules; a public module they match is fetched with git instead of from a mirror.`,
    zh: (p) => `${h(p)} 匹配 GOPRIVATE（或 GONOPROXY），所以 go 拉取它时不经过 GOPROXY：这些模式只应包含私有模块；被匹配到的公共模块会改用 git 拉取，而不是从代理下载。`,
  },
  'no-go-tie': {
    en: () => 'Nothing in this evidence ties the traffic to go (no go log, strace log or bundle, no module proxy or checksum database name): if it is another program\'s, the hints about go below do not apply. `gomod-trace record -- go mod download` records go with its own log.',
    zh: () => '证据中没有任何东西表明这些流量来自 go（没有 go 日志、strace 日志或记录包，也没有模块代理或校验和数据库的名字）：如果它属于别的程序，下面关于 go 的建议不适用。用 `gomod-trace record -- go mod download` 可以连同 go 自己的日志一起记录。',
  },
  'mtu-blackhole': {
    en: (p) => `Full-size packets may be dropped on the path (an MTU black hole: a link with a smaller MTU whose ICMP "fragmentation needed" messages are filtered). Check: ${pingCheck(p)} (a 1500-byte packet; lower -s until it passes). Then lower this machine's MTU (ip link set dev IFACE mtu 1400), or let TCP probe for a size that passes: sysctl -w net.ipv4.tcp_mtu_probing=1.`,
    zh: (p) => `路径上可能丢弃了满尺寸的数据包（MTU 黑洞：某段链路的 MTU 较小，而“需要分片”的 ICMP 消息被过滤）。检查：${pingCheck(p)}（即 1500 字节的包；逐步减小 -s 直到能通）。然后调小本机的 MTU（ip link set dev 网卡 mtu 1400），或让 TCP 自行探测能通过的大小：sysctl -w net.ipv4.tcp_mtu_probing=1。`,
  },
  'pq-client-hello': {
    en: (p) => `This ClientHello is ${p.bytes ?? '?'} bytes, more than one packet: go 1.23 and later add a post-quantum key share to it, which some paths and middleboxes drop. Try go with the classic key share: GODEBUG=tlsmlkem=0 (go 1.24 and later) or GODEBUG=tlskyber=0 (go 1.23).`,
    zh: (p) => `这个 ClientHello 有 ${p.bytes ?? '?'} 字节，超过一个数据包：go 1.23 起在其中加入了后量子密钥交换参数，有些链路和中间设备会丢弃它。试试让 go 使用传统的密钥交换：GODEBUG=tlsmlkem=0（go 1.24 及以后）或 GODEBUG=tlskyber=0（go 1.23）。`,
  },
  'path-drop': {
    en: (p) => `A firewall or middlebox on the path may be dropping this connection's packets (in one direction, or once it has seen what they carry), or ${h(p)} is gone: try from another network, or through a proxy (HTTPS_PROXY).`,
    zh: (p) => `路径上的防火墙或中间设备可能在丢弃这个连接的数据包（只丢一个方向，或看到内容后才丢），也可能 ${h(p)} 已经不在了：换一个网络，或通过代理（HTTPS_PROXY）试试。`,
  },
  'other-traffic': {
    en: () => 'Other programs\' stalled connections are listed as findings; they do not hold up go.',
    zh: () => '其他程序的卡住连接列在发现列表中，它们不影响 go 的下载。',
  },
};

/** The ping that checks whether a full 1500-byte packet passes to the finding's server without fragmenting. */
function pingCheck(p: TextParams): string {
  const ip = p.address ? endpointIp(p.address) : h(p);
  return ip.includes(':') ? `ping -6 -M do -s 1452 ${ip}` : `ping -M do -s 1472 ${ip}`;
}

export function hintText(key: HintKey, p: TextParams, lang: Lang): string {
  const t = HINTS[key];
  return (lang === 'zh-CN' ? t.zh : t.en)(p);
}

/**
 * What a finding's hints depend on beyond its texts' parameters. `direct`: go fetches from the host
 * directly with git (relevance.ts directFetch), where GOPROXY advice does not apply.
 */
export interface HintExtra {
  sumdb?: boolean;
  viaProxy?: boolean;
  alert?: boolean;
  direct?: DirectReason | null;
  /** Data sent at the finding's stage was lost on the path (StageSpan `lost`). */
  lost?: { bytes: number; clientHello: boolean } | null;
}

/** The hints for a server fetched directly that does not answer: the host, git's credentials, then why it is direct. */
const DIRECT_HINTS: Record<NonNullable<HintExtra['direct']>, HintKey[]> = {
  // GOPRIVATE sends it to git: whether it should; no mirror can have a private module.
  private: ['direct-host', 'git-credentials', 'private-scope'],
  // GOPROXY names no proxy: a mirror could serve a public module.
  'no-proxy': ['direct-host', 'git-credentials', 'mirror'],
  // go fell back to direct (the proxy did not have it): a private module belongs in GOPRIVATE.
  git: ['direct-host', 'git-credentials', 'private'],
};

/** Unacknowledged data of at least this many bytes may be held up by its size (an MTU black hole). */
const LARGE_DATA = 1200;

/** Which hints fit a finding, in order of usefulness. */
export function hintKeysFor(stage: StageName, state: FindingState, p: TextParams & HintExtra): HintKey[] {
  if (state === 'ok') return [];
  // Lost on the path: why packets are lost first (a large ClientHello: go's own; large data: the
  // MTU), then what the stage's hints say.
  if (p.lost) {
    const large = p.lost.bytes >= LARGE_DATA;
    const why: HintKey[] = large ? ['mtu-blackhole', 'path-drop'] : ['path-drop', 'mtu-blackhole'];
    return [...(large && p.lost.clientHello ? ['pq-client-hello' as const] : []), ...why, ...hintKeysFor(stage, state, { ...p, lost: null })];
  }
  const stuck = state === 'stalled' || state === 'slow';
  if (p.direct && !p.sumdb && ((stage === 'proxy-response' && stuck) || (stage === 'connect' && state === 'stalled') || (stage === 'tls' && !p.alert))) {
    return DIRECT_HINTS[p.direct];
  }
  switch (stage) {
    case 'dns':
      if (state === 'failed') return p.rcode === 'NXDOMAIN' || p.rcode === 'no address' ? ['nxdomain-spelling', 'resolv', 'netdns'] : ['resolv', 'netdns'];
      return ['resolv', 'netdns', 'mirror'];
    case 'connect':
      return state === 'failed' ? ['refused'] : p.viaProxy ? ['no-proxy'] : ['mirror', 'https-proxy'];
    case 'proxy-connect':
      if (state === 'failed' && p.status === 407) return ['proxy-credentials', 'no-proxy'];
      return state === 'failed' ? ['proxy-refused', 'no-proxy'] : ['no-proxy', 'https-proxy'];
    case 'tls':
      if (p.alert) return ['intercept-ca', 'mirror'];
      return ['sni-filter', 'mirror'];
    case 'proxy-response':
      if (p.sumdb) return ['sumdb', 'private'];
      return state === 'failed' ? ['retry-later', 'mirror'] : ['no-fallback-on-hang', 'mirror'];
    case 'checksum-db':
      return ['sumdb', 'private'];
    case 'transfer':
      return ['trickle'];
    case 'cache-lock':
      return p.pid ? ['lock-holder', 'lock-no-clean'] : ['lock-find', 'lock-no-clean'];
    case 'git-prompt':
      return ['git-prompt', 'private'];
    case 'not-found':
      return ['not-found-private'];
    case 'toolchain':
      return ['toolchain'];
    default:
      return [];
  }
}

export function hintsFor(stage: StageName, state: FindingState, p: TextParams & HintExtra, lang: Lang): string[] {
  return hintKeysFor(stage, state, p).map((k) => hintText(k, p, lang));
}
