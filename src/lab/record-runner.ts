/**
 * A lab runner that goes through `record` (src/record, issue 6): tcpdump on lo with the scenario's
 * capture filter, go under the scenario's resolv.conf wrapper, a bundle with the report. The lab
 * CLI can use it through setLabRunnerFactory((args) => recordRunner(parseRecordArgs(args))).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { record, type RecordOptions, type RecordResult } from '../record/index.js';
import type { Report } from '../report/schema.js';
import type { RunResult, Runner } from './runner.js';

export interface RecordRun extends RunResult {
  bundleDir: string;
  record: RecordResult;
  report: Report | null;
}

/**
 * Options the lab decides (command, env, cwd, wrapper, filter, timeout) win over `extra`; strace is
 * on for scenarios whose evidence is in syscalls unless `extra.strace` says otherwise.
 */
export function recordRunner(extra: RecordOptions = {}): Runner {
  return async (p, opts) => {
    const started = Date.now();
    const ac = new AbortController();
    const onAbort = () => ac.abort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    let res: RecordResult;
    try {
      res = await record({
        stdout: null,
        stderr: null,
        progress: false,
        handleSignals: false,
        ...extra,
        strace: extra.strace ?? p.needsStrace,
        command: p.command[0] === 'go' ? p.command.slice(1) : p.command,
        prefix: p.wrap,
        env: p.env,
        // The lab's environment is complete: nothing of ours (proxies, GOFLAGS, SUDO_*) leaks in.
        baseEnv: { PATH: p.env.PATH, HOME: p.env.HOME },
        cwd: p.cwd,
        interface: extra.interface ?? 'lo',
        filter: p.captureFilter,
        timeout: opts.timeoutMs / 1000,
        out: extra.out ?? join(p.world.dir, 'bundle'),
        signal: ac.signal,
      });
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }
    const goLog = await readFile(join(res.bundleDir, 'go.log'), 'utf8').catch(() => '');
    const lines: RunResult['lines'] = [];
    for (const raw of goLog.split('\n')) {
      const m = /^(\d+\.\d+) ([OE]) (.*)$/.exec(raw);
      if (!m) continue;
      const line = { t: Number(m[1]), stream: m[2] as 'O' | 'E', text: m[3] };
      lines.push(line);
      opts.onLine?.(line);
    }
    return {
      exitCode: res.goExit.code,
      signal: res.goExit.signal,
      timedOut: res.exitCode === 124,
      durationMs: Date.now() - started,
      lines,
      output: lines.map((l) => l.text).join('\n') + (lines.length ? '\n' : ''),
      bundleDir: res.bundleDir,
      record: res,
      report: res.analysis?.report ?? null,
    } satisfies RecordRun;
  };
}
