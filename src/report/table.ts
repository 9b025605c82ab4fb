/**
 * Terminal report (`--format table`, the default): the verdict in one line, a table of connections,
 * lookups, locks and fetches with their stage durations and the stall marked, then the hints.
 * Fits the width given (100 by default; down to 74). Colour only when asked (a TTY without NO_COLOR; the CLI decides).
 */
import Table from 'cli-table3';
import type { Finding, FindingState, Report, StageName } from './schema.js';
import { buildModel, environmentFacts, human, type Row } from './model.js';
import { clip, truncate } from './escape.js';
import { GLUE, wrap } from './wrap.js';
import { clockTime, stageLabel, stateLabel, verdictHeading, type Lang } from '../timeline/hints.js';

export interface TableOptions {
  color?: boolean;
  /** Total width, default 100. */
  width?: number;
  /** Rows shown before "… N more", default 40. */
  maxRows?: number;
  lang?: Lang;
}

const ESC = '\u001b[';
type Paint = (s: string) => string;
const paint = (on: boolean, code: string): Paint => (on ? (s) => `${ESC}${code}m${s}${ESC}0m` : (s) => s);

/** `short`: the head in a 7-column stage cell; `zh`: the Chinese head (4 columns wide, fits either). */
const COLUMNS: Array<{ stage: StageName; head: string; short?: string; zh: string }> = [
  { stage: 'dns', head: 'dns', zh: 'DNS' },
  { stage: 'connect', head: 'connect', short: 'conn', zh: '连接' },
  { stage: 'proxy-connect', head: 'proxy', zh: '代理' },
  { stage: 'tls', head: 'tls', zh: 'TLS' },
  { stage: 'proxy-response', head: 'wait', zh: '等待' },
  { stage: 'transfer', head: 'body', zh: '传输' },
];

function stateWord(state: FindingState, lang: Lang): string {
  return lang === 'zh-CN' ? stateLabel(state, lang) : state.toUpperCase();
}

export function verdictLine(v: Finding, lang: Lang = 'en', color = false, width = 100): string {
  const red = paint(color, '1;31');
  const yellow = paint(color, '1;33');
  const green = paint(color, '1;32');
  const p = v.state === 'ok' ? green : v.state === 'slow' ? yellow : red;
  const icon = v.state === 'ok' ? '✔' : v.state === 'slow' ? '!' : '✖';
  const head = verdictHeading(stateWord(v.state, lang), v.stage, lang);
  const lead = `${icon} ${head}`;
  const lines = wrap(`${lead}: ${clip(v.summary, 400)}`, width, '  ');
  // Colour only the lead, which is always on the first line.
  lines[0] = p(lead) + lines[0].slice(lead.length);
  return lines.join('\n');
}

function cell(row: Row, stage: StageName, mark: Paint, slow: Paint, fail: Paint): string {
  const spans = row.stages.filter((s) => s.stage === stage || (stage === 'proxy-response' && (s.stage === 'not-found' || s.stage === 'checksum-db')));
  if (spans.length === 0) return '';
  // Several exchanges on one connection: show the worst (stalled > failed > longest).
  const s = spans.reduce((a, b) => (rank(b) > rank(a) || (rank(b) === rank(a) && b.seconds > a.seconds) ? b : a));
  const t = human(s.seconds);
  if (s.state === 'stalled') return mark(`>${t}`);
  if (s.state === 'failed') return fail(`x${t}`);
  if (s.state === 'slow') return slow(t);
  return spans.length > 1 ? `${t}×${spans.length}` : t;
}

function rank(s: { state: FindingState }): number {
  return s.state === 'stalled' ? 3 : s.state === 'failed' ? 2 : s.state === 'slow' ? 1 : 0;
}

export function renderTable(report: Report, opts: TableOptions = {}): string {
  const color = opts.color ?? false;
  const lang = opts.lang ?? 'en';
  const width = Math.max(60, opts.width ?? 100);
  const maxRows = opts.maxRows ?? 40;
  const bold = paint(color, '1');
  const dim = paint(color, '2');
  const mark = paint(color, '1;31');
  const slow = paint(color, '33');
  const fail = paint(color, '31');
  const out: string[] = [];
  out.push(verdictLine(report.verdict, lang, color, width));
  const v = report.verdict;
  const zh = lang === 'zh-CN';
  const where = [v.host && `${zh ? '主机' : 'host'} ${clip(v.host, 80)}`, v.address && `${zh ? '地址' : 'address'}${GLUE}${clip(v.address, 60)}`,
    v.path && `${zh ? '路径' : 'path'} ${clip(v.path, 120)}`, v.since !== null && `${zh ? '开始于' : 'since'}${GLUE}${clockTime(v.since)}s`,
    v.waited !== null && `${zh ? '等待' : 'waited'}${GLUE}${human(v.waited)}`, `${zh ? '可信度' : 'confidence'}${GLUE}${v.confidence}`]
    .filter(Boolean).join(' · ');
  out.push(...wrap(where, width - 2, '  ').map((l) => dim(`  ${l}`)));
  out.push(...environmentLines(report, width).map((l) => dim(`  ${l}`)));
  out.push('');

  const model = buildModel(report);
  // Interesting rows first when there are too many: the verdict's, stalled/failed, slow, then by time.
  let rows = model.rows;
  let hidden = 0;
  if (rows.length > maxRows) {
    const keep = new Set([...rows].sort((a, b) => score(b) - score(a)).slice(0, maxRows));
    hidden = rows.length - keep.size;
    rows = rows.filter((r) => keep.has(r));
  }
  if (rows.length > 0) {
    // Fixed columns: marker, what, address, six stages = 9 columns, 10 border characters. A stage
    // cell holds 7 characters (">119.9s", "1.25s×3") where there is room, 6 (">1m05s") on an
    // 80-column terminal; the table fits from 74 columns.
    const stageW = width >= 3 + 10 + 12 + 10 + 8 * COLUMNS.length ? 8 : 7;
    const fixed = 3 + stageW * COLUMNS.length + 10;
    const rest = width - fixed;
    const whatW = Math.max(10, Math.floor(rest * 0.55));
    const addrW = Math.max(9, rest - whatW);
    const table = new Table({
      head: ['', zh ? '目标' : 'host / name', zh ? '地址' : 'address', ...COLUMNS.map((c) => (zh ? c.zh : (stageW < 8 && c.short) || c.head))].map((h) => bold(h)),
      colWidths: [3, whatW, addrW, ...COLUMNS.map(() => stageW)],
      style: { head: [], border: [], 'padding-left': 1, 'padding-right': 0 },
      wordWrap: false,
    });
    for (const r of rows) {
      const marker = r.verdict ? mark('▶') : r.state === 'stalled' || r.state === 'failed' ? fail('•') : '';
      let stageCells: string[];
      if (r.kind === 'connection' || r.kind === 'dns') {
        stageCells = COLUMNS.map((c) => cell(r, c.stage, mark, slow, fail));
      } else {
        // A lock, prompt or fetch has one span: show it across the stage columns as text.
        const s = r.stages[0];
        const text = `${stageLabel(s.stage, lang)} ${s.state === 'stalled' ? '>' : ''}${human(s.seconds)}${s.state === 'failed' ? ' ' + clip(s.detail, 30) : ''}`;
        stageCells = [{ content: s.state === 'stalled' ? mark(text) : text, colSpan: COLUMNS.length } as unknown as string];
      }
      table.push([marker, truncate(clip(r.label, 400), whatW - 1), truncate(clip(r.address ?? '', 100), addrW - 1), ...stageCells]);
    }
    out.push(table.toString());
    const legend = zh ? '>N = 到证据结束仍在等待；xN = 失败；▶ = 结论所指' : '>N still waiting when the evidence ends · xN failed · ▶ the verdict\'s row';
    const more = hidden ? (zh ? ` · 另有 ${hidden} 行未显示（--format html 查看全部）` : ` · ${hidden} more rows not shown (see --format html)`) : '';
    out.push(...wrap(legend + more, width - 2, '  ').map((l) => dim(`  ${l}`)));
    out.push('');
  }

  const shownFindings = report.findings.slice(0, 6);
  if (shownFindings.length > 0) {
    out.push(bold(zh ? '其他发现：' : 'Other findings:'));
    for (const f of shownFindings) {
      const tag = zh ? `${stateLabel(f.state, lang)} 于 ${stageLabel(f.stage, lang)}，可信度 ${f.confidence}` : `${f.state} ${f.stage}, conf ${f.confidence}`;
      out.push(...wrap(`- [${tag}] ${clip(f.summary, 300)}`, width - 2, '    ').map((l) => `  ${l}`));
    }
    const unshown = report.findings.length - shownFindings.length;
    if (unshown > 0) out.push(dim(zh ? `  … 另有 ${unshown} 条，见 --format json` : `  … ${unshown} more in --format json`));
    out.push('');
  }
  if (v.hints.length > 0) {
    out.push(bold(zh ? '建议：' : 'Hints:'));
    for (const h of v.hints) out.push(...wrap(`→ ${clip(h, 600)}`, width - 2, '    ').map((l) => `  ${l}`));
    out.push('');
  }
  for (const i of report.inputs) {
    for (const w of i.warnings.slice(0, 5)) out.push(...wrap(`warning: ${clip(i.file, 80)}: ${clip(w, 300)}`, width, '  ').map((l) => dim(l)));
  }
  return out.join('\n').replace(/\n+$/, '') + '\n';
}

/**
 * The user's go and its settings (a bundle's), at most two lines: `go1.19.8 · go mod download ·
 * GOPROXY=… · GOSUMDB=…`. Each value is cut at 60 characters; GOSUMDB without its key
 * (`name+hash+key url` → `name url`), which no operator needs to read.
 */
function environmentLines(report: Report, width: number): string[] {
  const parts = environmentFacts(report.environment).map(([k, v]) => {
    const value = k === 'GOSUMDB' ? v.replace(/^([^\s+]+)\+[0-9a-f]{8}\+\S+/, '$1') : v;
    return k === 'go' ? clip(value, 60) : k === 'command' ? clip(value, 60).replaceAll(' ', GLUE) : `${clip(k, 20)}=${clip(value, 60)}`;
  });
  if (parts.length === 0) return [];
  const lines = wrap(parts.join(' · '), width - 2, '  ');
  if (lines.length <= 2) return lines;
  return [lines[0], lines[1].replace(/.$/u, '…')];
}

function score(r: Row): number {
  return (r.verdict ? 1000 : 0) + (r.state === 'stalled' ? 300 : r.state === 'failed' ? 200 : r.state === 'slow' ? 100 : 0);
}
