// loadGoLog on hand-written -x / -json logs and on real (canonicalised) SIGQUIT dumps of go 1.19.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadGoLog, GoLogFormatError } from '../../src/gotool/index.js';
import { isUserFacing } from '../../src/cli/errors.js';

const fixtures = fileURLToPath(new URL('../fixtures/golog/', import.meta.url));
let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'gomod-trace-golog-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });
async function file(name: string, data: string | Buffer): Promise<string> {
  const p = join(dir, name);
  await writeFile(p, data);
  return p;
}

describe('untimed go -x log (https proxy, sumdb, direct)', () => {
  it('fetches with status, seconds, errors and their stage; a fetch with no end line stays open', async () => {
    const ev = await loadGoLog(join(fixtures, 'x-https-mixed.log'));
    expect(ev.firstTime).toBeNull();
    expect(ev.input.format).toBe('go -x');
    expect(ev.assumptions[0]).toMatch(/no timestamps/);
    const r = ev.toRecords(0);
    expect(r.fetches.map((f) => [f.host, f.status, f.seconds, f.errorStage, f.line, f.end === null && f.error === null && f.status === null])).toEqual([
      ['proxy.golang.org', 200, 0.123, null, 2, false],
      ['proxy.golang.org', null, null, null, 4, true],
      ['goproxy.example', 404, 0.051, 'not-found', 5, false],
      ['sum.golang.org', null, null, 'connect', 7, false],
      ['private.example', null, null, 'dns', 9, false],
    ]);
    for (const f of r.fetches) { expect(f.start).toBeNull(); expect(f.end).toBeNull(); }
    expect(r.fetches[3].error).toBe('dial tcp 142.250.1.1:443: i/o timeout');
    expect(r.downloads).toEqual([{ line: 1, t: null, module: 'github.com/pkg/errors', version: 'v0.9.1', toolchain: false }]);
    expect(r.locks[0].module).toBe('vcs:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0');
    expect(r.commands.map((c) => [c.argv, c.finished, c.seconds])).toEqual([['init --bare', true, 0.006], ['ls-remote -q origin', false, null]]);
    expect(r.errors.map((e) => [e.source, e.stage, e.reason, e.module, e.line])).toEqual([
      ['x', 'connect', 'connect-timeout', null, 8],
      ['x', 'dns', 'nxdomain', null, 10],
      ['go', 'checksum-db', 'verify', 'github.com/x/y@v1.0.0', 16],
      ['go', 'checksum-db', 'verify', null, 20],
    ]);
    expect(ev.input.warnings.filter((w) => !/no timestamps/.test(w))).toEqual([]);
  });
});

describe('timed log with -json objects (the recorder prefix)', () => {
  it('json errors classified, times relative to t0, stdout objects and stderr lines together', async () => {
    const ev = await loadGoLog(join(fixtures, 'json-errors.log'));
    expect(ev.input.format).toBe('go -x (timestamped), -json');
    expect(ev.firstTime).toBe(1764045000);
    expect(ev.lastTime).toBe(1764045000.02);
    const r = ev.toRecords(1764044999);
    expect(r.fetches).toEqual([{
      url: 'https://proxy.golang.org/github.com/pkg/errors/@v/v0.9.1.zip', host: 'proxy.golang.org', start: 1, end: 1.01, status: null,
      error: 'proxyconnect tcp: dial tcp 10.0.0.1:3128: connect: connection refused', seconds: null, errorStage: 'proxy-connect', line: 1,
    }]);
    expect(r.modules.map((m) => [m.path, m.version, m.error !== null, m.line])).toEqual([
      ['github.com/pkg/errors', 'v0.9.1', true, 3], ['golang.org/x/text', 'v0.14.0', false, 8], ['example.com/Private/x', 'v1.2.3', true, 15],
    ]);
    expect(r.errors.map((e) => [e.source, e.stage, e.module, e.t])).toEqual([
      ['x', 'proxy-connect', null, 1.01],
      ['json', 'proxy-connect', 'github.com/pkg/errors@v0.9.1', 1.011],
      ['json', 'not-found', 'example.com/Private/x@v1.2.3', 1.013],
      ['go', 'toolchain', null, 1.02],
    ]);
  });
});

describe('real SIGQUIT dumps of go 1.19 (canonicalised)', () => {
  it('blocked on the module cache lock (untimed -x log): the flock goroutine says cache-lock', async () => {
    const ev = await loadGoLog(join(fixtures, 'sigquit-lock-go1.19.txt'));
    expect(ev.input.format).toBe('go -x, goroutine dump');
    const g = ev.toRecords(0).goroutines;
    expect(g.map((x) => [x.id, x.state, x.waitsOn])).toEqual([[7, 'syscall', 'cache-lock'], [1, 'chan send', 'other'], [2, 'force gc (idle)', 'other']]);
    expect(g[0].frame).toBe('syscall.Flock');
    expect(g[0].frames.slice(0, 3)).toEqual(['syscall.Syscall', 'syscall.Flock', 'cmd/go/internal/lockedfile/internal/filelock.lock']);
  });
  it('stalled in DNS (go resolver, silent name server): resolver goroutines say dns', async () => {
    const ev = await loadGoLog(join(fixtures, 'sigquit-dns-go1.19.txt'));
    const r = ev.toRecords(0);
    expect(r.fetches).toEqual([expect.objectContaining({ host: 'proxy.example.test', end: null, status: null, error: null, line: 1 })]);
    expect(r.goroutines.map((g) => [g.id, g.state, g.waitsOn, g.frame])).toEqual([
      [19, 'select', 'connect', 'net/http.(*Transport).getConn'],
      [20, 'select', 'dns', 'net.(*Resolver).lookupIPAddr'],
      [21, 'chan receive', 'dns', 'net.(*Resolver).goLookupIPCNAMEOrder.func4'],
      [22, 'IO wait', 'dns', 'net.dnsPacketRoundTrip'],
      [23, 'IO wait', 'dns', 'net.dnsPacketRoundTrip'],
    ]);
  });
  it('proxy never answering the zip (timed): open fetch + roundTrip goroutine', async () => {
    const ev = await loadGoLog(join(fixtures, 'sigquit-http-hang-go1.19.log'));
    const r = ev.toRecords(1764045000);
    expect(r.fetches.map((f) => [f.url.split('/').pop(), f.status, f.end])).toEqual([['v1.0.0.mod', 200, 0.006], ['v1.0.0.info', 200, 0.008], ['v1.0.0.zip', null, null]]);
    expect(r.fetches[2].start).toBe(0.008);
    expect(r.goroutines.map((g) => [g.id, g.waitsOn])).toEqual([[0, 'other'], [1, 'other'], [9, 'other'], [10, 'other'], [18, 'proxy-response']]);
    expect(ev.lastTime! - ev.firstTime!).toBeCloseTo(1.047, 6);
    expect(ev.input.warnings.filter((w) => !/timestamp/.test(w))).toEqual([]);
  });
});

describe('toolchain switch (go 1.21+)', () => {
  it('`go: downloading go1.22.1 (linux/amd64)` is a toolchain download', async () => {
    const ev = await loadGoLog(await file('tc.log', 'go: downloading go1.22.1 (linux/amd64)\n# get https://proxy.golang.org/golang.org/toolchain/@v/v0.0.1-go1.22.1.linux-amd64.zip\n'));
    const r = ev.toRecords(0);
    expect(r.downloads).toEqual([{ line: 1, t: null, module: 'golang.org/toolchain', version: 'go1.22.1', toolchain: true }]);
    expect(r.fetches[0]).toMatchObject({ host: 'proxy.golang.org', end: null });
  });
});

describe("go's messages", () => {
  it('a message is an error by go\'s words, not by a module called errors', async () => {
    const ev = await loadGoLog(await file('msg.log', 'go: added github.com/pkg/errors v0.9.1\ngo: github.com/x/y@v1.0.0: invalid version: unknown revision v1.0.0\n'));
    expect(ev.toRecords(0).errors.map((e) => [e.line, e.stage])).toEqual([[2, 'not-found']]);
  });

  it("go's errors about a module or a go.mod line are errors whatever their words; they point at no stage", async () => {
    const ev = await loadGoLog(await file('own.log', [
      'go: downloading example.com/ok v1.0.0',
      'go: example.com/x.@v1.0.0: malformed module path "example.com/x.": trailing dot in path element',
      'go: example/x@v1.0.0: malformed module path "example/x": missing dot in first path element',
      'go: example.com/y@v1: module lookup disabled by GOPROXY=off',
      'go: errors parsing go.mod:',
      '/src/m/go.mod:5: unknown directive: foo',
      'go: found example.com/z in example.com/z v1.0.0',
      'go: warning: "all" matched no packages; unknown pattern',
    ].join('\n') + '\n'));
    expect(ev.toRecords(0).errors.map((e) => [e.line, e.stage, e.module])).toEqual([
      [2, null, 'example.com/x.@v1.0.0'], [3, null, 'example/x@v1.0.0'], [4, null, 'example.com/y@v1'], [5, null, null], [6, null, null],
    ]);
  });
});

describe("go's errors about how it was run (go 1.19.8's own lines)", () => {
  // Each run's whole output, printed by go 1.19.8 in a temporary folder with GOPROXY=off.
  const runs: Array<[string, string[], string[]]> = [
    ['go mod download, no go.mod', ["go: no modules specified (see 'go help mod download')"], ["go: no modules specified (see 'go help mod download')"]],
    ['go mod tidy, no go.mod', ["go: go.mod file not found in current directory or any parent directory; see 'go help modules'"],
      ["go: go.mod file not found in current directory or any parent directory; see 'go help modules'"]],
    ['go build ./..., no go.mod', ['pattern ./...: directory prefix . does not contain main module or its selected dependencies'],
      ['pattern ./...: directory prefix . does not contain main module or its selected dependencies']],
    ['go mod download -nosuchflag', [
      'flag provided but not defined: -nosuchflag', 'usage: go mod download [-x] [-json] [-reuse=old.json] [modules]', "Run 'go help mod download' for details.",
    ], ['flag provided but not defined: -nosuchflag']],
    ['go nosuchcmd', ['go nosuchcmd: unknown command', "Run 'go help' for usage."], ['go nosuchcmd: unknown command']],
    ['GOFLAGS=-nosuchflag', ['go: parsing $GOFLAGS: unknown flag -nosuchflag'], ['go: parsing $GOFLAGS: unknown flag -nosuchflag']],
    ['GOFLAGS=nosuchflag', ['go: parsing $GOFLAGS: non-flag "nosuchflag"'], ['go: parsing $GOFLAGS: non-flag "nosuchflag"']],
    ['GO111MODULE=off', ["go: modules disabled by GO111MODULE=off; see 'go help modules'"], ["go: modules disabled by GO111MODULE=off; see 'go help modules'"]],
    ['go build, GOFLAGS=-mod=vendor, no vendor folder', [
      'go: inconsistent vendoring in /tmp/m:',
      '\texample.com/dep@v1.0.0: is explicitly required in go.mod, but not marked as explicit in vendor/modules.txt',
      '',
      '\tTo ignore the vendor directory, use -mod=readonly or -mod=mod.',
      '\tTo sync the vendor directory, run:',
      '\t\tgo mod vendor',
    ], ['go: inconsistent vendoring in /tmp/m:']],
  ];
  for (const [name, lines, errors] of runs) {
    it(`${name}: an error that points at no stage; plain, every line is go output`, async () => {
      const timed = await loadGoLog(await file('run.log', lines.map((l, i) => `${1700000000 + i} E ${l}`).join('\n') + '\n'));
      expect(timed.toRecords(1700000000).errors.map((e) => [e.text, e.stage])).toEqual(errors.map((e) => [e, null]));
      const plain = await loadGoLog(await file('plain.log', lines.join('\n') + '\n'));
      expect(plain.toRecords(0).errors.map((e) => e.text)).toEqual(errors);
    });
  }
});

describe('bad go logs', () => {
  it('not a go log: GoLogFormatError, one line, file and line named', async () => {
    const p = await file('notgo.txt', '\n<html>\n<body>hello</body>\n');
    const err = await loadGoLog(p).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GoLogFormatError);
    expect(isUserFacing(err)).toBe(true);
    expect((err as Error).message).toBe(`${p}: line 2: not a go log: no line looks like go output (first: "<html>")`);
  });
  it('binary junk only: GoLogFormatError', async () => {
    const err = await loadGoLog(await file('bin', Buffer.from([0, 1, 2, 3, 10, 0, 0xff]))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GoLogFormatError);
  });
  it('binary junk between go lines: a warning; truncated last line: a warning, the open fetch stays open', async () => {
    const data = Buffer.concat([
      Buffer.from('# get https://p.example/a/@v/list\n'), Buffer.from([0, 1, 2, 0xfe, 10]), Buffer.from('# get https://p.example/a/@v/list: 200 OK (0.01s)\n# get https://p.example/a/@v/v1.zip\n# get https://p.ex'),
    ]);
    const ev = await loadGoLog(await file('mixed', data));
    expect(ev.input.warnings).toContain('1 line(s) with binary bytes skipped (first: line 2)');
    expect(ev.input.warnings).toContain('last line has no newline (the log was cut while go wrote it)');
    const f = ev.toRecords(0).fetches;
    expect(f.map((x) => [x.status, x.line])).toEqual([[200, 1], [null, 4], [null, 5]]);
  });
  it('empty go log: warning only (go mod download prints nothing without -x)', async () => {
    const ev = await loadGoLog(await file('empty.log', ''));
    expect(ev.input.warnings[0]).toMatch(/empty/);
    expect(ev.toRecords(0).fetches).toEqual([]);
  });
  it('an unclosed or broken -json object: a warning naming the line', async () => {
    const ev = await loadGoLog(await file('json.log', '{\n\t"Path": "a",\n\t"Version": oops\n}\n{\n\t"Path": "b"\n'));
    expect(ev.input.warnings.join('\n')).toMatch(/line 1: -json object does not parse[\s\S]*line 5: -json object not closed/);
  });
  it('a result line whose start is missing (log began late) is kept', async () => {
    const ev = await loadGoLog(await file('late.log', '1764045000.5 E # get https://p.example/x: 200 OK (0.250s)\n'));
    expect(ev.toRecords(1764045000).fetches[0]).toMatchObject({ start: 0.25, end: 0.5, status: 200 });
  });
  it('a 1-million-line log streams', async () => {
    const line = '1764045000.000000 E # get https://proxy.golang.org/github.com/x/y/@v/v1.0.0.mod: 200 OK (0.010s)\n';
    const chunk = line.repeat(10_000);
    const p = join(dir, 'big.log');
    const { createWriteStream } = await import('node:fs');
    const out = createWriteStream(p);
    for (let i = 0; i < 100; i++) if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
    await new Promise<void>((r) => out.end(() => r()));
    const t = Date.now();
    const ev = await loadGoLog(p);
    expect(ev.input.lines).toBe(1_000_000);
    // Results without a start line are each kept, up to the cap.
    expect(ev.toRecords(0).fetches).toHaveLength(10_000);
    expect(ev.input.warnings.join('\n')).toMatch(/record limit reached: 990000 more line\(s\) not kept/);
    console.log(`go log 1M lines: ${((Date.now() - t) / 1000).toFixed(2)} s`);
  }, 120_000);
});

describe('an empty go log', () => {
  it('is a warning that does not tell to add -x (record always runs go with -x: then go fetched nothing)', async () => {
    const ev = await loadGoLog(await file('empty.log', ''));
    expect(ev.input.warnings).toHaveLength(1);
    expect(ev.input.warnings[0]).toMatch(/^go log is empty: go printed nothing \(with -x, as record runs it, go fetched nothing/);
    expect(ev.input.warnings[0]).not.toMatch(/; add -x\)$/);
  });
});
