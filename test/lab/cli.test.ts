import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processesReferring } from './leftovers.js';
import { renderScenarioList, runLab, runLabSamples, setLabRunnerFactory, describeVerdict, parseLabRecordArgs } from '../../src/cli/lab.js';
import { EXIT_STOPPED, UsageError } from '../../src/cli/errors.js';
import { SCENARIOS } from '../../src/lab/scenarios.js';
import type { Runner } from '../../src/lab/runner.js';
import { canIsolate } from '../../src/lab/isolate.js';

// Root, and a private mount namespace (not every container allows one): the lab's own preconditions.
const root = typeof process.getuid === 'function' && process.getuid() === 0 && (await canIsolate()).ok;
const haveGo = spawnSync('go', ['version']).status === 0 && spawnSync('sh', ['-c', 'command -v tcpdump']).status === 0;

function sink() {
  const s = new PassThrough();
  let text = '';
  s.on('data', (c: Buffer) => { text += c.toString(); });
  return { s, text: () => text };
}

afterEach(() => setLabRunnerFactory(null));

describe('record options after --', () => {
  it('map to record() options', () => {
    expect(parseLabRecordArgs([], {})).toEqual({ lang: 'en' });
    const o = parseLabRecordArgs(['--strace', '-o', 'b', '--stall-after', '5', '--quit-grace', '1.5', '--no-analyze', '--lang', 'zh-CN', '--snaplen', '96'], {});
    expect(o).toMatchObject({ strace: true, stallAfter: 5, quitGraceMs: 1500, analyze: false, lang: 'zh-CN', snaplen: 96 });
    expect(o.out).toMatch(/\/b$/);
    expect(parseLabRecordArgs(['--no-strace']).strace).toBe(false);
  });

  it('read --lang as record does: zh, zh_CN, the default from LC_ALL / LC_MESSAGES / LANG', () => {
    for (const lang of ['zh', 'zh_CN', 'zh-cn', 'zh_CN.UTF-8']) expect(parseLabRecordArgs(['--lang', lang], {}).lang).toBe('zh-CN');
    expect(parseLabRecordArgs(['--lang', 'en_US'], { LANG: 'zh_CN.UTF-8' }).lang).toBe('en');
    expect(parseLabRecordArgs([], { LANG: 'zh_CN.UTF-8' }).lang).toBe('zh-CN');
    expect(parseLabRecordArgs([], { LC_ALL: 'C', LANG: 'zh_CN.UTF-8' }).lang).toBe('en');
    expect(() => parseLabRecordArgs(['--lang', 'fr'], {})).toThrow(new UsageError('record options after --: --lang fr: unsupported language (en or zh-CN)'));
  });
});

describe('lab list', () => {
  it('shows every scenario with its expected verdict', () => {
    const out = renderScenarioList();
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^SCENARIO\s+EXPECTED VERDICT\s+WHAT IT DOES$/);
    expect(lines.length).toBe(SCENARIOS.length + 1);
    expect(out).toMatch(/^dns-silent\s+dns \/ stalled \(host\)\s+The DNS server never answers/m);
    expect(out).toMatch(/^cache-lock\s+cache-lock \/ stalled \(path\)/m);
  });

  it('describes a verdict in words', () => {
    expect(describeVerdict({ stage: 'tls', state: 'stalled', host: 'h', address: '1.2.3.4:5' })).toBe('stage tls, state stalled, host h, address 1.2.3.4:5');
  });
});

describe('lab SCENARIO: usage errors', () => {
  it('unknown scenario names the known ones', async () => {
    const err = await runLab('dns-sillent', [], { timeout: '5' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/unknown lab scenario "dns-sillent".*dns-silent/);
  });
  it('lab samples: a folder and known names', async () => {
    await expect(runLabSamples([])).rejects.toThrow(/needs a folder/);
    await expect(runLabSamples(['/tmp/x', 'nope'])).rejects.toThrow(/unknown lab scenario "nope"/);
  });
  it('bad --timeout', async () => {
    await expect(runLab('healthy', [], { timeout: 'soon' })).rejects.toThrow(/--timeout "soon"/);
    await expect(runLab('healthy', [], { timeout: '-1' })).rejects.toBeInstanceOf(UsageError);
  });
  it.skipIf(!root)('bad record options after --', async () => {
    await expect(runLab('healthy', ['--bogus'], { timeout: '5' })).rejects.toThrow(/record options after --: unknown option '--bogus'/);
    await expect(runLab('healthy', ['--stall-after', 'soon'], { timeout: '5' })).rejects.toThrow(/--stall-after "soon"/);
    await expect(runLab('healthy', ['--lang', 'fr'], { timeout: '5' })).rejects.toBeInstanceOf(UsageError);
  });
});

describe.skipIf(!root || !haveGo)('lab SCENARIO runs go (needs root, go, tcpdump)', () => {
  it('prints go output, the notes and the expected verdict; go\'s exit status', async () => {
    const out = sink();
    const err = sink();
    const code = await runLab('connect-refused', [], { timeout: '20' }, { stdout: out.s, stderr: err.s });
    expect(code).toBe(1);
    expect(err.text()).toMatch(/# get https:\/\/goproxy\.lab\.example:\d+\/lab\.example\//);
    expect(err.text()).toMatch(/connection refused/);
    expect(err.text()).toMatch(/^lab: expected verdict: stage connect, state failed, host goproxy\.lab\.example, address 127\.\d+\.\d+\.20:\d+$/m);
    expect(err.text()).toMatch(/^lab: capture filter for this run: net 127\.\d+\.\d+\.0\/24$/m);
  });

  it('a stall stopped at --timeout exits 124', async () => {
    const err = sink();
    const t0 = Date.now();
    const code = await runLab('goproxy-silent-http', [], { timeout: '1.5' }, { stdout: sink().s, stderr: err.s });
    expect(code).toBe(EXIT_STOPPED);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(err.text()).toMatch(/go was stopped after 1\.\d s/);
  });

  it('an abort (Ctrl-C) stops go and tears the lab down', async () => {
    const ac = new AbortController();
    const err = sink();
    setTimeout(() => ac.abort(), 800);
    const t0 = Date.now();
    const code = await runLab('connect-blackhole', [], { timeout: '60' }, { stdout: sink().s, stderr: err.s, signal: ac.signal });
    expect(code).toBe(EXIT_STOPPED);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(err.text()).toMatch(/go was stopped after \d+\.\d s \(interrupted\)/);
    const dir = /work folder \(GOPATH, cache, CA; removed at the end\): (\S+)/.exec(err.text())![1];
    expect(existsSync(dir)).toBe(false);
    expect(processesReferring([dir])).toEqual([]);
  });

  it('-- record options: recorded through record, with the bundle and the verdict', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-cli-record-'));
    try {
      const err = sink();
      const bundle = join(dir, 'bundle');
      const code = await runLab('connect-refused', ['--out', bundle], { timeout: '20' }, { stdout: sink().s, stderr: err.s });
      expect(code).toBe(1);
      expect(existsSync(join(bundle, 'capture.pcap'))).toBe(true);
      expect(existsSync(join(bundle, 'report.json'))).toBe(true);
      expect(err.text()).toMatch(/^lab: verdict: +stage connect, state failed/m);
      expect(err.text()).toContain(`lab: bundle: ${bundle}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lab samples DIR SCENARIO: a bundle with the expected verdict', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-cli-samples-'));
    try {
      const err = sink();
      expect(await runLabSamples([dir, 'nxdomain'], { stderr: err.s })).toBe(0);
      expect(existsSync(join(dir, 'nxdomain', 'report.json'))).toBe(true);
      expect(err.text()).toMatch(/^lab: nxdomain: dns \/ failed$/m);
      expect(err.text()).toMatch(/^lab: 1 of 1 bundles in .* have the expected verdict$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('uses a plugged-in runner (what record will pass) with the record options', async () => {
    const seen: { args: string[]; wrap: string[]; command: string[]; goproxy: string }[] = [];
    setLabRunnerFactory((args) => {
      const r: Runner = async (p) => {
        seen.push({ args, wrap: p.wrap, command: p.command, goproxy: p.env.GOPROXY });
        return { exitCode: 0, signal: null, timedOut: false, durationMs: 1, lines: [], output: '' };
      };
      return r;
    });
    const err = sink();
    const code = await runLab('healthy', ['--strace'], { timeout: '5' }, { stdout: sink().s, stderr: err.s });
    expect(code).toBe(0);
    expect(seen).toHaveLength(1);
    expect(seen[0].args).toEqual(['--strace']);
    expect(seen[0].command).toEqual(['go', 'mod', 'download']);
    expect(seen[0].wrap[0]).toBe('unshare');
    expect(seen[0].goproxy).toMatch(/^http:\/\/goproxy\.lab\.example:\d+$/);
    expect(err.text()).toMatch(/recorded through gomod-trace record --strace/);
  });
});
