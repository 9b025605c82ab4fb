import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { runAnalyze } from '../../src/cli/report-options.js';
import { analyze } from '../../src/timeline/analyze.js';
import { renderJson } from '../../src/report/json.js';
import { writeBusyCapture } from './busy-capture.js';

let dir: string;
let cap: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gomod-trace-json-stream-'));
  cap = join(dir, 'c.pcap');
  writeBusyCapture(cap, 30_000);
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

class Sink extends Writable {
  pieces: string[] = [];
  override _write(chunk: Buffer | string, _enc: string, cb: () => void): void { this.pieces.push(String(chunk)); cb(); }
}

describe('analyze --format json writes the report in pieces', () => {
  it('stdout gets exactly the document renderJson makes', async () => {
    const want = renderJson(await analyze({ capture: cap }));
    const out = new Sink();
    const code = await runAnalyze(cap, { format: 'json', progress: false }, { stdout: out, env: {} });
    expect(code).toBe(0);
    expect(out.pieces.join('')).toBe(want);
    expect(JSON.parse(out.pieces.join('')).connections.length).toBe(200);
  });

  it('-o FILE holds the same document; stdout only the verdict and where the report went', async () => {
    const want = renderJson(await analyze({ capture: cap }));
    const out = new Sink();
    const file = join(dir, 'r.json');
    await runAnalyze(cap, { format: 'json', output: file, progress: false }, { stdout: out, env: {} });
    expect(await readFile(file, 'utf8')).toBe(want);
    expect(out.pieces.join('')).toContain(`report written to ${file}`);
  });
});
