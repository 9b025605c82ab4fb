/** `gomod-trace analyze` on captures with nothing to judge, through the built CLI (npm run build first). */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSynStall } from './pcap-fixture.js';

const BIN = fileURLToPath(new URL('../../bin/gomod-trace', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'gomod-trace-nothing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const analyze = (...args: string[]) => spawnSync(BIN, ['analyze', ...args], { encoding: 'utf8', timeout: 30_000 });

describe('analyze with nothing to judge', () => {
  it('a capture with no packets: says so, exit 0 (the analysis ran)', () => {
    const full = join(dir, 'syn.pcap');
    writeSynStall(full);
    const empty = join(dir, 'empty.pcap');
    writeFileSync(empty, readFileSync(full).subarray(0, 24));
    const r = analyze(empty);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/No packets, syscalls or go fetches to judge\.$/);
    expect(r.stdout).not.toMatch(/slowest stage/);
  });

  it('a capture of a link type not decoded: the packets it could not decode, in the summary and the input\'s warnings', () => {
    const f = join(dir, 'linktype-999.pcap');
    writeSynStall(f);
    const bytes = readFileSync(f);
    bytes.writeUInt32LE(999, 20);
    writeFileSync(f, bytes);
    const r = analyze(f, '--format', 'json');
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.inputs[0].warnings).toEqual(['unsupported link type 999 (LINKTYPE_999) on interface 0: 5 packets not decoded']);
    expect(report.verdict).toMatchObject({ stage: 'none', state: 'ok', summary: '5 packets could not be decoded (link type 999 is not supported): nothing to judge.' });
    // --summary says the same of the file.
    const summary = analyze('--summary', f, '--format', 'json');
    expect(JSON.parse(summary.stdout).warnings).toEqual(report.inputs[0].warnings);
  });
});
