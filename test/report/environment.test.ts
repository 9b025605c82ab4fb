import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../src/timeline/analyze.js';
import { renderTable } from '../../src/report/table.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderHtml } from '../../src/report/html.js';
import { renderJson } from '../../src/report/json.js';
import { displayWidth } from '../../src/report/wrap.js';
import { writeSynStall } from '../cli/pcap-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'gomod-trace-environment-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A value from the user's machine that tries to drive a terminal, inject HTML and mention someone. */
const HOSTILE = '\u001b[2J<img src=x onerror=alert(1)>`*@everyone\u202e';

/** A bundle of a SYN stall whose env.json and meta.json say how go was set up. */
function bundle(name: string, env: unknown, meta: unknown): string {
  const b = join(dir, name);
  mkdirSync(b);
  writeSynStall(join(b, 'capture.pcap'));
  writeFileSync(join(b, 'env.json'), JSON.stringify(env));
  writeFileSync(join(b, 'meta.json'), JSON.stringify(meta));
  return b;
}

const setUp = bundle('set-up', {
  go: {
    GOVERSION: 'go1.22.3', GOPROXY: 'https://goproxy.corp.example:33443,direct', GOSUMDB: 'sum.golang.org', GONOSUMDB: '',
    GOPRIVATE: HOSTILE, GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local', GOPATH: '/home/u/go', GOROOT: '/usr/local/go',
  },
  goEnvError: null,
  // A hand-made env.json (record would have starred these): the report must not show them.
  proxy: { https_proxy: 'http://alice:s3cret@proxy.corp.example:3128', NO_PROXY: 'localhost,.corp.example' },
}, { command: ['go', 'mod', 'download', '-x'], versions: { go: 'go1.22.3' }, start: { epoch: 1764045000 } });

describe('report.environment', () => {
  it('holds go\'s version, its command and the settings that are set, in order, credentials redacted', async () => {
    const r = await analyze({ bundleDir: setUp });
    expect(r.environment).toEqual({
      goVersion: 'go1.22.3',
      command: ['go', 'mod', 'download', '-x'],
      settings: {
        GOPROXY: 'https://goproxy.corp.example:33443,direct', GOPRIVATE: HOSTILE, GOSUMDB: 'sum.golang.org', GOFLAGS: '-mod=mod',
        GOTOOLCHAIN: 'local', https_proxy: 'http://***@proxy.corp.example:3128', NO_PROXY: 'localhost,.corp.example',
      },
    });
    expect(Object.keys(r.environment!.settings)).toEqual(['GOPROXY', 'GOPRIVATE', 'GOSUMDB', 'GOFLAGS', 'GOTOOLCHAIN', 'https_proxy', 'NO_PROXY']);
    expect(renderJson(r)).not.toContain('s3cret');
    expect((await analyze({ bundleDir: setUp }, { redact: false })).environment!.settings.https_proxy).toBe('http://alice:s3cret@proxy.corp.example:3128');
  });

  it('is absent without a bundle, and from a bundle that says nothing about go', async () => {
    const r = await analyze({ capture: join(setUp, 'capture.pcap') });
    expect('environment' in r).toBe(false);
    expect(renderJson(r)).not.toContain('"environment"');
    const bare = bundle('bare', { go: null, goEnvError: 'go: not found', proxy: {} }, { start: { epoch: 1764045000 } });
    expect('environment' in (await analyze({ bundleDir: bare }))).toBe(false);
  });

  it('the table shows it under the verdict in at most two lines, without control characters', async () => {
    const r = await analyze({ bundleDir: setUp });
    for (const width of [80, 100]) {
      const out = renderTable(r, { width });
      const lines = out.split('\n');
      const at = lines.findIndex((l) => l.startsWith('  go1.22.3 · go mod download -x ·'));
      expect(at, out).toBeGreaterThan(0);
      expect(lines.slice(0, at).join('\n')).toMatch(/confidence/);
      expect(lines.slice(at, at + 2).join(' ').replace(/\s+/g, ' ')).toMatch(/ · GOPROXY=https:\/\/goproxy\.corp\.example:33443,direct .*…$/);
      expect(lines[at + 2]).toBe('');
      for (const l of lines) expect(displayWidth(l)).toBeLessThanOrEqual(width);
    }
    const wide = renderTable(r, { width: 200 });
    expect(wide).toContain('GOPRIVATE=\\x1b[2J<img src=x onerror=alert(1)>`*@everyone\\u{202e}');
    expect(wide).toContain('https_proxy=http://***@proxy.corp.example:3128 · NO_PROXY=localhost,.corp.example');
    expect(wide).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202e]/);
  });

  it('Markdown lists it in code spans, HTML in its own section, both escaped', async () => {
    const r = await analyze({ bundleDir: setUp });
    const md = renderMarkdown(r);
    expect(md).toContain('Environment:\n\n- `go`: `go1.22.3`\n- `command`: `go mod download -x`\n- `GOPROXY`: `https://goproxy.corp.example:33443,direct`\n');
    expect(md).toContain('- `GOPRIVATE`: ``\\x1b[2J<img src=x onerror=alert(1)>`*@everyone\\u{202e}``');
    expect(md).toContain('- `https_proxy`: `http://***@proxy.corp.example:3128`');
    expect(md).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202e]/);
    const html = renderHtml(r);
    const section = /<section id="environment"><h2>Environment<\/h2><ul>(.*?)<\/ul><\/section>/.exec(html)?.[1] ?? '';
    expect(section).toContain('<li>go <code>go1.22.3</code></li><li>command <code>go mod download -x</code></li>');
    expect(section).toContain('<li>GOPRIVATE <code>\\x1b[2J&#60;img src=x onerror=alert(1)&#62;&#96;*@everyone\\u{202e}</code></li>');
    expect(section).toContain('<li>https_proxy <code>http://***@proxy.corp.example:3128</code></li>');
    expect(renderHtml(await analyze({ capture: join(setUp, 'capture.pcap') }))).not.toContain('id="environment"');
  });
});
