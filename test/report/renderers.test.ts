import { beforeEach, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { renderTable } from '../../src/report/table.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderTrace } from '../../src/report/trace.js';
import { renderHar } from '../../src/report/har.js';
import { renderJson } from '../../src/report/json.js';
import { displayWidth } from '../../src/report/wrap.js';
import { analyze } from '../../src/timeline/analyze.js';
import { clockTime } from '../../src/timeline/hints.js';
import { decide } from '../../src/timeline/verdict.js';
import { conn, dnsTx, fetch, input, reportFrom, resetIds } from '../timeline/factories.js';

beforeEach(() => resetIds());

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

function tlsStall(lang: 'en' | 'zh-CN' = 'en') {
  const v = input({
    end: 30,
    dns: [dnsTx({ name: 'proxy.golang.org', at: 0 })],
    connections: [
      conn({ at: 0.01, tls: 'ok', waits: [{ after: 0.01, seconds: 0.05 }], closedAt: 2 }),
      conn({ at: 2.5, tls: 'no-server-hello', sni: 'proxy.golang.org' }),
    ],
    fetches: [
      fetch({ url: 'https://proxy.golang.org/github.com/x/y/@v/list', start: 0.02, end: 0.1, status: 200, seconds: 0.08, line: 3 }),
      fetch({ url: 'https://proxy.golang.org/github.com/x/y/@v/v1.0.0.zip', start: 2.5, line: 5 }),
    ],
  });
  return reportFrom(v, decide(v, lang));
}

function hostile() {
  const evil = '\u001b[2J\u001b]0;pwned\u0007<b>x</b>|`*_[a](javascript:alert(1))\u202e@everyone\n# h';
  const v = input({ end: 20, connections: [conn({ at: 0, tls: 'no-server-hello', sni: evil + 'x'.repeat(100_000) })], dns: [dnsTx({ name: evil, at: 0, latency: null })] });
  return reportFrom(v, decide(v));
}

/** tlsStall's report with `summary` as the verdict's summary (text as the verdict would carry it). */
function reportWithUrl(summary: string) {
  const r = tlsStall();
  return { ...r, verdict: { ...r.verdict, summary } };
}

describe('clock times', () => {
  it('are signed, to the millisecond: a minus before t0, a plus from it', () => {
    expect(clockTime(0.026)).toBe('+0.026');
    expect(clockTime(12.3456)).toBe('+12.346');
    expect(clockTime(0)).toBe('+0.000');
    expect(clockTime(-0.001)).toBe('-0.001');
    expect(clockTime(-1.5)).toBe('-1.500');
    // Rounded before the sign is chosen: no -0.000.
    expect(clockTime(-0.0004)).toBe('+0.000');
  });

  it('goproxy-not-found: the 410 began a millisecond before the first packet, since -0.001s', async () => {
    const report = await analyze({ bundleDir: fileURLToPath(new URL('../../samples/goproxy-not-found', import.meta.url)) });
    expect(report.verdict.since).toBeLessThan(0);
    const out = renderTable(report);
    expect(out).toMatch(/· since -0\.001s ·/);
    expect(out).not.toContain('+-');
  });
});

describe('table', () => {
  it('puts the verdict first, marks the stall, lists hints, and fits 100 columns', () => {
    const out = renderTable(tlsStall());
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^✖ STALLED at tls: TLS handshake with proxy\.golang\.org/);
    expect(out).toMatch(/▶ .*proxy\.golang\.org.*>27\.5s/);
    expect(out).toMatch(/Hints:\n  → /);
    for (const l of lines) expect(displayWidth(l)).toBeLessThanOrEqual(100);
    expect(out).not.toMatch(ANSI);
  });

  it('fits an 80-column terminal, and every width down to 74, in English and zh-CN', () => {
    for (const lang of ['en', 'zh-CN'] as const) {
      const r = tlsStall(lang);
      for (let width = 74; width <= 100; width++) {
        for (const l of renderTable(r, { width, lang }).split('\n')) expect(displayWidth(l), `${lang} ${width}: ${l}`).toBeLessThanOrEqual(width);
      }
      // The stalled TLS stage still reads whole in the narrower stage columns.
      expect(renderTable(r, { width: 80, lang })).toMatch(/│ >27\.5s│/);
    }
  });

  it('colours only when asked, and the colour does not change the text', () => {
    const r = tlsStall();
    const coloured = renderTable(r, { color: true });
    expect(coloured).toMatch(ANSI);
    expect(coloured.replace(ANSI, '')).toBe(renderTable(r, { color: false }));
  });

  it('zh-CN fits 100 columns counting CJK as two', () => {
    const out = renderTable(tlsStall('zh-CN'), { lang: 'zh-CN' });
    expect(out).toMatch(/卡住 于 TLS 握手/);
    for (const l of out.split('\n')) expect(displayWidth(l)).toBeLessThanOrEqual(100);
  });

  it('neutralises terminal escapes and bidi controls from evidence, and stays bounded', () => {
    const out = renderTable(hostile());
    expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202e]/);
    expect(out).toContain('\\x1b');
    expect(out.length).toBeLessThan(20_000);
  });

  it('a capture cut right after a ClientHello: no stall in the verdict line or the rows, a note among the findings', () => {
    const v = input({
      end: 3,
      dns: [dnsTx({ name: 'proxy.golang.org', at: 2.9 })],
      connections: [conn({ at: 2.95, tls: 'no-server-hello', sni: 'proxy.golang.org' })],
      fetches: [fetch({ url: 'https://proxy.golang.org/x/@v/list', start: 2.9, line: 1 })],
    });
    const out = renderTable(reportFrom(v, decide(v)));
    expect(out.split('\n')[0]).toMatch(/^✔ OK: /);
    expect(out).not.toMatch(/>\d/);
    expect(out).toMatch(/Other findings:\n  - \[ok tls, conf 0\.3\] The evidence ended 0\.05 s into tls for proxy\.golang\.org/);
  });

  it('wraps a long name of escapes between escapes, never inside one, at every width', () => {
    const name = 'evil' + '\u202e\u001b\u200b'.repeat(12) + '.example';
    const v = input({ end: 20, dns: [dnsTx({ name, at: 0, latency: null })] });
    const report = reportFrom(v, decide(v));
    for (let width = 60; width <= 100; width++) {
      const lines = renderTable(report, { width }).split('\n');
      expect(lines.slice(0, 4).join('\n')).toMatch(/^✖ STALLED at dns: DNS lookup of evil\\u\{202e\}/);
      // A field or cell cut short ends in … (truncation, not wrapping): those are not checked.
      for (const l of lines.filter((x) => !x.includes('…'))) expect(l, `width ${width}`).not.toMatch(/\\(?!x[0-9a-f]{2}|u\{[0-9a-f]+\})/);
    }
  });

  it('shows the interesting rows first when there are too many', () => {
    const conns = [];
    for (let i = 0; i < 200; i++) conns.push(conn({ at: i * 0.01, server: `10.0.${i}.1:443`, tls: 'ok', waits: [{ after: 0.001, seconds: 0.01 }], closedAt: i * 0.01 + 0.5 }));
    conns.push(conn({ at: 5, server: '10.9.9.9:443', synAck: null, synRetries: 3 }));
    const v = input({ end: 20, connections: conns });
    const out = renderTable(reportFrom(v, decide(v)), { maxRows: 10 });
    expect(out).toMatch(/▶ .*10\.9\.9\.9/);
    expect(out.replace(/\s+/g, ' ')).toMatch(/191 more rows not shown/);
  });
});

describe('markdown', () => {
  it('summarises the verdict for an issue and escapes evidence', () => {
    const md = renderMarkdown(tlsStall());
    expect(md).toMatch(/^### gomod-trace: stalled at tls/);
    expect(md).toContain('<details>');
    // Readable as plain text too: the host in a code span, no backslash before dots.
    expect(md).toContain('host: **`proxy.golang.org`**');
    expect(md).not.toMatch(/proxy\\\.golang/);
    const h = renderMarkdown(hostile());
    // Outside code spans (which show their text literally), nothing is markup.
    const prose = h.replace(/(?<!\\)(`+)(?:(?!\1)[\s\S])*?\1/g, '');
    expect(h).toContain('<b>x</b>'); // …inside a code span
    expect(prose).not.toContain('<b>');
    expect(prose).not.toMatch(/(?<!\\)\](?:\(|\\\()javascript:/);
    expect(prose).not.toMatch(/@everyone/);
    expect(h).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u202e]/);
    expect(h.length).toBeLessThan(20_000);
  });
});

describe('markdown mentions', () => {
  it('stops @-mentions but leaves module URLs (`@v/`) as they are, so a copied URL works', () => {
    const md = renderMarkdown(reportWithUrl('waiting for https://proxy.golang.org/github.com/x/y/@v/v1.0.0.zip; cc @everyone, @@team, a@b'));
    expect(md).toContain('https://proxy.golang.org/github.com/x/y/@v/v1.0.0.zip');
    expect(md).not.toContain('\u200b');
    expect(md).not.toMatch(/(?<![A-Za-z0-9_])@(?!&#8203;)(?![A-Za-z0-9][A-Za-z0-9-]*\/)/);
    expect(md).toContain('cc @&#8203;everyone, @&#8203;@&#8203;team, a@b');
  });
});

describe('markdown times', () => {
  it('gives the capture\'s start in UTC and the verdict\'s since, as the table does', () => {
    const r = tlsStall();
    r.t0 = 1795592603.204;
    const md = renderMarkdown(r);
    expect(md).toContain('· since: +2.502s ·');
    expect(md).toContain('\nstart (t0): 2026-11-25T07:43:23.204Z\n');
    expect(renderTable(r)).toContain('since +2.502s');
  });
});

describe('trace', () => {
  it('is Chrome Trace Event JSON in microseconds with X spans, b/e for the open stall, an instant verdict', () => {
    const t = JSON.parse(renderTrace(tlsStall())) as { traceEvents: Array<{ ph: string; name: string; ts?: number; dur?: number; id?: string; tid?: number }> };
    const ev = t.traceEvents;
    expect(new Set(ev.map((e) => e.ph))).toEqual(new Set(['M', 'X', 'b', 'e', 'i']));
    const open = ev.filter((e) => e.ph === 'b');
    expect(open.some((e) => e.name === 'tls (stalled)')).toBe(true);
    const b = open.find((e) => e.name === 'tls (stalled)')!;
    const e = ev.find((x) => x.ph === 'e' && x.id === b.id)!;
    expect(e.ts! - b.ts!).toBeGreaterThan(27_000_000);
    for (const x of ev.filter((y) => y.ph === 'X')) { expect(Number.isInteger(x.ts)).toBe(true); expect(x.dur!).toBeGreaterThanOrEqual(0); }
    expect(ev.find((x) => x.ph === 'i')!.name).toBe('verdict: stalled tls');
  });
});

describe('har', () => {
  it('is HAR 1.2 with the URLs from go\'s log; the unanswered fetch has status 0 and says how long', () => {
    const har = JSON.parse(renderHar(tlsStall())) as { log: { version: string; entries: Array<{ request: { url: string }; response: { status: number }; timings: Record<string, number>; comment?: string; startedDateTime: string }> } };
    expect(har.log.version).toBe('1.2');
    expect(har.log.entries.map((e) => e.request.url)).toEqual([
      'https://proxy.golang.org/github.com/x/y/@v/list', 'https://proxy.golang.org/github.com/x/y/@v/v1.0.0.zip',
    ]);
    expect(har.log.entries[0].response.status).toBe(200);
    const stuck = har.log.entries[1];
    expect(stuck.response.status).toBe(0);
    expect(stuck.comment).toMatch(/no response within the evidence/);
    for (const e of har.log.entries) {
      expect(new Date(e.startedDateTime).toISOString()).toBe(e.startedDateTime);
      for (const k of ['send', 'wait', 'receive']) expect(e.timings[k]).toBeGreaterThanOrEqual(0);
    }
  });
});

type HarEntry = { startedDateTime: string; time: number; timings: Record<string, number>; connection?: string };
const harEntries = (r: ReturnType<typeof reportFrom>): HarEntry[] => (JSON.parse(renderHar(r)) as { log: { entries: HarEntry[] } }).log.entries;
/** HAR 1.2: `time` is the sum of the timings that apply (not -1), `ssl` being part of `connect`. */
const phaseSum = (t: Record<string, number>): number =>
  Math.round(['blocked', 'dns', 'connect', 'send', 'wait', 'receive'].reduce((a, k) => a + Math.max(0, t[k]), 0) * 1e3) / 1e3;

describe('har timings', () => {
  // DNS 10 ms → 14 ms; SYN at 20 ms, SYN-ACK at 70 ms; TLS from 70.6 ms to 74.6 ms (ready).
  function reused() {
    const v = input({
      end: 10,
      dns: [dnsTx({ name: 'proxy.golang.org', at: 0.01 })],
      connections: [conn({ at: 0.02, synAck: 0.05, tls: 'ok', waits: [{ after: 0.01, seconds: 0.1 }] })],
      fetches: [
        fetch({ url: 'https://proxy.golang.org/x/@v/list', start: 0.005, end: 0.2, status: 200, line: 1 }),
        fetch({ url: 'https://proxy.golang.org/y/@v/list', start: 0.006, end: 0.25, status: 200, line: 2 }),
        fetch({ url: 'https://proxy.golang.org/x/@v/v1.0.0.zip', start: 3, end: 3.1, status: 200, line: 3 }),
      ],
    });
    return reportFrom(v, decide(v));
  }

  it('charges the setup to the fetch that opened the connection only, and counts nothing twice', () => {
    const [first, second, later] = harEntries(reused());
    // go's own elapsed time for the first fetch (195 ms), split into phases.
    expect(first.timings).toEqual({ blocked: 11, dns: 4, connect: 54.6, ssl: 4, send: 0, wait: 125.4, receive: 0 });
    expect(first.time).toBe(195);
    // Started while the connection was being set up: waited for it, then for the answer.
    expect(second.timings).toEqual({ blocked: 68.6, dns: -1, connect: -1, ssl: -1, send: 0, wait: 175.4, receive: 0 });
    expect(second.time).toBe(244);
    // Three seconds later on the open connection: just the wait.
    expect(later.timings).toEqual({ blocked: -1, dns: -1, connect: -1, ssl: -1, send: 0, wait: 100, receive: 0 });
    expect(later.time).toBe(100);
    for (const e of [first, second, later]) expect(e.time).toBe(phaseSum(e.timings));
  });

  it('plain HTTP: the first request on a connection starts at its lookup; the next one only waits and receives', () => {
    const v = input({
      end: 10,
      dns: [dnsTx({ name: 'goproxy.example', at: 0.01, addrs: ['10.1.2.3'] })],
      connections: [conn({
        at: 0.02, synAck: 0.01, server: '10.1.2.3:80',
        http: [{ after: 0.001, ttfb: 0.1, body: 0.05, host: 'goproxy.example' }, { after: 1, ttfb: 0.2, body: 0.3, host: 'goproxy.example' }],
      })],
    });
    const [first, second] = harEntries(reportFrom(v, decide(v)));
    expect(first.startedDateTime).toBe(new Date((1764045000 + 0.01) * 1000).toISOString());
    expect(first.timings).toMatchObject({ dns: 4, connect: 10, ssl: -1, wait: 100, receive: 50 });
    expect(second.timings).toEqual({ blocked: -1, dns: -1, connect: -1, ssl: -1, send: 0, wait: 200, receive: 300 });
    for (const e of [first, second]) expect(e.time).toBe(phaseSum(e.timings));
  });

  it('on a recording, each fetch adds up to what go measured', async () => {
    const report = await analyze({ bundleDir: fileURLToPath(new URL('../../samples/goproxy-silent-https/', import.meta.url)) });
    const entries = harEntries(report);
    expect(entries).toHaveLength(report.fetches.length);
    // One fetch per connection paid its setup.
    const setups = entries.filter((e) => e.timings.connect >= 0);
    expect(setups.length).toBeGreaterThan(0);
    expect(new Set(setups.map((e) => e.connection)).size).toBe(setups.length);
    report.fetches.forEach((f, i) => {
      const e = entries[i];
      expect(e.time).toBe(phaseSum(e.timings));
      if (f.start !== null && f.end !== null && e.timings.connect >= 0) expect(e.time).toBeCloseTo((f.end - f.start) * 1e3, 1);
    });
  });
});

describe('json', () => {
  it('round-trips the report and turns non-finite numbers into null', () => {
    const r = tlsStall();
    r.verdict.waited = Infinity;
    const back = JSON.parse(renderJson(r));
    expect(back.schema).toBe('gomod-trace/report');
    expect(back.verdict.waited).toBeNull();
    expect(back.connections).toHaveLength(2);
  });
});

describe('zh-CN: the renderers\' own words', () => {
  // English label words the text and Markdown renderers write around the evidence. Hosts, URLs,
  // go's own messages and a hint's `resolv.conf` legitimately hold English: the evidence and hints are left out.
  const LABELS = /\b(host|name|address|path|since|waited|confidence|conf|stalled|failed|slow|ok|dns|connect|proxy|tls|wait|body|proxy-response|transfer|packets|lines|rows|more|Hints|Findings|Evidence|Environment|at)\b/;
  const sample = (name: string, lang: 'en' | 'zh-CN') =>
    analyze({ bundleDir: fileURLToPath(new URL(`../../samples/${name}`, import.meta.url)) }, { lang });

  it.each(['goproxy-silent-https', 'dns-search-domain'])('%s: the table and the Markdown name facts, columns, stages and findings in Chinese', async (name) => {
    const report = await sample(name, 'zh-CN');
    expect(report.findings.length + report.fetches.length).toBeGreaterThan(0);
    const text = renderTable(report, { lang: 'zh-CN' });
    const hintsAt = text.indexOf('\n建议：');
    const own = (hintsAt < 0 ? text : text.slice(0, hintsAt)).split('\n').filter((l) => !/^ {2}go\d/.test(l)).join('\n');
    expect(own).not.toMatch(LABELS);
    expect(text.replace(/\s+/g, ' ')).toMatch(/主机 \S+ · 地址 127\S+ · 开始于 \+\S+ · 等待 \S+ · 可信度 0\.\d+/);
    expect(text).toMatch(/│ 目标 +│ 地址 +│ DNS +│ 连接 +│ 代理 +│ TLS +│ 等待 +│ 传输 +│/);
    expect(text).toMatch(/│ 等待服务器响应 \d/);
    const md = renderMarkdown(report, { lang: 'zh-CN' });
    // Code spans hold evidence: hosts, file names, go's settings.
    const mdOwn = md.replace(/\n证据：\n\n(- .*\n)*/, '\n').replace(/\n建议：\n\n(- .*\n)*/, '\n').replace(/`[^`]*`/g, '');
    expect(mdOwn).not.toMatch(LABELS);
    expect(md).toMatch(/^### gomod-trace: (卡住|慢) 于 (等待服务器响应|DNS 解析)\n/);
    expect(md).toContain('| | 目标 | 地址 | DNS | 连接 | 代理 | TLS | 等待 | 传输 |');
    expect(md).toMatch(/ \d+ 个包 /);
  });

  it('dns-search-domain: a finding reads "卡住 于 DNS 解析" with its confidence; in English as before', async () => {
    const zh = await sample('dns-search-domain', 'zh-CN');
    expect(renderTable(zh, { lang: 'zh-CN' })).toMatch(/- \[卡住 于 DNS 解析，可信度 0\.8\] /);
    expect(renderMarkdown(zh, { lang: 'zh-CN' })).toMatch(/\n- 卡住 于 DNS 解析（可信度 0\.8）: /);
    const en = await sample('dns-search-domain', 'en');
    const text = renderTable(en);
    expect(text).toMatch(/- \[stalled dns, conf 0\.8\] /);
    expect(text.replace(/\s+/g, ' ')).toMatch(/host \S+ · address 127\S+ · since \+\S+ · waited \S+ · confidence 0\.\d+/);
    expect(text).toMatch(/│ host \/ name +│ address +│ dns +│ connect│ proxy +│ tls +│ wait +│ body +│/);
    const md = renderMarkdown(en);
    expect(md).toMatch(/\n- stalled dns \(0\.8\): /);
    expect(md).toContain('| | host | address | dns | connect | proxy | tls | wait | body |');
    expect(md).toMatch(/ \d+ packets /);
  });
});
