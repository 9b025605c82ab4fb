/**
 * Every recorded sample in samples/ (real go, tcpdump and lab servers: DNS faults, TLS, HTTP,
 * CONNECT proxies, trickling bodies): the redacted capture gives the same diagnosis, and tshark
 * reads it without complaint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { redactCapture } from '../../src/share/index.js';
import { analyze } from '../../src/timeline/analyze.js';
import { which } from '../../src/record/tools.js';
import { differences } from './compare.js';

const SAMPLES = fileURLToPath(new URL('../../samples/', import.meta.url));
const names = existsSync(SAMPLES) ? readdirSync(SAMPLES).filter((n) => existsSync(join(SAMPLES, n, 'capture.pcap'))).sort() : [];
const tshark = which('tshark');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gomod-trace-share-samples-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(names.length === 0)('redacted samples keep their diagnosis', () => {
  it.each(names)('%s', async (name) => {
    const input = join(SAMPLES, name, 'capture.pcap');
    const output = join(dir, `${name}.pcap`);
    const r = await redactCapture(input, output);
    expect(r.bytesOut).toBeLessThanOrEqual(r.bytesIn);
    expect(statSync(output).size).toBeGreaterThan(24);
    const [raw, red] = await Promise.all([analyze({ capture: input }), analyze({ capture: output })]);
    expect(differences(raw, red)).toEqual([]);
    expect(red.verdict).toEqual(raw.verdict);
    if (tshark) {
      const t = spawnSync(tshark, ['-r', output, '-q'], { encoding: 'utf8', timeout: 30_000 });
      expect(t.status).toBe(0);
      expect(t.stderr.replace(/Running as user "root".*\n?/, '')).not.toMatch(/cut short|damaged|corrupt|error/i);
    }
  }, 30_000);
});
