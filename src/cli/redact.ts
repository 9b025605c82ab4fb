import type { Command } from 'commander';
import { statSync } from 'node:fs';
import { UsageError } from './errors.js';
import { redactCapture, bundleCapture, type ShareFormat } from '../share/index.js';

export function registerRedact(program: Command): void {
  program
    .command('redact')
    .description('write a copy of a capture that is safe to share: headers, DNS, TLS hellos and HTTP headers kept (credentials starred), payloads cut')
    .argument('<input>', 'capture file (pcap or pcapng), or a record bundle folder')
    .option('-o, --output <file>', 'where to write, - for stdout (default: next to the input as *.redacted.pcap; in a bundle capture.redacted.pcap)')
    .option('--format <format>', 'pcap or pcapng (default: from the output name; pcapng when the input mixes link types)')
    .option('-q, --quiet', 'print nothing on success')
    .action(async (input: string, opts: { output?: string; format?: string; quiet?: boolean }) => {
      if (opts.format !== undefined && opts.format !== 'pcap' && opts.format !== 'pcapng') throw new UsageError(`--format must be pcap or pcapng, got '${opts.format}'`);
      let from = input;
      let to = opts.output;
      if (isDir(input)) {
        const b = bundleCapture(input);
        if (!b) throw new UsageError(`${input}: no capture.pcap or capture.pcapng in this folder`);
        from = b.input;
        to ??= b.output;
      }
      to ??= defaultOutput(from, opts.format as ShareFormat | undefined);
      const toStdout = to === '-';
      if (toStdout && process.stdout.isTTY) throw new UsageError('-o -: standard output is a terminal; redirect it to a file or a pipe (a file named "-" is -o ./-)');
      const r = await redactCapture(from, to, { format: opts.format as ShareFormat | undefined });
      if (!opts.quiet) {
        const pct = r.bytesIn > 0 ? Math.round((100 * r.bytesOut) / r.bytesIn) : 100;
        // With the copy on stdout, the line goes to stderr.
        (toStdout ? process.stderr : process.stdout).write(`wrote ${toStdout ? 'standard output' : r.output} (${r.format}): ${r.packets} packets, ${r.bytesOut} of ${r.bytesIn} captured bytes kept (${pct} %); ` +
          `connections: ${r.connections.tls} TLS, ${r.connections.http} HTTP, ${r.connections.dns} DNS over TCP, ${r.connections.other} other (payload cut)\n`);
        for (const w of r.warnings) process.stderr.write(`gomod-trace: warning: ${w}\n`);
      }
    });
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** capture.pcap → capture.redacted.pcap; x.pcapng → x.redacted.pcapng; other names get .redacted.pcap. */
export function defaultOutput(input: string, format?: ShareFormat): string {
  const m = /^(.*)\.(pcapng|pcap|cap|dmp)$/i.exec(input);
  const ext = format ?? (m && m[2].toLowerCase() === 'pcapng' ? 'pcapng' : 'pcap');
  return `${m ? m[1] : input}.redacted.${ext}`;
}
