import { describe, expect, it } from 'vitest';
import { decide } from '../../src/timeline/verdict.js';
import { renderTable } from '../../src/report/table.js';
import { conn, dnsTx, input, reportFrom, resetIds } from './factories.js';

describe('scale', () => {
  it('decides on 10,000 connections and 5,000 DNS names in well under the time a capture takes to read', () => {
    resetIds();
    const dns = [];
    const connections = [];
    for (let i = 0; i < 5000; i++) dns.push(dnsTx({ name: `h${i}.example`, at: i * 0.002, addrs: [`10.${(i >> 8) & 255}.${i & 255}.1`] }));
    for (let i = 0; i < 10_000; i++) {
      const j = i % 5000;
      connections.push(conn({ at: j * 0.002 + 0.001 + (i >= 5000 ? 1 : 0), server: `10.${(j >> 8) & 255}.${j & 255}.1:443`, sni: `h${j}.example`, tls: 'ok', waits: [{ after: 0.001, seconds: 0.01 }], closedAt: j * 0.002 + 0.5 + (i >= 5000 ? 1 : 0) }));
    }
    connections.push(conn({ at: 12, server: '10.200.0.1:443', sni: 'proxy.golang.org', tls: 'no-server-hello' }));
    const v = input({ end: 40, dns, connections });
    const t = performance.now();
    const r = decide(v);
    const ms = performance.now() - t;
    const t2 = performance.now();
    renderTable(reportFrom(v, r));
    const tableMs = performance.now() - t2;
    console.log(`verdict over 10,000 connections / 5,000 names: ${ms.toFixed(0)} ms; table ${tableMs.toFixed(0)} ms`);
    expect(r.verdict).toMatchObject({ stage: 'tls', host: 'proxy.golang.org' });
    expect(ms).toBeLessThan(3000);
    expect(tableMs).toBeLessThan(3000);
  }, 60_000);

  it('folds the stuck connections of one target past 64 into the first: the same result as merging them all', () => {
    resetIds();
    const connections = [];
    // 300 unanswered connects to one address, at uneven times with uneven retries, 70 to another,
    // and answered ones around them; go's log names some of the first ones' fetches.
    // The earliest start and the longest wait come after the first 64, among the folded ones.
    for (let i = 0; i < 300; i++) {
      connections.push(conn({ at: i === 150 ? 0.5 : 5 + (i * 7919) % 997 / 100, server: '198.51.100.7:443', synAck: null, synRetries: i % 4 }));
    }
    for (let i = 0; i < 70; i++) connections.push(conn({ at: 3 + i / 10, server: '203.0.113.9:443', synAck: null }));
    for (let i = 0; i < 20; i++) connections.push(conn({ at: i, server: '10.9.9.9:443', sni: 'goproxy.example', tls: 'ok', waits: [{ after: 0.001, seconds: 0.05 }], closedAt: i + 1 }));
    const v = input({ end: 30, connections });
    const folded = decide(v);
    const apart = decide(v, 'en', { maxApart: Infinity });
    expect(folded).toEqual(apart);
    expect(folded.verdict?.summary).toContain('(300 times)');
    expect(folded.findings.some((f) => f.summary.includes('(70 times)'))).toBe(true);
    expect(folded.verdict?.evidence).toHaveLength(12);
    expect(folded.verdict?.refs).toHaveLength(50);
    expect(folded.verdict?.since).toBe(0.5);
  });
});
