/**
 * The report of a recorded lab scenario renders in real Chromium: no script errors, and the page
 * shows the verdict the analysis wrote to report.json. Needs root, go, tcpdump and chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { recordSamples } from '../../src/lab/samples.js';
import { canIsolate } from '../../src/lab/isolate.js';

const CHROMIUM = '/usr/bin/chromium';
// Root, and a private mount namespace (not every container allows one): the lab's own preconditions.
const root = typeof process.getuid === 'function' && process.getuid() === 0 && (await canIsolate()).ok;
const haveTools = ['go', 'tcpdump'].every((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0) && existsSync(CHROMIUM);

describe.skipIf(!root || !haveTools)('lab reports in Chromium (needs root, go, tcpdump, chromium)', () => {
  let out = '';
  let profile = '';
  let context: BrowserContext | null = null;

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'lab-html-'));
    profile = mkdtempSync(join(tmpdir(), 'lab-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, headless: true, timeout: 30_000,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update'],
    });
  }, 60_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    rmSync(profile, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });

  it('each report.html shows its verdict without script errors', async () => {
    const results = await recordSamples(out, ['connect-refused', 'goproxy-silent-http', 'tls-reset']);
    for (const r of results) {
      const html = join(r.bundleDir, 'report.html');
      expect(existsSync(html), `${r.name}: report.html`).toBe(true);
      const report = JSON.parse(readFileSync(join(r.bundleDir, 'report.json'), 'utf8')) as { verdict: { summary: string } };
      const page = await context!.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      await page.goto(pathToFileURL(html).href, { waitUntil: 'load', timeout: 20_000 });
      // The page fills itself from its embedded data: wait until the verdict text is on it.
      const summary = report.verdict.summary;
      // (Expressions as strings: this file is compiled without the DOM types.)
      await page.waitForFunction(`document.body.innerText.includes(${JSON.stringify(summary)})`, undefined, { timeout: 10_000 })
        .catch(() => undefined);
      const text = await page.evaluate('document.body.innerText') as string;
      await page.close();
      expect(errors, r.name).toEqual([]);
      expect(text, r.name).toContain(summary);
    }
  }, 90_000);
});
