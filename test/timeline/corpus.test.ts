/**
 * Conformance over the shared capture corpus (../shared/corpus, not in the repo): every file gives a
 * complete report (or a one-line user-facing error for the broken ones), and every renderer copes.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { analyze } from '../../src/timeline/analyze.js';
import { isUserFacing } from '../../src/cli/errors.js';
import { renderReport, REPORT_FORMATS } from '../../src/cli/report-options.js';

const CORPUS = fileURLToPath(new URL('../../../shared/corpus/pcaps/', import.meta.url));
const present = existsSync(CORPUS);

describe.skipIf(!present)(`corpus conformance (${present ? CORPUS : 'corpus absent: skipped'})`, () => {
  const files = present ? readdirSync(CORPUS).sort() : [];
  it(`analyses all ${files.length} files and renders every format`, async () => {
    let reports = 0;
    let refused = 0;
    const verdicts: Record<string, number> = {};
    for (const f of files) {
      let report;
      try {
        report = await analyze({ capture: CORPUS + f });
      } catch (err) {
        expect(isUserFacing(err), `${f}: ${String(err)}`).toBe(true);
        expect((err as Error).message).not.toMatch(/\n/);
        refused++;
        continue;
      }
      reports++;
      expect(report.schema).toBe('gomod-trace/report');
      expect(['stalled', 'failed', 'slow', 'ok']).toContain(report.verdict.state);
      expect(report.verdict.summary.length).toBeGreaterThan(10);
      expect(report.verdict.confidence).toBeGreaterThanOrEqual(0);
      expect(report.verdict.confidence).toBeLessThanOrEqual(1);
      if (report.verdict.state !== 'ok') expect(report.verdict.evidence.length, f).toBeGreaterThan(0);
      verdicts[`${report.verdict.stage}/${report.verdict.state}`] = (verdicts[`${report.verdict.stage}/${report.verdict.state}`] ?? 0) + 1;
      for (const fmt of REPORT_FORMATS) {
        const text = renderReport(report, fmt, { lang: 'en' });
        expect(text.length, `${f} ${fmt}`).toBeGreaterThan(20);
        if (fmt === 'json' || fmt === 'trace' || fmt === 'har') JSON.parse(text);
      }
    }
    console.log(`corpus: ${reports} reports, ${refused} refused with a user-facing error; verdicts ${JSON.stringify(verdicts)}`);
    expect(reports).toBeGreaterThan(files.length / 2);
  }, 120_000);
});
