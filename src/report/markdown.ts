/**
 * `--format md`: a short summary to paste into a GitHub issue (which takes no .html attachment).
 * Every evidence string is escaped for Markdown and HTML, or shown in a code span.
 */
import type { Report } from './schema.js';
import { buildModel, environmentFacts, human, type Row } from './model.js';
import { clip, escapeMarkdown, markdownCode } from './escape.js';
import { clockTime, stageLabel, stateLabel, verdictHeading, type Lang } from '../timeline/hints.js';

const md = (s: string | null | undefined, max = 200): string => escapeMarkdown(clip(s ?? '', max));

function stageCell(r: Row, stage: string): string {
  const spans = r.stages.filter((s) => s.stage === stage);
  if (!spans.length) return '';
  const s = spans.reduce((a, b) => (b.state === 'stalled' || (a.state !== 'stalled' && b.seconds > a.seconds) ? b : a));
  const t = human(s.seconds);
  return s.state === 'stalled' ? `**⏳ ${t}**` : s.state === 'failed' ? `**✖ ${t}**` : s.state === 'slow' ? `*${t}*` : t;
}

export function renderMarkdown(report: Report, opts: { lang?: Lang; maxRows?: number } = {}): string {
  const lang = opts.lang ?? 'en';
  const zh = lang === 'zh-CN';
  const v = report.verdict;
  const out: string[] = [];
  const state = stateLabel(v.state, lang);
  const head = verdictHeading(v.stage === 'none' ? (zh ? '正常' : 'OK') : state, v.stage, lang);
  out.push(`### gomod-trace: ${escapeMarkdown(head)}`, '');
  out.push(`**${md(v.summary, 500)}**`, '');
  const facts: Array<[string, string]> = [];
  if (v.host) facts.push([zh ? '主机' : 'host', `**${markdownCode(clip(v.host, 200))}**`]);
  if (v.address) facts.push([zh ? '地址' : 'address', markdownCode(clip(v.address, 80))]);
  if (v.path) facts.push([zh ? '路径' : 'path', markdownCode(clip(v.path, 300))]);
  if (v.since !== null) facts.push([zh ? '开始于' : 'since', `${clockTime(v.since)}s`]);
  if (v.waited !== null) facts.push([zh ? '等待' : 'waited', human(v.waited)]);
  facts.push([zh ? '可信度' : 'confidence', String(v.confidence)]);
  out.push(facts.map(([k, x]) => `${k}: ${x}`).join(' · '), '');
  // The capture's start in UTC, which `since` counts from: what an operator matches to server logs.
  if (Number.isFinite(report.t0) && report.t0 > 0) out.push(`${zh ? '起点' : 'start'} (t0): ${new Date(report.t0 * 1000).toISOString()}`, '');
  if (v.evidence.length) {
    out.push(zh ? '证据：' : 'Evidence:', '');
    for (const e of v.evidence.slice(0, 8)) out.push(`- ${e.source} ${escapeMarkdown(e.ref)}: ${md(e.text, 300)}`);
    out.push('');
  }
  if (v.hints.length) {
    out.push(zh ? '建议：' : 'Hints:', '');
    for (const h of v.hints) out.push(`- ${md(h, 600)}`);
    out.push('');
  }
  const env = environmentFacts(report.environment);
  if (env.length) {
    out.push(zh ? '环境：' : 'Environment:', '');
    for (const [k, x] of env) out.push(`- ${markdownCode(clip(k, 40))}: ${markdownCode(clip(x, 500))}`);
    out.push('');
  }
  const model = buildModel(report);
  const maxRows = opts.maxRows ?? 15;
  const rows = [...model.rows].sort((a, b) => Number(b.verdict) - Number(a.verdict) || rank(b) - rank(a) || a.start - b.start).slice(0, maxRows);
  if (rows.length) {
    out.push(`<details><summary>${zh ? '连接与阶段' : 'Connections and stages'} (${model.rows.length})</summary>`, '');
    out.push(zh ? '| | 目标 | 地址 | DNS | 连接 | 代理 | TLS | 等待 | 传输 |' : '| | host | address | dns | connect | proxy | tls | wait | body |', '|---|---|---|---|---|---|---|---|---|');
    for (const r of rows) {
      const single = r.kind === 'syscall' || r.kind === 'fetch';
      const cells = single
        ? [`${stageLabel(r.stages[0].stage, lang)} ${r.stages[0].state === 'stalled' ? '⏳ ' : ''}${human(r.stages[0].seconds)}`, '', '', '', '', '']
        : ['dns', 'connect', 'proxy-connect', 'tls', 'proxy-response', 'transfer'].map((s) => stageCell(r, s));
      out.push(`| ${r.verdict ? '▶' : ''} | ${md(r.label, 80)} | ${md(r.address ?? '', 60)} | ${cells.join(' | ')} |`);
    }
    if (model.rows.length > rows.length) out.push('', `… ${model.rows.length - rows.length} ${zh ? '行未显示' : 'more rows'}`);
    out.push('', '</details>', '');
  }
  if (report.findings.length) {
    out.push(zh ? '其他发现：' : 'Other findings:', '');
    for (const f of report.findings.slice(0, 8)) {
      const tag = zh ? `${stateLabel(f.state, lang)} 于 ${stageLabel(f.stage, lang)}（可信度 ${f.confidence}）` : `${f.state} ${f.stage} (${f.confidence})`;
      out.push(`- ${escapeMarkdown(tag)}: ${md(f.summary, 300)}`);
    }
    out.push('');
  }
  const inputs = report.inputs.map((i) => `${escapeMarkdown(i.kind)} ${markdownCode(clip(i.file.split('/').pop() ?? i.file, 80))}${i.packets !== undefined ? ` ${i.packets} ${zh ? '个包' : 'packets'}` : ''}${i.lines !== undefined ? ` ${i.lines} ${zh ? '行' : 'lines'}` : ''}`);
  out.push(`<sub>${escapeMarkdown(report.generator)} · ${inputs.join(' · ')}</sub>`, '');
  return out.join('\n');
}

function rank(r: Row): number {
  return r.state === 'stalled' ? 3 : r.state === 'failed' ? 2 : r.state === 'slow' ? 1 : 0;
}
