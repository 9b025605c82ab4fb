/**
 * `--format trace`: Chrome Trace Event JSON (`{"traceEvents":[…]}`), which Perfetto and
 * chrome://tracing open. Times in microseconds since t0. Each row of the report is a thread
 * (`M` thread_name metadata); each stage a complete `X` event on it; spans still open at the end of
 * the evidence are async `b`/`e` pairs ending there; the verdict is an instant `i` event.
 */
import type { Report } from './schema.js';
import { buildModel } from './model.js';
import { clip } from './escape.js';

interface TraceEvent {
  name: string;
  cat?: string;
  ph: 'X' | 'b' | 'e' | 'i' | 'M';
  ts?: number;
  dur?: number;
  pid: number;
  tid?: number;
  id?: string;
  s?: 'g' | 'p' | 't';
  args?: Record<string, unknown>;
}

const us = (t: number): number => Math.round(t * 1e6);

export function renderTrace(report: Report): string {
  const model = buildModel(report);
  const pidOf: Record<string, number> = { connection: 1, dns: 2, syscall: 3, fetch: 4 };
  const events: TraceEvent[] = [
    { name: 'process_name', ph: 'M', pid: 1, args: { name: 'connections' } },
    { name: 'process_name', ph: 'M', pid: 2, args: { name: 'dns' } },
    { name: 'process_name', ph: 'M', pid: 3, args: { name: 'syscalls (strace)' } },
    { name: 'process_name', ph: 'M', pid: 4, args: { name: 'go fetches (-x)' } },
  ];
  let tid = 0;
  let asyncId = 0;
  for (const r of model.rows) {
    tid += 1;
    const pid = pidOf[r.kind];
    events.push({ name: 'thread_name', ph: 'M', pid, tid, args: { name: clip(`${r.id} ${r.label}${r.address ? ' ' + r.address : ''}`, 200) } });
    for (const s of r.stages) {
      const args = { state: s.state, detail: clip(s.detail, 500), seconds: s.seconds, ref: s.frame !== null ? `frame ${s.frame}` : r.ref };
      if (s.end !== null) {
        events.push({ name: s.stage, cat: s.state, ph: 'X', ts: us(s.start), dur: Math.max(0, us(s.end) - us(s.start)), pid, tid, args });
      } else {
        const id = `a${++asyncId}`;
        events.push({ name: `${s.stage} (${s.state})`, cat: s.state, ph: 'b', ts: us(s.start), pid, tid, id, args });
        events.push({ name: `${s.stage} (${s.state})`, cat: s.state, ph: 'e', ts: us(s.start + s.seconds), pid, tid, id });
      }
    }
  }
  const v = report.verdict;
  events.push({
    name: `verdict: ${v.state} ${v.stage}`, cat: 'verdict', ph: 'i', s: 'g', pid: 1, tid: 0,
    ts: us(v.since !== null ? v.since + (v.waited ?? 0) : model.end), args: { summary: clip(v.summary, 1000), host: v.host, address: v.address, path: v.path },
  });
  return JSON.stringify({ traceEvents: events, displayTimeUnit: 'ms', otherData: { generator: report.generator, t0: report.t0 } }) + '\n';
}
