/** `gomod-trace analyze CAPTURE` end to end through the built CLI (npm run build first). */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writePcap } from '../../src/capture/writer.js';
import { etherTcp4, etherUdp4, SYN } from './fixtures/frames.js';

const BIN = fileURLToPath(new URL('../../bin/gomod-trace', import.meta.url));
const dir = await mkdtemp(join(tmpdir(), 'gomod-trace-cli-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

const good = writePcap([
  { tsSec: 1_764_045_000, tsNsec: 0, data: etherTcp4('10.0.0.1', 40000, '10.0.0.2', 443, { flags: SYN }) },
  { tsSec: 1_764_045_002, tsNsec: 250_000_000, data: etherUdp4('10.0.0.1', 40001, '10.0.0.53', 53, new Uint8Array(30)) },
], { linkType: 1 });

function run(args: string[], input?: Uint8Array) {
  return spawnSync(BIN, args, { input, encoding: 'utf8', timeout: 30_000 });
}

describe('gomod-trace analyze --summary CAPTURE', () => {
  it('prints the summary table', async () => {
    const f = join(dir, 'good.pcap');
    await writeFile(f, good);
    const r = run(['analyze', '--summary', f]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/format\s*│\s*pcap 2\.4/);
    expect(r.stdout).toMatch(/EN10MB \(1\): 2 packets/);
    expect(r.stdout).toMatch(/span\s*│\s*2\.250000 s/);
  });

  it('prints JSON with --format json, reading stdin for -', () => {
    const r = run(['analyze', '--summary', '-', '--format', 'json'], good);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ file: '<stdin>', format: 'pcap', packets: 2, protocols: { ipv4: 2, tcp: 1, udp: 1 } });
    expect(j.lastTime - j.firstTime).toBeCloseTo(2.25, 6);
  });

  it('exits 2 with one line naming the file and offset for a broken capture', async () => {
    const f = join(dir, 'broken.pcap');
    const bad = good.slice();
    new DataView(bad.buffer).setUint32(24 + 8, 300_000, true);
    await writeFile(f, bad);
    const r = run(['analyze', '--summary', f]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`gomod-trace: ${f}: at byte 24: invalid packet capture length 300000 in record 1, bigger than the maximum of 262144\n`);
    expect(r.stdout).toBe('');
  });

  it('exits 2 for a missing file, a directory and an unknown format, without a stack', () => {
    const r = run(['analyze', '--summary', join(dir, 'missing.pcap')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/missing\.pcap: no such file or directory\n$/);
    const r1 = run(['analyze', '--summary', dir]);
    expect(r1.status).toBe(2);
    expect(r1.stderr).toBe(`gomod-trace: ${dir}: not a record bundle (no capture.pcap, capture.pcapng, go.log or strace.log inside)\n`);
    const r2 = run(['analyze', '--summary', join(dir, 'missing.pcap'), '--format', 'yaml']);
    expect(r2.status).toBe(2);
    expect(r2.stderr).toMatch(/--summary takes --format table or json, not "yaml"/);
    expect(r2.stderr).not.toMatch(/\n\s+at /);
  });

  it("summarises a record bundle folder's capture, and says so when the bundle has none", async () => {
    const bundle = join(dir, 'bundle');
    await mkdir(bundle);
    await writeFile(join(bundle, 'capture.pcap'), good);
    await writeFile(join(bundle, 'go.log'), '# get https://proxy.golang.org/x/@v/list\n');
    const r = run(['analyze', '--summary', bundle, '--format', 'json']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ file: join(bundle, 'capture.pcap'), format: 'pcap', packets: 2 });
    const logsOnly = join(dir, 'logs-only');
    await mkdir(logsOnly);
    await writeFile(join(logsOnly, 'go.log'), '# get https://proxy.golang.org/x/@v/list\n');
    const r1 = run(['analyze', '--summary', logsOnly]);
    expect(r1.status).toBe(2);
    expect(r1.stderr).toBe(`gomod-trace: ${logsOnly}: this bundle has no capture to summarise (only go.log)\n`);
  });

  it('writes the summary to -o FILE, as JSON for a .json name, and says where', async () => {
    const f = join(dir, 'for-output.pcap');
    await writeFile(f, good);
    const out = join(dir, 'summary.json');
    const r = run(['analyze', '--summary', f, '-o', out]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`summary written to ${out}\n`);
    expect(JSON.parse(await readFile(out, 'utf8'))).toMatchObject({ format: 'pcap', packets: 2 });
    const table = join(dir, 'summary.txt');
    expect(run(['analyze', '--summary', f, '-o', table]).status).toBe(0);
    expect(await readFile(table, 'utf8')).toMatch(/format\s*│\s*pcap 2\.4/);
  });

  it('exits 0 with a warning for a truncated last packet', async () => {
    const f = join(dir, 'cut.pcap');
    await writeFile(f, good.subarray(0, good.length - 3));
    const r = run(['analyze', '--summary', f, '--format', 'json']);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.packets).toBe(1);
    expect(j.warnings[0]).toMatch(/^truncated last packet at byte \d+/);
  });
});

describe('gomod-trace analyze CAPTURE (verdict)', () => {
  it('leads with the verdict line by default and reports the capture as an input in JSON', async () => {
    const f = join(dir, 'verdict.pcap');
    await writeFile(f, good);
    const table = run(['analyze', f]);
    expect(table.status).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/\S/);
    const json = run(['analyze', f, '--format', 'json']);
    expect(json.status).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report.schema).toBe('gomod-trace/report');
    expect(report.inputs[0]).toMatchObject({ kind: 'capture', format: 'pcap', packets: 2 });
    expect(report.verdict.stage).toEqual(expect.any(String));
  });
});

describe('gomod-trace analyze with one CPU (blocking reads)', () => {
  it('gives the same report when pinned to one core (taskset), where the reader reads with blocking calls', () => {
    const sample = fileURLToPath(new URL('../../samples/healthy-https/capture.pcap', import.meta.url));
    const both = spawnSync(BIN, ['analyze', sample, '--format', 'json'], { encoding: 'utf8', timeout: 30_000 });
    const one = spawnSync('taskset', ['-c', '0', BIN, 'analyze', sample, '--format', 'json'], { encoding: 'utf8', timeout: 30_000 });
    expect(both.status, both.stderr).toBe(0);
    expect(one.status, one.stderr).toBe(0);
    expect(one.stdout).toBe(both.stdout);
    // taskset really left one CPU to the process.
    const cpus = spawnSync('taskset', ['-c', '0', process.execPath, '-p', 'require("node:os").availableParallelism()'], { encoding: 'utf8' });
    expect(cpus.stdout.trim()).toBe('1');
  });
});
