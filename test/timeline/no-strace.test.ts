// The lab's recordings (samples/: real go, tcpdump and strace) analysed as if they had been made
// without --strace: record's /proc snapshot of what go's processes were blocked in (meta.json
// `stopped`), the lock holders it saw in /proc/locks and go's goroutine dump still name the stall.
import { afterAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyze } from '../../src/timeline/analyze.js';

const SAMPLES = fileURLToPath(new URL('../../samples/', import.meta.url));
const SAMPLE = join(SAMPLES, 'cache-lock');

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

describe('git prompt without strace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gomod-trace-nostrace-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is found from the snapshot: git-remote-https reading the pipe of its askpass helper', async () => {
    const src = join(SAMPLES, 'git-prompt');
    for (const f of ['capture.pcap', 'go.log', 'env.json', 'meta.json']) cpSync(join(src, f), join(dir, f));
    const report = await analyze({ bundleDir: dir });
    expect(report.verdict).toMatchObject({ stage: 'git-prompt', state: 'stalled', host: 'git.lab.example' });
    expect(report.verdict.evidence[0].source).toBe('proc');
    expect(report.verdict.evidence[0].text).toMatch(/read\(\d+<pipe:\[\d+\]>, …\) blocked when the recording stopped; its child sleep/);
    const full = await analyze({ bundleDir: src });
    expect(full.verdict).toMatchObject({ stage: 'git-prompt', state: 'stalled', host: 'git.lab.example' });
    // The helper's start from /proc and strace's read agree to a few ticks.
    expect(Math.abs((report.verdict.since ?? 0) - (full.verdict.since ?? 0))).toBeLessThan(0.2);
  });
});

describe("go's resolver lines", () => {
  it('record turned on GODEBUG=netdns=2: the DNS verdict quotes the order go chose', async () => {
    const report = await analyze({ bundleDir: join(SAMPLES, 'dns-silent') });
    expect(report.lookups).toContainEqual(expect.objectContaining({ host: 'goproxy.lab.example', order: 'files,dns' }));
    expect(report.verdict.stage).toBe('dns');
    expect(report.verdict.evidence.map((e) => e.text)).toContain("go looked up goproxy.lab.example with order files,dns (go's own resolver: /etc/hosts, then resolv.conf's servers)");
  });
});

