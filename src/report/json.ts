/**
 * `--format json`: the report document itself (src/report/schema.ts, docs/report-schema.md).
 * Non-finite numbers cannot be JSON; they become null rather than breaking the document.
 */
import type { Report } from './schema.js';

export function renderJson(report: Report, opts: { pretty?: boolean } = {}): string {
  // No replacer: JSON.stringify itself writes a non-finite number as null, and a replacer function
  // (called for every value) made the 3 MB document of the bench capture several times slower.
  const text = JSON.stringify(report, null, opts.pretty === false ? undefined : 2);
  return text + '\n';
}
