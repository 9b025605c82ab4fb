/** Terminal rendering of the capture summary (capture/summary.ts) with cli-table3. */
import Table from 'cli-table3';
import type { CaptureReport } from '../capture/summary.js';

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

function span(a: number | null, b: number | null): string {
  if (a === null || b === null) return '-';
  return `${(b - a).toFixed(6)} s`;
}

/** Strip control characters: interface names come from the file. */
function clean(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

export function renderSummaryTable(r: CaptureReport): string {
  const t = new Table({ style: { head: [], border: [] } });
  const linkTypes = r.linkTypes
    .map((l) => `${l.name} (${l.linkType})${l.decoded ? '' : ' not decoded'}: ${l.packets} packets`)
    .join('\n') || '-';
  const shown = r.interfaces.slice(0, MAX_INTERFACE_LINES);
  const more = r.interfaces.length - shown.length;
  const ifaces = shown
    .map((i) => {
      const name = i.name ? clean(i.name) : null;
      const extra = [name && name.length > 64 ? `${name.slice(0, 63)}…` : name, `snaplen ${i.snapLen}`, i.tsOffset ? `tsoffset ${i.tsOffset}s` : null]
        .filter(Boolean)
        .join(', ');
      return `${i.id}: ${i.linkTypeName} (${extra})`;
    })
    .concat(more > 0 ? [`… and ${more} more (--format json lists all)`] : [])
    .join('\n') || '-';
  const p = r.protocols;
  t.push(
    { file: clean(r.file) },
    { format: `${r.format} ${r.version}${r.sections > 1 ? `, ${r.sections} sections` : ''}` },
    { 'byte order': r.byteOrder },
    { 'timestamps': r.tsResolution },
    { 'link types': linkTypes },
    { interfaces: ifaces },
    { packets: `${r.packets} (${r.bytes} bytes captured)` },
    { first: time(r.firstTime) },
    { last: time(r.lastTime) },
    { span: span(r.firstTime, r.lastTime) },
    { 'IPv4 / IPv6': `${p.ipv4} / ${p.ipv6}${p.fragments ? ` (${p.fragments} fragments)` : ''}` },
    { 'TCP / UDP / ICMP': `${p.tcp} / ${p.udp} / ${p.icmp}` },
    { other: String(p.other) },
    { warnings: r.warnings.length ? r.warnings.map(clean).join('\n') : 'none' },
  );
  return t.toString();
}
