/**
 * After recording: analyse the bundle (src/timeline/analyze.ts), write report.json and
 * report.html (src/report/html.ts), and render the terminal report as `analyze` prints it
 * (src/report/table.ts). A failing analysis never loses the recording: it becomes a warning and
 * the bundle can be re-analysed with `gomod-trace analyze DIR`.
 */
import { join } from 'node:path';
import type { Report } from '../report/schema.js';
import { analyze } from '../timeline/analyze.js';
import { renderHtml } from '../report/html.js';
import { renderTable } from '../report/table.js';
import { BUNDLE_FILES, writeFileWhole } from './bundle.js';
import { describeFsError } from '../cli/errors.js';
import { renderJson } from '../report/json.js';

export interface AnalysisResult {
  report: Report | null;
  /** One-line verdict. */
  verdictLine: string | null;
  /** The terminal report as `analyze` prints it. */
  text: string | null;
  /** Files written into the bundle. */
  files: string[];
  warnings: string[];
}

/** `FILE: no space left on device` for file-system errors (write errors carry no path), else the message. */
function fsReason(err: unknown, file: string): string {
  const e = err as NodeJS.ErrnoException;
  return describeFsError(e && typeof e === 'object' && typeof e.code === 'string' ? { code: e.code, path: e.path ?? file } : err) ?? firstLine(err);
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0].slice(0, 300);
}

export async function analyzeBundle(bundleDir: string, lang: 'en' | 'zh-CN' = 'en', table: { width?: number; color?: boolean } = {}): Promise<AnalysisResult> {
  const warnings: string[] = [];
  const files: string[] = [];
  let report: Report;
  try {
    report = await analyze({ bundleDir }, { lang });
  } catch (err) {
    return { report: null, verdictLine: null, text: null, files, warnings: [`analysis failed: ${firstLine(err)}; the bundle is complete, re-run \`gomod-trace analyze ${bundleDir}\``] };
  }
  try {
    writeFileWhole(join(bundleDir, BUNDLE_FILES.reportJson), renderJson(report));
    files.push(BUNDLE_FILES.reportJson);
  } catch (err) {
    // A full disk must not cost the verdict: it is still printed.
    warnings.push(`report.json not written: ${fsReason(err, join(bundleDir, BUNDLE_FILES.reportJson))}`);
  }
  try {
    writeFileWhole(join(bundleDir, BUNDLE_FILES.reportHtml), renderHtml(report, { lang }));
    files.push(BUNDLE_FILES.reportHtml);
  } catch (err) {
    warnings.push(`report.html not written: ${fsReason(err, join(bundleDir, BUNDLE_FILES.reportHtml))}`);
  }
  const line = verdictLine(report);
  let text = line;
  try {
    text = renderTable(report, { lang, width: table.width ?? 100, color: table.color ?? false });
  } catch (err) {
    warnings.push(`terminal report failed: ${firstLine(err)}`);
  }
  return { report, verdictLine: line, text, files, warnings };
}

/** "verdict: stalled at tls (proxy.golang.org): …" — the verdict as one line. */
export function verdictLine(report: Report): string {
  const v = report.verdict;
  return `verdict: ${v.state} at ${v.stage}${v.host ? ` (${v.host})` : ''}: ${v.summary}`;
}
