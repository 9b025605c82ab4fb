/**
 * `--format json`: the report document itself (src/report/schema.ts, docs/report-schema.md).
 * Non-finite numbers cannot be JSON; they become null rather than breaking the document.
 */
import type { Report } from './schema.js';

/** The replacer of the report's JSON (also used by json-stream.ts): a non-finite number is null. */
export function finiteOrNull(_k: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? null : v;
}

export function renderJson(report: Report, opts: { pretty?: boolean } = {}): string {
  const text = JSON.stringify(report, finiteOrNull, opts.pretty === false ? undefined : 2);
  return text + '\n';
}
