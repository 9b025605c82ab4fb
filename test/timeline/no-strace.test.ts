// The lab's cache-lock recording (samples/cache-lock: real go, tcpdump and strace) analysed as if
// it had been recorded without --strace: go's goroutine dump and the lock holder record saw in
// /proc/locks still name the stall.
import { afterAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyze } from '../../src/timeline/analyze.js';

const SAMPLE = fileURLToPath(new URL('../../samples/cache-lock', import.meta.url));

describe('cache lock without strace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gomod-trace-nostrace-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is found from the goroutine dump and meta.json\'s lock holder', async () => {
    for (const f of ['capture.pcap', 'go.log', 'env.json', 'meta.json']) cpSync(join(SAMPLE, f), join(dir, f));
    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as { locks: Array<{ path: string; pid: number }> };
    const report = await analyze({ bundleDir: dir });
    expect(report.inputs.some((i) => i.kind === 'strace')).toBe(false);
    expect(report.verdict).toMatchObject({ stage: 'cache-lock', state: 'stalled', path: meta.locks[0].path });
    expect(report.verdict.summary).toContain('lab.example/greet@v1.2.0');
    expect(report.verdict.hints.join(' ')).toContain(`PID ${meta.locks[0].pid}`);
    expect(report.verdict.evidence.some((e) => /lockedfile|Flock/.test(e.text))).toBe(true);
    // The same recording with strace says the same, with strace's exact timing.
    const full = await analyze({ bundleDir: SAMPLE });
    expect(full.verdict).toMatchObject({ stage: 'cache-lock', state: 'stalled', path: meta.locks[0].path });
    expect(Math.abs((report.verdict.waited ?? 0) - (full.verdict.waited ?? 0))).toBeLessThan(1);
  });
});
