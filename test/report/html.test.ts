import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { renderHtml } from '../../src/report/html.js';
import { visible } from '../../src/report/escape.js';
import { analyze } from '../../src/timeline/analyze.js';
import { decide } from '../../src/timeline/verdict.js';
import { conn, dnsTx, fetch, input, lockCall, reportFrom, resetIds } from '../timeline/factories.js';
import { CHROMIUM, launch, type Session } from './browser.js';

const OUT = new URL('../../test-output/', import.meta.url).pathname;

function stallReport(lang: 'en' | 'zh-CN' = 'en') {
  resetIds();
  const v = input({
    end: 30,
    dns: [dnsTx({ name: 'proxy.golang.org', at: 0 }), dnsTx({ name: 'sum.golang.org', at: 0.5, latency: null, queries: [0.5, 5.5] })],
    connections: [
      conn({ at: 0.01, tls: 'ok', waits: [{ after: 0.01, seconds: 0.05 }], closedAt: 2 }),
      conn({ at: 2.5, tls: 'no-server-hello', sni: 'proxy.golang.org' }),
    ],
    fetches: [fetch({ url: 'https://proxy.golang.org/github.com/x/y/@v/list', start: 0.02, end: 0.1, status: 200, line: 3 })],
  });
  return reportFrom(v, decide(v, lang));
}

function hostileReport() {
  resetIds();
  const evil = '<script>window.__pwned=1</script>"\'</script><img src=x onerror="window.__pwned=2">\u202e\u2066\u0000\u001b[31m&amp;\u2028\u2029';
  const huge = 'A'.repeat(100 * 1024) + evil;
  const v = input({
    end: 20,
    dns: [dnsTx({ name: evil + '.example', at: 0, latency: null }), dnsTx({ name: huge, at: 0.1 })],
    connections: [conn({ at: 0.2, tls: 'no-server-hello', sni: huge }), conn({ at: 0.3, tls: null, server: '127.6.6.1:80', http: [{ after: 0.01, ttfb: null, target: '/' + evil + huge, host: evil }] })],
    syscalls: [lockCall({ at: 1, duration: null, path: '/tmp/' + evil + huge + '.lock', module: evil })],
    fetches: [fetch({ url: 'https://' + evil + '/@v/' + huge, start: 0.5, line: 9 })],
  });
  const r = reportFrom(v, decide(v));
  r.inputs[0].file = evil;
  r.inputs[0].warnings = [evil];
  return r;
}

// Characters that reorder or hide text: a bidi override, a zero-width space, a bidi isolate, a C1 control (NEL).
const INVISIBLE = ['\u202e', '\u200b', '\u2066', '\u0085'];
const SHOWN = ['\\u{202e}', '\\u{200b}', '\\u{2066}', '\\x85'];
const TRICKY_HOST = `ev${INVISIBLE[0]}il${INVISIBLE[1]}.${INVISIBLE[2]}example${INVISIBLE[3]}`;

/** The same characters in every kind of record the page shows: DNS, SNI, HTTP host, lock path, fetch, input file. */
function invisibleReport() {
  resetIds();
  const v = input({
    end: 20,
    dns: [dnsTx({ name: TRICKY_HOST, at: 0, latency: null })],
    connections: [conn({ at: 0.2, tls: 'no-server-hello', sni: TRICKY_HOST }), conn({ at: 0.3, tls: null, server: '127.6.6.1:80', http: [{ after: 0.01, ttfb: null, target: '/' + TRICKY_HOST, host: TRICKY_HOST }] })],
    syscalls: [lockCall({ at: 1, duration: null, path: `/tmp/${TRICKY_HOST}.lock`, module: TRICKY_HOST })],
    fetches: [fetch({ url: `https://${TRICKY_HOST}/@v/list`, start: 0.5, line: 9 })],
  });
  const r = reportFrom(v, decide(v));
  r.inputs[0].file = `/tmp/${TRICKY_HOST}.pcap`;
  return r;
}

describe('html report: static properties', () => {
  it('is one file with a strict CSP, no external references, data escaped', () => {
    const html = renderHtml(hostileReport());
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toContain('unsafe-inline');
    expect(html).not.toMatch(/<(link|iframe|object|embed)\b/i);
    expect(html).not.toMatch(/\bsrc=["']?(https?:)?\/\//i);
    // Exactly one executable script and one JSON block; the JSON holds no raw < > &.
    expect(html.match(/<script>/g)).toHaveLength(1);
    const json = /<script type="application\/json" id="gomod-trace-data">([\s\S]*?)<\/script>/.exec(html)![1];
    expect(json).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(json).report.dns[0].name).toContain('<script>');
  });
});

describe.skipIf(!existsSync(CHROMIUM))('html report in headless Chromium', () => {
  let s: Session;
  beforeAll(async () => { s = await launch(); mkdirSync(OUT, { recursive: true }); }, 60_000);
  afterAll(async () => { await s?.close(); });
  let requests: string[];
  let errors: string[];
  beforeEach(() => { requests = []; errors = []; });

  async function open(html: string, name: string) {
    const file = join(OUT, name);
    writeFileSync(file, html);
    const page = await s.context.newPage();
    page.on('request', (r) => { if (!r.url().startsWith('file:')) requests.push(r.url()); });
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto('file://' + file);
    await page.waitForSelector('body[data-ready="1"]', { timeout: 15_000 });
    return page;
  }

  it('renders the verdict, the waterfall with the stall marked, and makes no request', async () => {
    const page = await open(renderHtml(stallReport()), 'report-tls-stall.html');
    await expect(page.locator('#verdict').textContent()).resolves.toMatch(/stalled · tls.*no ServerHello/);
    await expect(page.locator('#hints li').count()).resolves.toBeGreaterThan(0);
    await expect(page.locator('.row.verdict').count()).resolves.toBe(1);
    await expect(page.locator('.row.verdict .waited').first().textContent()).resolves.toMatch(/waited \d/);
    // Click shows the evidence; filter narrows the rows.
    await page.locator('.row.verdict').click();
    await expect(page.locator('#detail').textContent()).resolves.toMatch(/ClientHello/);
    await page.fill('#filter', 'sum.golang');
    await expect(page.locator('#count').textContent()).resolves.toMatch(/^1 \//);
    await page.fill('#filter', '');
    await page.screenshot({ path: join(OUT, 'report-tls-stall.png'), fullPage: false });
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  it('zh-CN: the title, badge, facts, counts, bar labels, table heads and headings are Chinese', async () => {
    const page = await open(renderHtml(stallReport('zh-CN'), { lang: 'zh-CN' }), 'report-tls-stall-zh.html');
    // English label words the page writes around the data (hosts and the evidence's own text aside).
    const LABELS = /\b(host|address|path|since|waited|failed|confidence|conf|stalled|slow|ok|rows|Evidence|verdict|state|stage|summary|name|latency|answers|no answer|start|tls|dns|connect|proxy-response|transfer)\b/;
    await expect(page.title()).resolves.toBe('gomod-trace: 卡住 于 TLS 握手 — proxy.golang.org');
    await expect(page.locator('#verdict .badge').textContent()).resolves.toBe('卡住 · TLS 握手');
    const facts = await page.locator('#facts').textContent();
    expect(facts).toMatch(/^主机 proxy\.golang\.org · 地址 \S+ · 开始于 \+\S+s · 等待 \S+ · 可信度 0\.\d+$/);
    await expect(page.locator('#count').textContent()).resolves.toMatch(/^\d+ \/ \d+ 行$/);
    await expect(page.locator('.row.verdict .waited').first().textContent()).resolves.toMatch(/^已等待 \d/);
    await page.locator('.row.verdict').click();
    await expect(page.locator('#detail p').textContent()).resolves.toBe('结论的证据：');
    const own = [
      facts, await page.locator('#legend').textContent(), await page.locator('#count').textContent(),
      ...(await page.locator('th, h1, h2').allTextContents()).filter((t) => !/proxy\.golang\.org/.test(t)),
      ...(await page.locator('#detail li').allTextContents()).map((t) => t.replace(/ — .*/, '')),
      ...(await page.locator('#t-findings td:nth-child(-n+2)').allTextContents()),
    ].join('\n').replace(/proxy\.golang\.org|sum\.golang\.org/g, '');
    expect(own).not.toMatch(LABELS);
    expect(own).toContain('TLS 握手等待服务器响应');
    await expect(page.locator('#t-findings th').allTextContents()).resolves.toEqual(['状态', '阶段', '主机', '地址', '等待', '可信度', '摘要']);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  it('a hostile report executes nothing and shows the strings as text', async () => {
    const page = await open(renderHtml(hostileReport()), 'report-hostile.html');
    expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await expect(page.locator('img').count()).resolves.toBe(0);
    // The evidence strings are visible as text, not markup.
    await expect(page.locator('#t-dns').textContent()).resolves.toContain('<script>window.__pwned=1</script>');
    await page.locator('.row').first().click();
    await page.screenshot({ path: join(OUT, 'report-hostile.png') });
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  /** What a reader can see: the title, the rendered text, and every attribute (tooltips) outside the data script. */
  async function seen(page: Page): Promise<string> {
    // (An expression as a string: this file is compiled without the DOM types.)
    return await page.evaluate(`[document.title, document.body.innerText].concat(
      Array.from(document.querySelectorAll('body *:not(script)')).flatMap((e) => Array.from(e.attributes).map((a) => a.value))).join('\\n')`) as string;
  }

  function expectEscaped(text: string): void {
    for (const c of SHOWN) expect(text).toContain(c);
    for (const c of INVISIBLE) expect(text).not.toContain(c);
  }

  it('shows bidi, zero-width and C1 characters from a go log as escapes, as the terminal does', async () => {
    const log = join(OUT, 'go-invisible.log');
    writeFileSync(log, `# get https://${TRICKY_HOST}/x/@v/list\n`);
    const report = await analyze({ goLog: log });
    const page = await open(renderHtml(report), 'report-go-invisible.html');
    const verdict = await page.locator('#verdict').textContent() ?? '';
    expect(verdict).toContain(visible(TRICKY_HOST));
    expectEscaped(verdict);
    expectEscaped((await page.locator('#hints').textContent()) ?? '');
    const text = await seen(page);
    expect(text).toContain(visible(report.verdict.summary));
    expectEscaped(text);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows them as escapes in the timeline, its tooltips and details, the tables and the footer', async () => {
    const page = await open(renderHtml(invisibleReport()), 'report-invisible.html');
    const labels = page.locator('.row .label');
    const count = await labels.count();
    expect(count).toBeGreaterThan(3);
    for (let i = 0; i < count; i++) expectEscaped((await labels.nth(i).getAttribute('title')) ?? '');
    // Every bar's tooltip (some bars lie under others: the event goes to each), and the detail pane of every row.
    const bars = page.locator('.row .bar');
    let tips = '';
    for (let i = 0; i < await bars.count(); i++) {
      await bars.nth(i).dispatchEvent('mousemove', { clientX: 10, clientY: 10 });
      tips += (await page.locator('#tip').textContent()) ?? '';
    }
    expectEscaped(tips);
    const rows = page.locator('.row');
    let details = '';
    for (let i = 0; i < await rows.count(); i++) {
      await rows.nth(i).click();
      details += (await page.locator('#detail').textContent()) ?? '';
    }
    expectEscaped(details);
    expect(details).toContain(`"module": "${visible(TRICKY_HOST)}"`);
    expectEscaped((await page.locator('#t-dns').textContent()) ?? '');
    expectEscaped((await page.locator('#t-conns').textContent()) ?? '');
    expectEscaped((await page.locator('#t-sys').textContent()) ?? '');
    expectEscaped((await page.locator('#t-fetch').textContent()) ?? '');
    expectEscaped((await page.locator('#foot').textContent()) ?? '');
    // The filter finds a row by what it shows.
    await page.fill('#filter', visible(TRICKY_HOST));
    await expect(page.locator('#count').textContent()).resolves.not.toMatch(/^0 \//);
    await page.fill('#filter', '');
    await rows.first().click();
    expectEscaped(await seen(page));
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  it('shows a time before t0 with a minus: goproxy-not-found began a millisecond before the first packet', async () => {
    const report = await analyze({ bundleDir: new URL('../../samples/goproxy-not-found', import.meta.url).pathname });
    const page = await open(renderHtml(report), 'report-goproxy-not-found.html');
    await expect(page.locator('#facts').textContent()).resolves.toContain('since -0.001s');
    expect(await seen(page)).not.toContain('+-');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('stays usable at 10,000 rows (virtualised waterfall)', async () => {
    resetIds();
    const conns = [];
    for (let i = 0; i < 10_000; i++) conns.push(conn({ at: i * 0.003, server: `10.${(i >> 8) & 255}.${i & 255}.9:443`, tls: 'ok', waits: [{ after: 0.001, seconds: 0.01 }], closedAt: i * 0.003 + 0.05 }));
    conns.push(conn({ at: 31, tls: 'no-server-hello', sni: 'goproxy.lab.test' }));
    const v = input({ end: 45, connections: conns });
    const r = reportFrom(v, decide(v));
    const t = Date.now();
    const page = await open(renderHtml(r), 'report-10k.html');
    const loadMs = Date.now() - t;
    const inDom = await page.locator('.row').count();
    expect(inDom).toBeLessThan(200);
    await page.click('#goto');
    await expect(page.locator('.row.verdict').count()).resolves.toBe(1);
    await page.screenshot({ path: join(OUT, 'report-10k.png') });
    expect(errors).toEqual([]);
    expect(loadMs).toBeLessThan(15_000);
    console.log(`10k-row report: ${loadMs} ms to ready, ${inDom} rows in the DOM`);
    await page.close();
  });
});
