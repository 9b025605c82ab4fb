// Golden baselines: real strace 6.1 logs of go 1.19 blocked on a module cache lock (strace killed
// while go waited), canonicalised by test/fixtures/strace/canonicalise.mjs, and what loadStrace
// makes of them. Regenerate the .expected.json files with UPDATE_GOLDEN=1 after a deliberate change.
import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadStrace } from '../../src/strace/index.js';

const real = fileURLToPath(new URL('../fixtures/strace/real/', import.meta.url));
const cases = [
  { log: 'strace6.1-go1.19-lock-ttt-y.log', opts: {} },
  { log: 'strace6.1-go1.19-lock-tt.log', opts: { date: '2025-11-25', tz: 'UTC' } },
];

describe('golden: real strace logs', () => {
  for (const c of cases) {
    it(c.log, async () => {
      const ev = await loadStrace(real + c.log, c.opts);
      const r = ev.toRecords(ev.firstTime!);
      const got = { format: ev.input.format, lines: ev.input.lines, warnings: ev.input.warnings, assumptions: ev.assumptions, firstTime: ev.firstTime, lastTime: ev.lastTime, ...r };
      const file = real + c.log.replace(/\.log$/, '.expected.json');
      if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) writeFileSync(file, JSON.stringify(got, null, 1) + '\n');
      expect(JSON.parse(JSON.stringify(got))).toEqual(JSON.parse(readFileSync(file, 'utf8')));
      // What a user checks, independent of the baseline:
      const stuck = r.syscalls.filter((s) => s.duration === null && s.kind === 'cache-lock');
      expect(stuck.map((s) => [s.pid, s.command, s.module])).toEqual([[1001, 'go', 'example.com/Foo/bar@v1.0.0']]);
      expect(r.processes.map((p) => [p.pid, p.argv.join(' ')])).toEqual([[1001, 'go mod download -x']]);
    });
  }
});
