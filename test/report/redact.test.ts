import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyRules, redactReport, redactText } from '../../src/report/redact.js';
import { decide } from '../../src/timeline/verdict.js';
import { conn, input, reportFrom } from '../timeline/factories.js';

const BIN = fileURLToPath(new URL('../../bin/gomod-trace', import.meta.url));

describe('redactText', () => {
  it.each([
    ['https://alice:s3cr3t-token@goproxy.example.com/mod/@v/list', 'https://***@goproxy.example.com/mod/@v/list'],
    ['https://ghp_abcdefghijklmnopqrstuvwx1234@git.example/x', 'https://***@git.example/x'],
    ['GET /lookup/m@v1?token=abc123&x=1 HTTP/1.1', 'GET /lookup/m@v1?token=***&x=1 HTTP/1.1'],
    ['https://h/p?a=1&Access_Token=zz9&sig=q', 'https://h/p?a=1&Access_Token=***&sig=***'],
    ['Proxy-Authorization: Basic YWxpY2U6czNjcjN0', 'Proxy-Authorization: ***'],
    ['Cookie: session=abc; other=1', 'Cookie: ***'],
    ['server said: bearer eyJhbGciOiJIUzI1NiJ9.x.y', 'server said: bearer ***'],
    // Quoted values: the quotes go with the value.
    ['Authorization: "abc"', 'Authorization: ***'],
    ['Proxy-Authorization: "Basic YWxpY2U6czNjcjN0"', 'Proxy-Authorization: ***'],
    ['Cookie:"sid=abc"; theme=dark', 'Cookie:***'],
    ['header X-Pad: a, authorization="abc" after', 'header X-Pad: a, authorization=***'],
    ['Authorization: "abc', 'Authorization: ***'],
    ['GET /x?token="abc"&v=1 HTTP/1.1', 'GET /x?token=***&v=1 HTTP/1.1'],
    ["GET /x?v=1;password='p w'&x=2", 'GET /x?v=1;password=***&x=2'],
    // As strace and Go's %q escape them inside their own quotes.
    ['sendto(3, "GET /x?access_token=\\"abc\\" HTTP/1.1", 32, 0, NULL, 0) = 32', 'sendto(3, "GET /x?access_token=*** HTTP/1.1", 32, 0, NULL, 0) = 32'],
    ['err: "Authorization: \\"abc\\""', 'err: "Authorization: ***"'],
    ['token ghp_abcdefghijklmnopqrstuvwx1234 leaked', 'token *** leaked'],
    // Cut short (`…`) before the rules could see the whole credential.
    ['http://user:s3cr…', 'http://***…'],
    ['GET /m/@v/list?next=https://alice:hunt… stalled', 'GET /m/@v/list?next=https://***… stalled'],
    ['upstream said: Bearer abcdef…', 'upstream said: Bearer ***…'],
    ['t=ghp_abcdef…', 't=***…'],
    // Cut by strace's -s limit (`"...`), and after strace's escapes.
    ['write(3, "GET / HTTP/1.1\\r\\nX-Up: Bearer abcdef"..., 300) = 300', 'write(3, "GET / HTTP/1.1\\r\\nX-Up: Bearer ***"..., 300) = 300'],
    ['write(3, "GET http://alice:hunt"..., 300) = 300', 'write(3, "GET http://***"..., 300) = 300'],
    ['write(3, "t=ghp_abc"..., 300) = 300', 'write(3, "t=***"..., 300) = 300'],
    ['write(3, "GET / HTTP/1.1\\r\\nCookie: sid=abc\\r\\n\\r\\n", 40) = 40', 'write(3, "GET / HTTP/1.1\\r\\nCookie: ***", 40) = 40'],
  ])('%s', (input, want) => {
    expect(redactText(input)).toBe(want);
  });

  it('leaves ordinary evidence alone', () => {
    for (const s of [
      '# get https://goproxy.cn/github.com/x/y/@v/v1.2.3.zip: 200 OK (0.123s)',
      'dial tcp 127.0.0.1:443: i/o timeout',
      'module lab.example/greet@v1.2.0',
      'the token verification failed',
      'server requires basic authentication',
      'https://sum.golang.google.cn/lookup/golang.org/x/text@v0.3.7',
      // Our own hint showing the form of proxy credentials.
      'HTTPS_PROXY=http://USER:PASSWORD@proxy:port',
      // Cut short after the host.
      'https://proxy.golang.org/github.com/some/long/module/pa…',
    ]) expect(redactText(s)).toBe(s);
  });
});

describe('the proxy-credentials hint', () => {
  it.each(['en', 'zh-CN'] as const)('keeps its placeholder in %s, and counts no credential', (lang) => {
    const v = input({
      end: 1,
      connections: [conn({ at: 0, server: '127.5.5.1:3128', proxyConnect: { target: 'proxy.golang.org:443', status: 407 }, closedAt: 0.1 })],
    });
    const { verdict, findings } = decide(v, lang);
    const report = reportFrom(v, { verdict, findings });
    expect(redactReport(report)).toBe(0);
    expect(report.verdict.hints[0]).toMatch(lang === 'en' ? /HTTPS_PROXY=http:\/\/USER:PASSWORD@proxy:port/ : /HTTPS_PROXY=http:\/\/用户名:密码@代理地址:端口/);
  });

  it('a real credential beside it is still redacted and counted', () => {
    expect(redactText('HTTPS_PROXY=http://用户名:s3cr3t@代理地址:端口')).toBe('HTTPS_PROXY=http://***@代理地址:端口');
  });
});

describe('redactText pre-check', () => {
  it('changes exactly what the rules change, on strings built from the rules\' own pieces', () => {
    // Pieces that start, end or break a match, mixed with ordinary evidence text, in random order
    // and case: the pre-check that skips most strings must never skip one a rule would change.
    const pieces = [
      'https://', 'git+ssh://', 'user', ':', 'pw', '@', 'host', '/', '?', '&', ';', '#', '=', 'token', 'Access_Token',
      'sig', 'x-amz-signature', 'Authorization', 'proxy-authorization', 'Cookie', 'Set-Cookie', 'X-Api-Key',
      'private-token', 'Basic', 'bearer', ' ', 'YWxpY2U6czNjcjN0', 'abc123==', 'ghp_', 'gho_', 'github_pat_',
      'glpat-', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345', '10.20.30.40:443', 'sum.golang.org', 'ShADdFf', '\n', '"', 'é', '…', '"...', '\\r\\n', 's3cr',
    ];
    let seed = 7;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    let changed = 0;
    for (let i = 0; i < 20_000; i++) {
      let s = '';
      for (let k = 1 + next(9); k > 0; k--) {
        const p = pieces[next(pieces.length)];
        s += next(4) === 0 ? p.toUpperCase() : p;
      }
      const want = applyRules(s);
      if (want !== s) changed++;
      expect(redactText(s), JSON.stringify(s)).toBe(want);
    }
    // The strings exercise the rules, not only the pre-check's easy side.
    expect(changed).toBeGreaterThan(200);
  });
});

describe('analyze redacts a credential in a strace log cut by its -s limit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gomod-trace-redact-strace-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const log = join(dir, 'strace.log');
  // Slow writes on a socket (kept in the report with their text); strace cut each at its -s limit.
  writeFileSync(log, [
    '5001 1764045000.100000 execve("/usr/bin/go", ["go", "mod", "download"], 0x7ffd0 /* 20 vars */) = 0 <0.000100>',
    '5001 1764045000.200000 write(3, "GET /x HTTP/1.1\\r\\nAuthorization: Bearer abcdef"..., 300) = 300 <2.000000>',
    '5001 1764045002.300000 write(3, "GET /x HTTP/1.1\\r\\nX-Upstream: Bearer ghijkl"..., 300) = 300 <2.000000>',
    '5001 1764045004.400000 write(3, "GET http://alice:mnopqr"..., 300) = 300 <2.000000>',
    '5001 1764045006.500000 write(3, "GET /x HTTP/1.1\\r\\nCookie: sid=stuvwx\\r\\n\\r\\n", 40) = 40 <2.000000>',
    // git's argv with a URL strace cut inside its userinfo (no @ left to show it is one).
    '5002 1764045008.000000 execve("/usr/bin/git", ["git", "ls-remote", "https://alice:yzabcd"...], 0x7ffd0 /* 20 vars */) = 0 <0.000100>',
    '5002 1764045008.500000 +++ exited with 0 +++',
    '5001 1764045009.000000 +++ exited with 0 +++',
    '',
  ].join('\n'));

  for (const format of ['json', 'table']) {
    it(`--format ${format}`, () => {
      const r = spawnSync(BIN, ['analyze', '--strace', log, '--format', format, '-o', '-'], { encoding: 'utf8', timeout: 30_000 });
      expect(r.status, r.stderr).toBe(0);
      for (const secret of ['abcdef', 'ghijkl', 'mnopqr', 'stuvwx', 'yzabcd']) expect(r.stdout).not.toContain(secret);
      if (format === 'json') expect(JSON.parse(r.stdout).syscalls.map((c: { text: string }) => c.text)).toContain('write(3, "GET http://***"..., 300) = 300');
    });
  }

  it('the log holds them (--no-redact)', () => {
    const r = spawnSync(BIN, ['analyze', '--strace', log, '--format', 'json', '--no-redact'], { encoding: 'utf8', timeout: 30_000 });
    for (const secret of ['abcdef', 'ghijkl', 'mnopqr', 'stuvwx', 'yzabcd']) expect(r.stdout).toContain(secret);
  });
});

describe('analyze redacts credentials in every format unless --no-redact', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gomod-trace-redact-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const log = join(dir, 'go.log');
  writeFileSync(log, [
    '1764045000.100000 E # get https://alice:hunter2-TOKEN@goproxy.example.com/lab.example/m/@v/v1.0.0.mod',
    '1764045000.200000 E # get https://alice:hunter2-TOKEN@goproxy.example.com/lab.example/m/@v/v1.0.0.mod: 200 OK (0.100s)',
    '1764045000.300000 E # get https://goproxy.example.com/lab.example/m/@v/v1.0.0.zip?token=zip-SECRET',
    '',
  ].join('\n'));

  for (const format of ['json', 'table', 'md', 'html', 'har', 'trace']) {
    it(`--format ${format}`, () => {
      const r = spawnSync(BIN, ['analyze', '--go-log', log, '--format', format, '-o', '-'], { encoding: 'utf8', timeout: 30_000 });
      expect(r.status, r.stderr).toBe(0);
      const text = r.stdout;
      expect(text).not.toContain('hunter2-TOKEN');
      expect(text).not.toContain('zip-SECRET');
      expect(text).toContain('goproxy.example.com');
    });
  }

  it('keeps them with --no-redact', () => {
    const r = spawnSync(BIN, ['analyze', '--go-log', log, '--format', 'json', '--no-redact'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('hunter2-TOKEN');
    const j = JSON.parse(r.stdout);
    expect(j.fetches.length).toBeGreaterThan(0);
  });

  it('says in the report how many strings were redacted', () => {
    const r = spawnSync(BIN, ['analyze', '--go-log', log, '--format', 'json'], { encoding: 'utf8', timeout: 30_000 });
    const j = JSON.parse(r.stdout);
    expect(j.inputs[0].warnings.join('\n')).toMatch(/\d+ strings? with credentials redacted/);
  });
});
