/**
 * Inputs found by fuzzing (docs/fuzzing.md), kept so the paths they reach stay safe:
 *  - every file under test/fixtures/fuzz/<target>/ is replayed through its fuzz target (dist/),
 *    with the target's own invariants: no undocumented exception;
 *  - source-level tests below say what a user sees for the ones that matter.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
// @ts-expect-error plain ESM script without types
import { TARGETS, targetUrl } from '../../scripts/fuzz/targets.mjs';
import { parseDnsMessage } from '../../src/protocols/dns.js';
import { HttpSession } from '../../src/protocols/http.js';
import { AnomalySink } from '../../src/flow/anomalies.js';

const FIXTURES = new URL('../fixtures/fuzz/', import.meta.url);
const built = existsSync(new URL('../../dist/cli/main.js', import.meta.url));

function reproducers(): Array<{ target: string; file: string }> {
  const out: Array<{ target: string; file: string }> = [];
  for (const target of TARGETS as string[]) {
    const dir = new URL(`${target}/`, FIXTURES);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) if (f.endsWith('.bin')) out.push({ target, file: f });
  }
  return out;
}

describe.skipIf(!built)('replayed fuzz reproducers (dist/ not built: run `npm run build` first)', () => {
  it('every reproducer folder is named after a target', () => {
    for (const d of readdirSync(FIXTURES, { withFileTypes: true })) {
      // pending/: reproducers of crashes not fixed yet (code owned elsewhere), not replayed.
      if (d.isDirectory() && d.name !== 'pending') expect(TARGETS).toContain(d.name);
    }
  });
  for (const { target, file } of reproducers()) {
    it(`${target}/${file}: no crash`, async () => {
      const t = await import(targetUrl(target));
      const input = new Uint8Array(readFileSync(new URL(`${target}/${file}`, FIXTURES)));
      try {
        await t.run(input);
      } catch (err) {
        if (!t.expected?.(err)) throw err;
      }
    });
  }
});

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

// Found by `npm run fuzz` against a mutant that only refused self-pointers (planted to check the
// fuzzer): a name whose pointers form a cycle hangs a reader that follows them. The real reader
// requires each pointer to point backwards, so it stops at the first pointer.
describe('DNS name compression pointers that form a cycle', () => {
  it('is a DNS_name_bad_pointer anomaly, not a hang (hand-made: 12 → 14 → 12)', () => {
    const msg = Uint8Array.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 14, 0xc0, 12, 0, 1, 0, 1]);
    const started = performance.now();
    const m = parseDnsMessage(msg);
    expect(performance.now() - started).toBeLessThan(100);
    expect(m.anomaly?.name).toBe('DNS_name_bad_pointer');
    expect(m.anomaly?.detail).toMatch(/pointer at byte 12 to 14 does not point backwards/);
  });

  it('the fuzzer\'s 752-byte cycle input (test/fixtures/fuzz/dns/pointer-cycle.bin) likewise', () => {
    const m = parseDnsMessage(new Uint8Array(readFileSync(new URL('dns/pointer-cycle.bin', FIXTURES))));
    expect(m.anomaly?.name).toBe('DNS_name_bad_pointer');
    expect('question' in m && m.question).toBeNull();
  });
});

// Found against a mutant that read a chunked trailer line as "name: value" without checking for
// the colon. The real parser skips trailer lines whatever they hold and ends the body at the
// empty line.
describe('HTTP chunked trailer lines', () => {
  it('a trailer line without a colon is skipped; the body ends at the empty line and the next response is read', () => {
    const s = new HttpSession(new AnomalySink(), { requests: 0, responses: 0 });
    s.client.data(enc('GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n'), 1, 1);
    s.server.data(enc('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nno colon here\r\n\u0000\r\n\r\n'), 2, 2);
    s.server.data(enc('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'), 3, 3);
    expect(s.exchanges.map((e) => [e.target, e.status, e.bodyBytes, e.end])).toEqual([['/a', 200, 5, 2], ['/b', 404, 0, 3]]);
  });
});

describe('redact: a simple packet block (no timestamp) on an interface with if_tsoffset', () => {
  it('stays a simple packet block in the redacted copy, not a time wrapped around 2^64', async () => {
    const { redactCapture } = await import('../../src/share/index.js');
    const { readCapture } = await import('../../src/capture/reader.js');
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'gomod-trace-fuzzreg-'));
    try {
      const input = new URL('../fixtures/fuzz/redact/spb-tsoffset.bin', import.meta.url).pathname;
      const out = join(dir, 'out.pcapng');
      await redactCapture(input, out);
      const times: Array<[number, boolean]> = [];
      await readCapture(out, (p) => times.push([p.tsSec, p.noTimestamp === true]));
      expect(times).toEqual([[0, true]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
