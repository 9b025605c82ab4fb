/**
 * `gomod-trace analyze TARGET`: the verdict and its report (timeline/analyze.ts does the work,
 * cli/report-options.ts renders it), or with --summary just what is in a capture file
 * (capture/summary.ts; report/summary-table.ts renders the table; --format json prints the object).
 */
import type { Command } from 'commander';
import { UsageError } from './errors.js';
import { summarize } from '../capture/summary.js';
import { renderSummaryTable } from '../report/summary-table.js';
import { InputError, isDir, readBundle } from '../timeline/analyze.js';
import { addReportOptions, formatOfName, parseLang, runAnalyze, writeFilePieces, type AnalyzeCliOptions } from './report-options.js';
import { terminalColumns } from '../report/wrap.js';

export interface SummaryOptions {
  format?: string;
  /** --lang: the table's language (the JSON's keys stay English); default from LANG / LC_ALL. */
  lang?: string;
  /** A file to write the summary to (- for stdout); a .json name means --format json when none is given. */
  output?: string;
}

/**
 * --summary: the capture summary (format, link types, interfaces, packets, span, protocol counts)
 * of a capture file, or of the capture in a record bundle folder (as analyze finds it).
 */
export async function runCaptureSummary(
  target: string, opts: SummaryOptions, out: NodeJS.WritableStream & { columns?: number } = process.stdout, env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const lang = parseLang(opts.lang, env);
  const toFile = opts.output !== undefined && opts.output !== '-';
  // A .json name means JSON, as for the report; the summary has no other format to name.
  const format = opts.format ?? (formatOfName(opts.output) === 'json' ? 'json' : 'table');
  if (format !== 'table' && format !== 'json') {
    throw new UsageError(`--summary takes --format table or json, not ${JSON.stringify(format)}`);
  }
  let capture = target;
  if (target !== '-' && (await isDir(target))) {
    const bundle = await readBundle(target);
    if (bundle.capture === null) throw new InputError(`${target}: this bundle has no capture to summarise (only ${bundle.goLog ? 'go.log' : 'strace.log'}${bundle.goLog && bundle.strace ? ' and strace.log' : ''})`);
    capture = bundle.capture;
  }
  const report = await summarize(capture);
  // As wide as the terminal, up to 100 columns (and 100 in a file).
  const width = Math.min(100, (toFile ? undefined : terminalColumns(out)) ?? 100);
  const text = format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : `${renderSummaryTable(report, { lang, width })}\n`;
  if (toFile) {
    await writeFilePieces(opts.output!, [text]);
    out.write(`${lang === 'zh-CN' ? '摘要已写入' : 'summary written to'} ${opts.output}\n`);
  } else {
    out.write(text);
  }
}

export function registerAnalyze(program: Command): void {
  const cmd = program
    .command('analyze')
    .argument('[target]', 'capture file (pcap or pcapng), a record bundle folder, or - for stdin (may be left out with --strace or --go-log)')
    .description('analyse a capture (and optionally strace and go logs) and name the stall')
    .option('--summary', 'only summarise the capture (a file, or a bundle folder\'s): format, link types, interfaces, packets, protocols');
  addReportOptions(cmd).action(async (target: string | undefined, opts: AnalyzeCliOptions & { summary?: boolean }) => {
    if (opts.summary) {
      // Before the check below: --strace and --go-log, which it names, are no input for --summary.
      if (target === undefined) throw new UsageError('--summary needs a capture file or a bundle folder');
      await runCaptureSummary(target, opts);
      return;
    }
    if (target === undefined && !opts.strace && !opts.goLog) {
      throw new UsageError('analyze needs a capture file, a bundle folder, --strace FILE or --go-log FILE');
    }
    process.exitCode = await runAnalyze(target, opts);
  });
}
