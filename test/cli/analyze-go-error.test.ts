/**
 * `gomod-trace analyze` when go failed with an error of its own (a malformed module path, a go.mod
 * it cannot parse) and the evidence shows no network stall: go's error is the verdict, not "OK".
 * Through the built CLI (npm run build first); `record` with the real go and tcpdump (needs root).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSynStall } from './pcap-fixture.js';
import { which } from '../../src/record/tools.js';

const BIN = fileURLToPath(new URL('../../bin/gomod-trace', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'gomod-trace-go-error-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const analyze = (...args: string[]) => spawnSync(BIN, ['analyze', ...args], { encoding: 'utf8', timeout: 30_000 });
const write = (name: string, lines: string[]): string => {
  const p = join(dir, name);
  writeFileSync(p, lines.join('\n') + '\n');
  return p;
};

const MOD = 'https://proxy.golang.org/example.com/ok/@v/v1.0.0.mod';
const HEALTHY = [`# get ${MOD}`, `# get ${MOD}: 200 OK (0.012s)`];
const MALFORMED = 'go: example.com/x.@v1.0.0: malformed module path "example.com/x.": trailing dot in path element';

describe("analyze: go's own error", () => {
  it('a malformed module path after a healthy fetch: FAILED (no stage named), quoting go, not OK (exit 0)', () => {
    const r = analyze('--go-log', write('malformed.log', [...HEALTHY, MALFORMED]));
    expect(r.status, r.stderr).toBe(0);
    const text = r.stdout.replace(/\n\s+/g, ' ');
    expect(text).toMatch(/^✖ FAILED: go failed with an error of its own, and the evidence shows no network stall or failure/);
    expect(text).toContain(`go said: ${MALFORMED}`);
    expect(text).toContain("Read go's error and fix what it names");
    expect(r.stdout).not.toMatch(/✔ OK|No stall found/);
    const json = JSON.parse(analyze('--go-log', join(dir, 'malformed.log'), '--format', 'json').stdout);
    expect(json.verdict).toMatchObject({ stage: 'unknown', state: 'failed', evidence: [{ source: 'go', ref: 'line 3', text: MALFORMED }] });
    // The other formats' headings name no stage either.
    expect(analyze('--go-log', join(dir, 'malformed.log'), '--format', 'md').stdout.split('\n')[0]).toBe('### gomod-trace: failed');
    expect(analyze('--go-log', join(dir, 'malformed.log'), '--format', 'html').stdout).toContain('<title>gomod-trace: failed</title>');
  });

  it('a go.mod go cannot parse: both of its lines quoted', () => {
    const r = analyze('--go-log', write('gomod.log', ['go: errors parsing go.mod:', '/src/m/go.mod:5: unknown directive: foo']), '--format', 'json');
    expect(r.status, r.stderr).toBe(0);
    const { verdict } = JSON.parse(r.stdout);
    expect(verdict).toMatchObject({ stage: 'unknown', state: 'failed' });
    expect(verdict.summary).toMatch(/go said: go: errors parsing go\.mod: \/src\/m\/go\.mod:5: unknown directive: foo$/);
  });

  it('a go command go does not know (go 1.19.8\'s lines): the hint is about the command line', () => {
    const r = analyze('--go-log', write('nosuchcmd.log', ['go nosuchcmd: unknown command', "Run 'go help' for usage."]));
    expect(r.status, r.stderr).toBe(0);
    const text = r.stdout.replace(/\n\s+/g, ' ');
    expect(text).toContain("the cause is go's command line (a command or flag go does not know), not the network. go said: go nosuchcmd: unknown command");
    expect(text).toContain('go does not know a command or flag it was given: check the go command line');
    expect(text).not.toContain('module path');
  });

  it('a real network stall still wins over go\'s own error', () => {
    const pcap = join(dir, 'syn.pcap');
    writeSynStall(pcap);
    const { verdict } = JSON.parse(analyze(pcap, '--go-log', write('stall.log', [MALFORMED]), '--format', 'json').stdout);
    expect(verdict).toMatchObject({ stage: 'connect', state: 'stalled' });
  });

  it('a classified error keeps its verdict; a healthy run is still OK', () => {
    const url = 'https://proxy.golang.org/corp.example/m/@v/v1.0.0.mod';
    const notFound = analyze('--go-log', write('404.log', [`# get ${url}`, `# get ${url}: 404 Not Found (0.020s)`, `go: corp.example/m@v1.0.0: reading ${url}: 404 Not Found`]));
    expect(notFound.stdout.split('\n')[0]).toBe('✖ FAILED at not-found: proxy.golang.org does not have /corp.example/m/@v/v1.0.0.mod (404).');
    const healthy = analyze('--go-log', write('healthy.log', HEALTHY));
    expect(healthy.status, healthy.stderr).toBe(0);
    expect(healthy.stdout.split('\n')[0]).toMatch(/^✔ OK: No stall found/);
  });

  it("a bundle whose meta.json says go exited 1: go's failure even with no error line; exit 0 is OK", () => {
    for (const [name, code] of [['exit1', 1], ['exit0', 0]] as const) {
      const bundle = join(dir, name);
      mkdirSync(bundle);
      const t = 1764045000;
      writeFileSync(join(bundle, 'go.log'), HEALTHY.map((l, i) => `${t + i * 0.01} E ${l}\n`).join(''));
      writeFileSync(join(bundle, 'meta.json'), JSON.stringify({
        schema: 'gomod-trace/bundle', version: 1, start: { epoch: t }, end: { epoch: t + 1 },
        exit: { code, signal: null, status: code }, stoppedBy: 'go-exited',
      }));
      const r = analyze(bundle);
      expect(r.status, r.stderr).toBe(0);
      if (code === 1) expect(r.stdout.split('\n')[0]).toMatch(/^✖ FAILED: go exited with status 1, and the evidence shows no network stall or failure/);
      else expect(r.stdout.split('\n')[0]).toMatch(/^✔ OK: No stall found/);
    }
  });
});

const canRecord = ['go', 'tcpdump'].every((t) => which(t) !== null) && process.getuid?.() === 0;

describe.skipIf(!canRecord)('record in a folder without go.mod (real go and tcpdump; needs root)', () => {
  it("go's own line is the verdict, quoted by record and by analyze of the bundle", () => {
    const work = join(dir, 'no-go-mod');
    mkdirSync(join(work, 'home'), { recursive: true });
    const bundle = join(work, 'bundle');
    const env = {
      PATH: process.env.PATH ?? '', LANG: 'C.UTF-8', HOME: join(work, 'home'), GOPATH: join(work, 'gopath'),
      GOMODCACHE: join(work, 'gopath', 'pkg', 'mod'), GOCACHE: join(work, 'gocache'), GOPROXY: 'off', GOFLAGS: '', GOTOOLCHAIN: 'local',
    };
    const r = spawnSync(BIN, ['record', '--no-progress', '-i', 'lo', '-f', 'udp port 9', '-o', bundle], { cwd: work, env, encoding: 'utf8', timeout: 60_000 });
    // go 1.19 (go mod download with no go.mod and no module named): exit 1 and this one line.
    const line = "go: no modules specified (see 'go help mod download')";
    expect(r.status, r.stderr).toBe(1);
    const text = r.stdout.replace(/\n\s+/g, ' ');
    expect(text).toMatch(/^✖ FAILED: go failed with an error of its own, and the evidence shows no network stall or failure/);
    expect(text).toContain(`go said: ${line}`);
    expect(text).toContain("go found no go.mod in the folder it ran in or any folder above it: run it in your module's folder");
    const { verdict } = JSON.parse(analyze(bundle, '--format', 'json').stdout);
    expect(verdict).toMatchObject({ stage: 'unknown', state: 'failed' });
    expect(verdict.evidence).toContainEqual({ source: 'go', ref: 'line 1', text: line });
    expect(verdict.summary).toContain(`go said: ${line}`);
  });
});
