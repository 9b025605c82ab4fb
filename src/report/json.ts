/**
 * `--format json`: the report document itself (src/report/schema.ts, docs/report-schema.md).
 * Non-finite numbers cannot be JSON; they become null rather than breaking the document.
 */
import type { Report } from './schema.js';

export function renderJson(report: Report, opts: { pretty?: boolean } = {}): string {
  const text = JSON.stringify(report, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), opts.pretty === false ? undefined : 2);
  return text + '\n';
}
