/** `gomod-trace analyze CAPTURE` end to end through the built CLI (npm run build first). */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writePcap, writePcapng } from '../../src/capture/writer.js';
import { displayWidth } from '../../src/report/wrap.js';
import { etherTcp4, etherUdp4, SYN } from './fixtures/frames.js';

const BIN = fileURLToPath(new URL('../../bin/gomod-trace', import.meta.url));
const dir = await mkdtemp(join(tmpdir(), 'gomod-trace-cli-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

const good = writePcap([
  { tsSec: 1_764_045_000, tsNsec: 0, data: etherTcp4('10.0.0.1', 40000, '10.0.0.2', 443, { flags: SYN }) },
  { tsSec: 1_764_045_002, tsNsec: 250_000_000, data: etherUdp4('10.0.0.1', 40001, '10.0.0.53', 53, new Uint8Array(30)) },
], { linkType: 1 });

function run(args: string[], input?: Uint8Array, env: NodeJS.ProcessEnv = process.env) {
  return spawnSync(BIN, args, { input, encoding: 'utf8', timeout: 30_000, env });
}

const haveScript = spawnSync('sh', ['-c', 'command -v script'], { encoding: 'utf8' }).status === 0;

/** Run the CLI with stdout on a pseudo-terminal `cols` columns wide (`script` from util-linux); returns what it showed. */
function onTerminal(args: string[], cols: number): { status: number | null; screen: string } {
  const q = (a: string): string => `'${a.replaceAll("'", "'\\''")}'`;
  const r = spawnSync('script', ['-qec', `stty cols ${cols} && ${[BIN, ...args].map(q).join(' ')}`, '/dev/null'], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, screen: r.stdout.replaceAll('\r\n', '\n') };
}

/**
 * A capture from a Chinese Windows machine: a long Chinese interface name, a time offset, a second
 * interface of a link type that is not decoded (a warning), two timestamp resolutions.
 */
const chinese = writePcapng([{
  interfaces: [{ linkType: 1, name: '以太网 本地连接'.repeat(6), tsresol: 9, tsoffset: 3600 }, { linkType: 147 }],
  packets: [
    { tsSec: 1_764_045_000, tsNsec: 0, data: etherTcp4('10.0.0.1', 40000, '10.0.0.2', 443, { flags: SYN }) },
    { tsSec: 1_764_045_002, tsNsec: 250_000_000, data: etherUdp4('10.0.0.1', 40001, '10.0.0.53', 53, new Uint8Array(30)) },
    { tsSec: 1_764_045_003, tsNsec: 0, data: new Uint8Array(40), interfaceId: 1 },
  ],
}]);

/** The value cells of a summary table, one string per line of the table. */
const valueLines = (table: string): string[] => table.split('\n').filter((l) => l.startsWith('│')).map((l) => l.split('│')[2].trim());

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
    // Not "--strace FILE or --go-log FILE", which --summary does not read.
    const r3 = run(['analyze', '--summary']);
    expect(r3.status).toBe(2);
    expect(r3.stderr).toBe('gomod-trace: --summary needs a capture file or a bundle folder\n');
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

  it('prints the table in Chinese with --lang zh-CN or a zh LANG; the JSON keeps its keys', async () => {
    const f = join(dir, '抓包（代理）.pcapng');
    await writeFile(f, chinese);
    const r = run(['analyze', '--summary', f, '--lang', 'zh-CN']);
    expect(r.status, r.stderr).toBe(0);
    for (const [label, value] of [['文件', f], ['字节序', '小端'], ['时间戳精度', '混合（纳秒、微秒）'], ['链路类型', 'EN10MB (1)：2 个数据包'],
      ['数据包', '3 个（共捕获 166 字节）'], ['时长', '3.000000 秒'], ['其他', '1'], ['警告', 'unsupported link type 147']]) {
      expect(r.stdout).toContain(`│ ${label} `);
      expect(r.stdout).toMatch(new RegExp(`│ ${label} +│ ${value.replace(/[()]/g, '\\$&')}`));
    }
    expect(r.stdout).toContain('USER0 (147) 未解码：1 个数据包');
    expect(r.stdout).toContain('tsoffset 3600 秒');
    expect(r.stdout).not.toMatch(/byte order|packets|warnings|little-endian/);
    expect(run(['analyze', '--summary', f], undefined, { ...process.env, LANG: 'zh_CN.UTF-8', LC_ALL: '' }).stdout).toBe(r.stdout);
    const out = join(dir, 'summary-zh.txt');
    expect(run(['analyze', '--summary', f, '--lang', 'zh-CN', '-o', out]).stdout).toBe(`摘要已写入 ${out}\n`);
    expect(await readFile(out, 'utf8')).toBe(r.stdout);
    const json = run(['analyze', '--summary', f, '--lang', 'zh-CN', '--format', 'json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ byteOrder: 'little-endian', packets: 3, tsResolution: 'mixed (nanoseconds, microseconds)' });
    const bad = run(['analyze', '--summary', f, '--lang', 'fr']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('gomod-trace: --lang fr: unsupported language (en or zh-CN)\n');
  });

  it.skipIf(!haveScript)('fits a Chinese table to the terminal, wrapping as the report wraps Chinese text', async () => {
    const f = join(dir, '抓包（代理）.pcapng');
    await writeFile(f, chinese);
    const r = onTerminal(['analyze', '--summary', f, '--lang', 'zh-CN'], 60);
    expect(r.status, r.screen).toBe(0);
    const lines = r.screen.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(30);
    for (const l of lines) expect(displayWidth(l)).toBeLessThanOrEqual(60);
    const values = valueLines(r.screen);
    // The interface's long name and the warning are cut into several lines, and no line starts with
    // closing punctuation or a unit torn from its number.
    expect(values.filter((v) => v.startsWith('本地连接')).length).toBeGreaterThanOrEqual(2);
    for (const v of values) expect(v).not.toMatch(/^(?:[：，。；、）]|秒|个|字节)/);
    expect(values).toContain('tsoffset 3600 秒)');
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
