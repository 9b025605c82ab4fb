/**
 * Terminal rendering of the capture summary (capture/summary.ts) with cli-table3, in English or
 * Simplified Chinese (the JSON keys stay English: they are the object's). Values are wrapped with
 * wrap.ts to fit the width, so a Chinese value breaks where the report's Chinese text does.
 */
import Table from 'cli-table3';
import type { CaptureReport, LinkTypeSummary } from '../capture/summary.js';
import type { Lang } from '../timeline/hints.js';
import { displayWidth, GLUE, wrap } from './wrap.js';

export interface SummaryTableOptions {
  lang?: Lang;
  /** Total width, default 100 (60 at least). */
  width?: number;
}

/** ISO time with microseconds, from epoch seconds. */
function time(t: number | null): string {
  if (t === null) return '-';
  const us = Math.round(t * 1e6);
  const sec = Math.floor(us / 1e6);
  const iso = new Date(sec * 1000).toISOString();
  return `${iso.slice(0, 19)}.${String(us - sec * 1e6).padStart(6, '0')}Z`;
}

/** Most interfaces listed one per line; the rest are counted. */
const MAX_INTERFACE_LINES = 8;

/** Strip control characters: interface names come from the file. */
function clean(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

/** The table's words; `unit` names a timestamp resolution's unit (timestamp.ts resolutionName). */
const WORDS = {
  en: {
    file: 'file', format: 'format', byteOrder: 'byte order', timestamps: 'timestamps', linkTypes: 'link types',
    interfaces: 'interfaces', packets: 'packets', first: 'first', last: 'last', span: 'span', other: 'other', warnings: 'warnings',
    sections: (n: number) => `, ${n} sections`,
    fragments: (n: number) => ` (${n} fragments)`,
    linkType: (l: LinkTypeSummary) => `${l.name} (${l.linkType})${l.decoded ? '' : ' not decoded'}: ${l.packets} packet${l.packets === 1 ? '' : 's'}`,
    more: (n: number) => `… and ${n} more (--format json lists all)`,
    packetCount: (n: number, bytes: number) => `${n} (${bytes} bytes captured)`,
    seconds: (s: string) => `${s} s`,
    order: (o: string) => o,
    resolution: (r: string) => r,
    none: 'none',
  },
  'zh-CN': {
    file: '文件', format: '格式', byteOrder: '字节序', timestamps: '时间戳精度', linkTypes: '链路类型',
    interfaces: '接口', packets: '数据包', first: '最早', last: '最晚', span: '时长', other: '其他', warnings: '警告',
    sections: (n: number) => `，${n} 个节`,
    fragments: (n: number) => `（${n} 个分片）`,
    linkType: (l: LinkTypeSummary) => `${l.name} (${l.linkType})${l.decoded ? '' : ' 未解码'}：${l.packets} 个数据包`,
    more: (n: number) => `… 另有 ${n} 个（--format json 列出全部）`,
    packetCount: (n: number, bytes: number) => `${n} 个（共捕获 ${bytes} 字节）`,
    seconds: (s: string) => `${s} 秒`,
    order: (o: string) => ({ 'little-endian': '小端', 'big-endian': '大端', mixed: '混合' })[o] ?? o,
    resolution: (r: string) => r
      .replace(/^mixed \((.*)\)$/, '混合（$1）')
      .replace(/\b(?:(pico|nano|micro|milli)?seconds)\b/g, (_, p: string | undefined) => ({ pico: '皮秒', nano: '纳秒', micro: '微秒', milli: '毫秒' })[p ?? ''] ?? '秒')
      .replaceAll(', ', '、'),
    none: '无',
  },
};

export function renderSummaryTable(r: CaptureReport, opts: SummaryTableOptions = {}): string {
  const w = WORDS[opts.lang ?? 'en'];
  const linkTypes = r.linkTypes.map(w.linkType);
  const shown = r.interfaces.slice(0, MAX_INTERFACE_LINES);
  const more = r.interfaces.length - shown.length;
  const ifaces = shown
    .map((i) => {
      const name = i.name ? clean(i.name) : null;
      const extra = [name && name.length > 64 ? `${name.slice(0, 63)}…` : name, `snaplen${GLUE}${i.snapLen}`, i.tsOffset ? `tsoffset${GLUE}${w.seconds(String(i.tsOffset))}` : null]
        .filter(Boolean)
        .join(', ');
      return `${i.id}: ${i.linkTypeName} (${extra})`;
    })
    .concat(more > 0 ? [w.more(more)] : []);
  const p = r.protocols;
  const rows: Array<[string, string[]]> = [
    [w.file, [clean(r.file)]],
    [w.format, [`${r.format} ${r.version}${r.sections > 1 ? w.sections(r.sections) : ''}`]],
    [w.byteOrder, [w.order(r.byteOrder)]],
    [w.timestamps, [w.resolution(r.tsResolution)]],
    [w.linkTypes, linkTypes],
    [w.interfaces, ifaces],
    [w.packets, [w.packetCount(r.packets, r.bytes)]],
    [w.first, [time(r.firstTime)]],
    [w.last, [time(r.lastTime)]],
    [w.span, [r.firstTime === null || r.lastTime === null ? '-' : w.seconds((r.lastTime - r.firstTime).toFixed(6))]],
    ['IPv4 / IPv6', [`${p.ipv4} / ${p.ipv6}${p.fragments ? w.fragments(p.fragments) : ''}`]],
    ['TCP / UDP / ICMP', [`${p.tcp} / ${p.udp} / ${p.icmp}`]],
    [w.other, [String(p.other)]],
    [w.warnings, r.warnings.length ? r.warnings.map(clean) : [w.none]],
  ];
  // Borders and padding: │ label │ value │ is 7 columns besides the two.
  const labelW = Math.max(...rows.map(([k]) => displayWidth(k)));
  const valueW = Math.max(60, opts.width ?? 100) - labelW - 7;
  const t = new Table({ style: { head: [], border: [] } });
  for (const [k, lines] of rows) {
    const value = lines.length ? lines.flatMap((l) => wrap(l, valueW, '  ')).join('\n') : '-';
    t.push({ [k]: value });
  }
  return t.toString();
}
