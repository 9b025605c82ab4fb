/**
 * `gomod-trace doctor`: a table (or --format json) of what `record` needs and what looks risky.
 * The checks live in src/record/doctor.ts.
 */
import type { Command } from 'commander';
import Table from 'cli-table3';
import { UsageError } from './errors.js';
import { runDoctor, type DoctorReport } from '../record/doctor.js';
import { terminalColumns } from '../report/wrap.js';

const MARK: Record<string, string> = { ok: 'ok', info: 'info', warn: 'WARN', fail: 'FAIL' };

export function renderDoctorTable(report: DoctorReport, width = terminalColumns(process.stdout) ?? 100): string {
  // 5 border columns; check and status fixed, value and hint share the rest.
  const rest = Math.max(60, Math.min(140, width) - 20 - 8 - 5);
  const valueWidth = Math.floor(rest * 0.42);
  const table = new Table({
    head: ['check', 'status', 'value', 'hint'],
    colWidths: [20, 8, valueWidth, rest - valueWidth],
    wordWrap: true,
    wrapOnWordBoundary: true,
    style: { head: [], border: [] },
  });
  // eslint-disable-next-line no-control-regex
  const clean = (s: string): string => s.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
  // Words longer than the column (URLs, paths) are cut into pieces rather than elided.
  const fit = (text: string, w: number): string => text.split(' ').map((word) => {
    const parts: string[] = [];
    for (let i = 0; i < word.length; i += w) parts.push(word.slice(i, i + w));
    return parts.join(' ');
  }).join(' ');
  for (const f of report.findings) table.push([f.check, MARK[f.status] ?? f.status, fit(clean(f.value), valueWidth - 2), fit(clean(f.hint ?? ''), rest - valueWidth - 2)]);
  // "can run" only when tcpdump was started to check the right to capture (not with --no-probe).
  const probed = report.findings.some((f) => f.id === 'capture' && f.status === 'ok');
  const summary = !report.ok
    ? 'record cannot run as is: see the FAIL rows.'
    : probed
      ? 'record can run here.'
      : 'nothing record needs is missing, but the capture permission was not checked (--no-probe): doctor without --no-probe starts tcpdump to check it.';
  return `${table.toString()}\n${summary}`;
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check what `record` needs (go, tcpdump, strace, capture permission) and what in your Go and network settings looks risky')
    .option('--format <format>', 'output format: table or json', 'table')
    .option('--no-probe', 'do not start tcpdump to test the capture permission')
    .action(async (opts: { format: string; probe: boolean }) => {
      if (opts.format !== 'table' && opts.format !== 'json') throw new UsageError(`unknown --format ${JSON.stringify(opts.format)}: expected table or json`);
      const report = await runDoctor({ probeCapture: opts.probe });
      process.stdout.write(opts.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : `${renderDoctorTable(report)}\n`);
    });
}
