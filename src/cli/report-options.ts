/**
 * The `analyze` command's report options and rendering, for src/cli/analyze.ts to wire in:
 *   addReportOptions(cmd)            --format, -o, --strace, --go-log, --lang, --strace-date, --strace-tz,
 *                                    --no-redact, --no-progress (reading progress on a terminal: cli/progress.ts)
 *   reportFormat(options)            --format, or without it the format -o FILE's extension names (table otherwise)
 *   runAnalyze(target, options, io)  runs the pipeline and writes the chosen format; returns the exit code
 */
import { FileDescriptor } from '../io/files.js';
import type { Command } from 'commander';
import { extname } from 'node:path';
import { UsageError, outputError } from './errors.js';
import { analyze } from '../timeline/analyze.js';
import { resolveLang, type Lang } from '../timeline/hints.js';
import type { Report } from '../report/schema.js';
import { renderTable, verdictLine } from '../report/table.js';
import { renderJson } from '../report/json.js';
import { renderJsonChunks } from '../report/json-stream.js';
import { renderHtml } from '../report/html.js';
import { renderMarkdown } from '../report/markdown.js';
import { renderTrace } from '../report/trace.js';
import { renderHar } from '../report/har.js';
import { createProgress, NO_PROGRESS, type ProgressStream } from './progress.js';
import { terminalColumns } from '../report/wrap.js';

export const REPORT_FORMATS = ['table', 'json', 'html', 'md', 'trace', 'har'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface AnalyzeCliOptions {
  format?: string;
  output?: string;
  strace?: string;
  goLog?: string;
  lang?: string;
  straceDate?: string;
  straceTz?: string;
  /** false with --no-redact. */
  redact?: boolean;
  /** false with --no-progress. */
  progress?: boolean;
}

export interface AnalyzeIo {
  stdout?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  env?: NodeJS.ProcessEnv;
  /** Where reading progress goes on a terminal (default process.stderr); see cli/progress.ts. */
  stderr?: ProgressStream;
}

export function addReportOptions(cmd: Command): Command {
  return cmd
    .option('--format <format>', `report format: ${REPORT_FORMATS.join('|')} (default: from -o FILE's extension, .html .htm .json .md .markdown .har; otherwise table)`)
    .option('-o, --output <file>', 'write the report to FILE instead of stdout (- for stdout)')
    .option('--strace <file>', 'strace log of the go run (strace -f -ttt -T -yy)')
    .option('--go-log <file>', "go's own output (-x), as written by record or plain")
    .option('--lang <lang>', 'language of summaries and hints: en|zh-CN (default: from LANG / LC_ALL)')
    .option('--strace-date <YYYY-MM-DD>', 'date of a strace -t/-tt log (default: the capture\'s date)')
    .option('--strace-tz <zone>', 'time zone of a strace -t/-tt log, e.g. Asia/Shanghai (default: local)')
    .option('--no-redact', 'keep credentials found in the evidence (URL user:password, tokens, auth headers) instead of ***')
    .option('--no-progress', 'no reading progress on stderr (shown only on a terminal, for inputs that take over a second)');
}

export function parseFormat(f: string | undefined): ReportFormat {
  const v = (f ?? 'table').toLowerCase();
  const alias: Record<string, ReportFormat> = { markdown: 'md', text: 'table', chrome: 'trace', perfetto: 'trace' };
  const fmt = (alias[v] ?? v) as ReportFormat;
  if (!REPORT_FORMATS.includes(fmt)) throw new UsageError(`--format ${f}: unknown format (choose ${REPORT_FORMATS.join(', ')})`);
  return fmt;
}

/**
 * Formats -o FILE's extension names when --format is not given. `.trace.json` stays json: a JSON
 * report of gomod-trace may well be called that; the trace format needs --format trace.
 */
const EXTENSION_FORMATS = new Map<string, ReportFormat>([
  ['.html', 'html'], ['.htm', 'html'], ['.json', 'json'], ['.md', 'md'], ['.markdown', 'md'], ['.har', 'har'],
]);

/** --format when given (it always wins); otherwise the format -o FILE's extension names, or table. */
export function reportFormat(options: Pick<AnalyzeCliOptions, 'format' | 'output'>): ReportFormat {
  if (options.format !== undefined) return parseFormat(options.format);
  return formatOfName(options.output) ?? 'table';
}

/** The format an output file's extension names (EXTENSION_FORMATS); undefined for stdout or another name. */
export function formatOfName(output: string | undefined): ReportFormat | undefined {
  if (output === undefined || output === '-') return undefined;
  return EXTENSION_FORMATS.get(extname(output).toLowerCase());
}

export function parseLang(flag: string | undefined, env: NodeJS.ProcessEnv): Lang {
  if (flag !== undefined && !/^(en|zh)([-_].*)?$/i.test(flag)) throw new UsageError(`--lang ${flag}: unsupported language (en or zh-CN)`);
  return resolveLang(flag, env);
}

/** Colour on a TTY only; NO_COLOR (any value) and TERM=dumb turn it off; FORCE_COLOR turns it on. */
export function useColor(stdout: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return stdout.isTTY === true && env.TERM !== 'dumb';
}

export function renderReport(report: Report, format: ReportFormat, o: { color?: boolean; lang?: Lang; width?: number } = {}): string {
  switch (format) {
    case 'table': return renderTable(report, { color: o.color ?? false, lang: o.lang, width: o.width });
    case 'json': return renderJson(report);
    case 'html': return renderHtml(report, { lang: o.lang });
    case 'md': return renderMarkdown(report, { lang: o.lang });
    case 'trace': return renderTrace(report);
    case 'har': return renderHar(report);
  }
}

/** Slices of a large report written one by one: converting a 20 MB string to bytes at once costs its size again in memory. */
const SLICE = 1 << 20;

/** Write `pieces` to the file at `path` in order; a failure is the one-line output error (errors.ts). */
export async function writeFilePieces(path: string, pieces: Iterable<string>): Promise<void> {
  try {
    const fh = await FileDescriptor.open(path, 'w');
    try {
      for (const piece of pieces) await fh.writeAll(Buffer.from(piece, 'utf8'));
    } finally {
      await fh.close();
    }
  } catch (err) {
    throw outputError(path, err);
  }
}

function writeInSlices(out: NodeJS.WritableStream, text: string): void {
  if (text.length <= SLICE) { out.write(text); return; }
  for (let i = 0; i < text.length; i += SLICE) out.write(text.slice(i, i + SLICE));
}

export async function runAnalyze(target: string | undefined, options: AnalyzeCliOptions, io: AnalyzeIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const env = io.env ?? process.env;
  const format = reportFormat(options);
  const lang = parseLang(options.lang, env);
  if (options.straceDate !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(options.straceDate)) {
    throw new UsageError(`--strace-date ${options.straceDate}: expected YYYY-MM-DD`);
  }
  if (options.straceTz !== undefined) {
    try { new Intl.DateTimeFormat('en', { timeZone: options.straceTz }); } catch {
      throw new UsageError(`--strace-tz ${options.straceTz}: unknown time zone (use an IANA name such as Asia/Shanghai or UTC)`);
    }
  }
  if (format === 'html' && !options.output && stdout.isTTY) {
    throw new UsageError('--format html writes a whole page: add -o report.html (or redirect stdout)');
  }
  const progress = options.progress === false ? NO_PROGRESS : createProgress(io.stderr ?? process.stderr, env);
  let report: Report;
  try {
    report = await analyze(
      { capture: target, strace: options.strace, goLog: options.goLog },
      {
        lang, straceDate: options.straceDate, straceTz: options.straceTz, redact: options.redact !== false,
        onProgress: progress === NO_PROGRESS ? undefined : (p) => progress.update(p),
      },
    );
  } finally {
    // Before anything else is printed (the report, or the error message).
    progress.done();
  }
  const toFile = options.output !== undefined && options.output !== '-';
  const width = Math.max(60, Math.min(100, terminalColumns(stdout) ?? 100));
  // JSON goes out record by record (report/json-stream.ts): a huge report is never one string.
  const pieces: Iterable<string> = format === 'json'
    ? renderJsonChunks(report)
    : [renderReport(report, format, { color: !toFile && format === 'table' && useColor(stdout, env), lang, width })];
  if (toFile) {
    await writeFilePieces(options.output!, pieces);
    // The file holds the report; the terminal still gets the one line that matters.
    stdout.write(verdictLine(report.verdict, lang, useColor(stdout, env), width) + '\n');
    stdout.write(`${lang === 'zh-CN' ? '报告已写入' : 'report written to'} ${options.output}\n`);
  } else {
    // process.stdout is synchronous for files, pipes and terminals on Linux: no backlog builds up.
    // A write that fails (full disk, `| head` closing the pipe) is watchStdio's (errors.ts).
    for (const piece of pieces) writeInSlices(stdout, piece);
  }
  return 0;
}
