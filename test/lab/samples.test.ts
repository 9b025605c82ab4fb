import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordSamples, sampleWindowMs } from '../../src/lab/samples.js';
import { canIsolate } from '../../src/lab/isolate.js';

// Root, and a private mount namespace (not every container allows one): the lab's own preconditions.
const root = typeof process.getuid === 'function' && process.getuid() === 0 && (await canIsolate()).ok;
const haveTools = ['go', 'tcpdump'].every((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0);

describe('sample windows', () => {
  it('give slow scenarios time to finish and stalls time to show', () => {
    expect(sampleWindowMs('dns-aaaa-lost')).toBeGreaterThan(10_000);
    expect(sampleWindowMs('dns-silent')).toBeGreaterThan(10_000);
    expect(sampleWindowMs('connect-blackhole')).toBeLessThanOrEqual(5_000);
  });
});

describe.skipIf(!root || !haveTools)('recordSamples (needs root, go, tcpdump)', () => {
  it('writes one bundle per scenario with the report of its verdict', async () => {
    const out = mkdtempSync(join(tmpdir(), 'lab-samples-'));
    try {
      const lines: string[] = [];
      const results = await recordSamples(out, ['healthy', 'nxdomain'], (l) => lines.push(l));
      expect(results.map((r) => r.name)).toEqual(['healthy', 'nxdomain']);
      for (const r of results) {
        expect(r.bundleDir).toBe(join(out, r.name));
        for (const f of ['capture.pcap', 'go.log', 'env.json', 'meta.json', 'report.json']) expect(existsSync(join(r.bundleDir, f)), f).toBe(true);
        const report = JSON.parse(readFileSync(join(r.bundleDir, 'report.json'), 'utf8')) as { verdict: { stage: string; state: string } };
        expect(report.verdict).toMatchObject({ stage: r.verdict!.stage, state: r.verdict!.state });
      }
      expect(results[0]).toMatchObject({ matches: true, verdict: { stage: 'none', state: 'ok' } });
      expect(results[1]).toMatchObject({ matches: true, verdict: { stage: 'dns', state: 'failed' } });
      expect(lines).toEqual(['healthy: none / ok', 'nxdomain: dns / failed']);
      await expect(recordSamples(out, ['no-such'])).rejects.toThrow(/no such lab scenario/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);
});
