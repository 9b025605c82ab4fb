import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { renderJsonChunks } from '../../src/report/json-stream.js';
import { renderJson } from '../../src/report/json.js';
import type { Report } from '../../src/report/schema.js';

const joined = (r: unknown, chunk?: number): string => [...renderJsonChunks(r as Report, chunk)].join('');

describe('renderJsonChunks', () => {
  it('is renderJson byte for byte, however small the pieces', () => {
    const report = {
      schema: 'gomod-trace/report', version: 1, t0: 1764045000.5, skipped: undefined,
      inputs: [{ kind: 'capture', file: 'a "quoted"\nname\u2028.pcap', packets: 3, warnings: [] }],
      dns: [], connections: [{ uid: 'C1', syns: [0, 1.5, Infinity], bytes: { client: NaN, server: 2 }, http: [], tls: null }],
      verdict: { stage: 'tls', evidence: [{ ref: 'frame 1', text: '</script>' }] },
      findings: [], anomalies: [{ name: 'X', t: -Infinity, ref: 'r' }, { name: 'Y', t: 0, ref: 'r', detail: undefined }],
    };
    const want = renderJson(report as unknown as Report);
    for (const chunk of [1, 7, 64, 1 << 20]) expect(joined(report, chunk)).toBe(want);
    expect(JSON.parse(want).connections[0].syns).toEqual([0, 1.5, null]);
  });

  it('yields pieces of about the asked size, not one string', () => {
    const connections = Array.from({ length: 2000 }, (_, i) => ({ uid: `C${i}`, client: `10.0.0.1:${40000 + i}`, server: '10.9.9.9:443', history: 'ShADadFf' }));
    const report = { schema: 's', version: 1, connections, dns: [] };
    const pieces = [...renderJsonChunks(report as unknown as Report, 16 * 1024)];
    expect(pieces.length).toBeGreaterThan(10);
    // A piece ends once it passes the size: at most one record over it.
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(16 * 1024 + 400);
    expect(pieces.join('')).toBe(renderJson(report as unknown as Report));
  });

  it('matches JSON.stringify for any JSON-like document (property)', () => {
    const value = fc.oneof(fc.string(), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined));
    const record = fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(value, fc.array(value, { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 4 }), value, { maxKeys: 3 })), { maxKeys: 5 });
    const doc = fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(value, record, fc.array(fc.oneof(record, value), { maxLength: 6 })), { maxKeys: 8 });
    fc.assert(fc.property(doc, fc.integer({ min: 1, max: 200 }), (d, chunk) => {
      expect(joined(d, chunk)).toBe(renderJson(d as unknown as Report));
    }), { numRuns: 500 });
  });
});
