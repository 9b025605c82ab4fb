// strace writes every byte ≥ 0x80 of a path as an octal escape, in quoted strings and in -y/-yy
// annotations (a home folder named 张: `/home/\345\274\240/go`), while go's log and record's
// meta.json have the UTF-8 path. The lock path read from strace must be the same text, or the
// cache-lock verdict loses its strace evidence to meta.json's snapshot of the same call.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../src/timeline/analyze.js';

const dir = mkdtempSync(join(tmpdir(), 'gomod-trace-utf8-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What strace writes for a string: printable ASCII as is, other bytes as octal escapes. */
function straceEscape(s: string): string {
  return [...Buffer.from(s, 'utf8')].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\${b.toString(8)}`)).join('');
}

/**
 * A bundle modelled on a real `record --strace` of go blocked on a module's lock held by `flock`:
 * strace's log (with -yy annotations, or without -y where the path comes from the openat) and
 * meta.json with the holder and what go was blocked in when record stopped it.
 */
function bundle(name: string, home: string, annotate: boolean): { dir: string; lock: string; flockLine: number } {
  const d = join(dir, name);
  mkdirSync(d);
  const lock = `${home}/go/pkg/mod/cache/download/lab.example/greet/@v/v1.2.0.lock`;
  const q = straceEscape(lock);
  const fd = annotate ? `8<${q}>` : '8';
  const lines = [
    `12678 1795595328.708000 execve("/usr/bin/go", ["go", "mod", "download"], 0x7ffc2e0d1a08 /* 30 vars */) = 0 <0.000310>`,
    `12678 1795595328.731800 openat(AT_FDCWD${annotate ? `<${straceEscape(home)}/project>` : ''}, "${q}", O_RDWR|O_CREAT|O_CLOEXEC, 0666) = ${fd} <0.000031>`,
    `12678 1795595328.731944 flock(${fd}, LOCK_EX <unfinished ...>`,
    `12678 1795595333.732476 <... flock resumed>) = ? ERESTARTSYS (To be restarted if SA_RESTART is set) <5.000503>`,
    `12678 1795595333.732586 --- SIGQUIT {si_signo=SIGQUIT, si_code=SI_USER, si_pid=12633, si_uid=0} ---`,
    `12678 1795595333.738767 exit_group(2)   = ?`,
    `12678 1795595333.739139 +++ exited with 2 +++`,
  ];
  writeFileSync(join(d, 'strace.log'), lines.join('\n') + '\n');
  writeFileSync(join(d, 'meta.json'), JSON.stringify({
    schema: 'gomod-trace/bundle', version: 1, command: ['go', 'mod', 'download'],
    start: { epoch: 1795595328.685 }, end: { epoch: 1795595333.913 }, exit: { code: 2 }, stoppedBy: 'timeout',
    locks: [{ pid: 12646, path: lock, command: 'flock' }],
    stopped: [{ pid: 12678, ppid: 12674, command: 'go', argv: ['/usr/bin/go', 'mod', 'download'], start: 1795595328.708, blocked: [{ tid: 12678, syscall: 'flock', fd: 8, target: lock }] }],
  }));
  return { dir: d, lock, flockLine: 3 };
}

describe('a lock path with non-ASCII bytes, octal-escaped by strace', () => {
  for (const annotate of [true, false]) {
    it(`${annotate ? '-yy annotation' : 'path from the openat (no -y)'}: the verdict names the UTF-8 path with its strace line, as for an ASCII path`, async () => {
      const results = [];
      for (const home of ['/home/zhang', '/home/张']) {
        const b = bundle(`${annotate ? 'yy' : 'plain'}-${home === '/home/zhang' ? 'ascii' : 'utf8'}`, home, annotate);
        const report = await analyze({ bundleDir: b.dir });
        expect(report.verdict).toMatchObject({ stage: 'cache-lock', state: 'stalled', path: b.lock });
        expect(report.verdict.summary).toContain('lab.example/greet@v1.2.0');
        expect(report.verdict.refs).toContain(`line ${b.flockLine}`);
        expect(report.verdict.evidence.map((e) => e.source)).toContain('strace');
        expect(report.syscalls.find((c) => c.name === 'flock' && c.origin !== 'proc')).toMatchObject({ path: b.lock, module: 'lab.example/greet@v1.2.0' });
        // strace's call and meta.json's snapshot of it are one finding (the verdict), not two.
        expect(report.findings.filter((f) => f.stage === 'cache-lock')).toEqual([]);
        results.push(report.verdict);
      }
      expect(results[1].refs).toEqual(results[0].refs);
      expect(results[1].confidence).toBe(results[0].confidence);
    });
  }
});
