import type { Command } from 'commander';
import { UsageError } from './errors.js';
import { record } from '../record/index.js';
import { parseLang } from './report-options.js';

function seconds(flag: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number of seconds, got '${v}'`);
    return n;
  };
}

function snaplen(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 262144) throw new UsageError(`--snaplen must be an integer from 0 to 262144, got '${v}'`);
  return n;
}

export function registerRecord(program: Command): void {
  program
    .command('record')
    .description('run a go command (default `go mod download`) under tcpdump (and strace), stop it when it hangs, and name the stall')
    .argument('[go-command...]', 'go command after --, e.g. `-- go get example.com/m@v1` (default: go mod download)')
    .usage('[options] [-- GO-COMMAND…]')
    .option('-o, --out <dir>', 'bundle folder (new or empty; default ./gomod-trace-YYYYmmdd-HHMMSS)')
    .option('--no-capture', 'do not run tcpdump (record go\'s log, and strace with --strace)')
    .option('-i, --interface <name>', 'capture interface (tcpdump -i)', 'any')
    .option('-f, --filter <bpf>', 'capture filter, e.g. "host 10.0.0.5 or port 53"')
    .option('--snaplen <bytes>', 'bytes kept per packet (0 = all)', snaplen, 0)
    .option('--strace', 'also run go under strace (file locks, git children, syscalls)')
    .option('-t, --timeout <s>', 'stop go after S seconds', seconds('--timeout'))
    .option('-s, --stall-after <s>', 'stop go after S seconds without a new packet or a new line from go', seconds('--stall-after'))
    .option('--quit-grace <s>', 'seconds go gets to print its goroutine dump after SIGQUIT', seconds('--quit-grace'), 2)
    .option('--as-root', 'under sudo, run go as root instead of the invoking user')
    .option('--no-analyze', 'only record; analyse later with `gomod-trace analyze DIR`')
    .option('--no-progress', 'no live status line')
    .option('--redact-capture', 'also write capture.redacted.pcap: a copy safe to share (payloads cut, DNS/TLS hellos/HTTP headers kept, credentials starred)')
    .option('--drop-raw-capture', 'with --redact-capture: delete the raw capture.pcap afterwards, so the bundle can be shared as is')
    .option('--lang <lang>', 'language of the verdict: en|zh-CN (default: from LANG / LC_ALL, as for analyze)')
    .action(async (goCommand: string[], opts: {
      out?: string; capture: boolean; interface: string; filter?: string; snaplen: number; strace?: boolean;
      timeout?: number; stallAfter?: number; quitGrace: number; asRoot?: boolean; analyze: boolean; progress: boolean; lang?: string;
      redactCapture?: boolean; dropRawCapture?: boolean;
    }) => {
      // As analyze reads it, so that record's verdict and a later `analyze DIR` speak one language.
      const lang = parseLang(opts.lang, process.env);
      const result = await record({
        command: goCommand,
        out: opts.out,
        capture: opts.capture,
        interface: opts.capture ? opts.interface : undefined,
        filter: opts.filter,
        snaplen: opts.snaplen,
        strace: !!opts.strace,
        timeout: opts.timeout ?? null,
        stallAfter: opts.stallAfter ?? null,
        quitGraceMs: opts.quitGrace * 1000,
        asRoot: !!opts.asRoot,
        analyze: opts.analyze,
        lang,
        handleSignals: true,
        progress: opts.progress ? undefined : false,
        redactCapture: !!opts.redactCapture,
        dropRawCapture: !!opts.dropRawCapture,
      });
      process.exitCode = result.exitCode;
    });
}
