/**
 * `--format html`: one self-contained file — inline CSS, script and data, no request leaves it, and
 * a Content-Security-Policy that allows only this file's own style and script (by SHA-256 hash).
 * The data sits in `<script type="application/json">` with `<`, `>`, `&`, U+2028/2029 escaped; the
 * script inserts every string with textContent, controls and bidi marks escaped as `visible` escapes
 * them. The waterfall is virtualised (10,000 rows stay fast).
 */
import { createRequire } from 'node:module';
import type { FindingState, Report } from './schema.js';
import { STAGE_ORDER, buildModel, environmentFacts } from './model.js';
import { escapeHtml, jsonForScript, clip } from './escape.js';
import { HTML_CSS, HTML_JS } from './html-assets.js';
import { stageLabel, stateLabel, verdictHeading, type Lang } from '../timeline/hints.js';

/**
 * node:crypto, loaded when a page is rendered: an `analyze` that prints text then starts without it
 * (and node:stream behind it), 3–5 ms.
 */
const crypto = (): typeof import('node:crypto') => createRequire(import.meta.url)('node:crypto');

function sha256(s: string): string {
  return `'sha256-${crypto().createHash('sha256').update(s, 'utf8').digest('base64')}'`;
}

export function renderHtml(report: Report, opts: { lang?: Lang } = {}): string {
  const zh = opts.lang === 'zh-CN';
  const model = buildModel(report);
  const data = { report, rows: model.rows, start: model.start, end: model.end, labels: pageLabels(zh) };
  const csp = [
    "default-src 'none'",
    `style-src ${sha256(HTML_CSS)}`,
    `script-src ${sha256(HTML_JS)}`,
    "img-src data:",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const v = report.verdict;
  const lang = opts.lang ?? 'en';
  const state = stateLabel(v.state, lang);
  const title = `gomod-trace: ${verdictHeading(state, v.stage, lang)}${v.host ? ' — ' + clip(v.host, 80) : ''}`;
  return `<!DOCTYPE html>
<html lang="${zh ? 'zh-CN' : 'en'}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${HTML_CSS}</style>
</head>
<body>
<header>
<h1>gomod-trace ${zh ? '诊断报告' : 'report'}</h1>
<div id="verdict"></div>
<div id="facts"></div>
<ul id="hints"></ul>
<ul id="evidence"></ul>
${environmentSection(report, zh)}</header>
<div class="toolbar">
<input id="filter" type="search" placeholder="${zh ? '过滤：主机、地址、阶段、状态…' : 'filter: host, address, stage, state…'}" aria-label="filter">
<label><input id="only-bad" type="checkbox"> ${zh ? '只看有问题的' : 'only problems'}</label>
<button id="goto" type="button">${zh ? '跳到结论' : 'go to verdict'}</button>
<span id="count"></span>
<span id="legend" class="legend"></span>
</div>
<div id="wf"><div id="axis"></div><div id="wf-body"><div id="wf-inner"></div></div></div>
<div id="tip" role="tooltip"></div>
<div id="detail"></div>
<section><h2>${zh ? '其他发现' : 'Findings'}</h2><div id="t-findings"></div></section>
<section><h2>${zh ? '连接' : 'Connections'}</h2><div id="t-conns"></div></section>
<section><h2>DNS</h2><div id="t-dns"></div></section>
<section><h2>${zh ? '系统调用' : 'Syscalls'}</h2><div id="t-sys"></div></section>
<section><h2>${zh ? 'go 请求' : 'go fetches'}</h2><div id="t-fetch"></div></section>
<footer id="foot"></footer>
<script type="application/json" id="gomod-trace-data">${jsonForScript(data)}</script>
<script>${HTML_JS}</script>
</body>
</html>
`;
}

const STATES: FindingState[] = ['stalled', 'failed', 'slow', 'ok'];

/**
 * The page script's words in the report's language: it has none of its own. `stages` and `states`
 * name a stage or state where the page shows one (empty in English: the script shows the name itself).
 */
function pageLabels(zh: boolean) {
  if (!zh) {
    return {
      host: 'host', address: 'address', path: 'path', since: 'since', waited: 'waited', confidence: 'confidence',
      rows: 'rows', waitedFor: 'waited ', failedAfter: 'failed after ', evidence: 'Evidence for the verdict:',
      frame: 'frame', moreRows: 'more rows in the JSON report', noAnswer: 'no answer', unfinished: 'unfinished', error: 'error', none: 'none',
      heads: {
        findings: ['state', 'stage', 'host', 'address', 'waited', 'conf', 'summary'],
        conns: ['uid', 'client', 'server', 'state', 'history', 'bytes c/s', 'SNI / CONNECT', 'start'],
        dns: ['name', 'type', 'server', 'sends', 'latency', 'rcode', 'answers'],
        sys: ['pid', 'command', 'call', 'start', 'duration', 'kind', 'path / text'],
        fetch: ['line', 'start', 'status', 'seconds', 'url / error'],
      },
      stages: {}, states: {},
    };
  }
  return {
    host: '主机', address: '地址', path: '路径', since: '开始于', waited: '等待', confidence: '可信度',
    rows: '行', waitedFor: '已等待 ', failedAfter: '失败，用时 ', evidence: '结论的证据：',
    frame: '帧', moreRows: '行未显示，见 JSON 报告', noAnswer: '无应答', unfinished: '未结束', error: '出错', none: '无',
    heads: {
      findings: ['状态', '阶段', '主机', '地址', '等待', '可信度', '摘要'],
      conns: ['uid', '客户端', '服务器', '状态', '连接历史', '字节 客户端/服务器', 'SNI / CONNECT', '开始'],
      dns: ['名称', '类型', '服务器', '发送次数', '耗时', 'rcode', '应答'],
      sys: ['pid', '命令', '调用', '开始', '耗时', '类别', '路径 / 文本'],
      fetch: ['行', '开始', '状态', '秒', 'URL / 错误'],
    },
    stages: Object.fromEntries(STAGE_ORDER.map((s) => [s, stageLabel(s, 'zh-CN')])),
    states: Object.fromEntries(STATES.map((s) => [s, stateLabel(s, 'zh-CN')])),
  };
}

/** The user's go and its settings (a bundle's), escaped here as the page's script escapes its strings. */
function environmentSection(report: Report, zh: boolean): string {
  const facts = environmentFacts(report.environment);
  if (!facts.length) return '';
  const items = facts.map(([k, v]) => `<li>${escapeHtml(clip(k, 40))} <code>${escapeHtml(clip(v, 1000))}</code></li>`).join('');
  return `<section id="environment"><h2>${zh ? '环境' : 'Environment'}</h2><ul>${items}</ul></section>\n`;
}
