/**
 * Faults while recording, with the real go, tcpdump and strace against a lab GOPROXY on a random
 * 127.77.x.1: the bundle's disk filling up (the CLI in `unshare -m` with --out on a 256 KiB
 * tmpfs), tcpdump SIGKILLed mid-run, strace failing to start and strace SIGKILLed mid-run, go
 * SIGKILLed from outside. Each asserts the message, the exit status, what is kept, and that no
 * process is left behind. Needs root.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { randomInt, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { record, type RecordOptions } from '../../src/record/index.js';
import { which } from '../../src/record/tools.js';
import { commOf, isAlive, pidsWithMarker } from '../../src/record/proctree.js';
import { UsageError } from '../../src/cli/errors.js';
import { startGoProxy, type GoProxy } from '../../src/lab/goproxy.js';
import { generateModules } from '../../src/lab/modules.js';
import { readCapture } from '../../src/capture/reader.js';
import { analyze } from '../../src/timeline/analyze.js';
import { Sink } from '../helpers/sink.js';
import { isolatedGoEnv } from '../helpers/go-env.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'gomod-trace');
const haveTools = ['go', 'tcpdump', 'strace', 'unshare', 'mount'].every((t) => which(t) !== null);
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;


/** A request for a zip that arrives after `before` requests were logged (earlier tests' count not). */
function newZipRequest(proxy: GoProxy, before: number): Promise<unknown> {
  return eventually(() => proxy.requests.slice(before).some((r) => /\.zip$/.test(r.path)), 15_000, 'a zip request');
}

async function eventually<T>(f: () => T | null | undefined | false, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Processes carrying `marker` in their command line or environment, waited for briefly. */
async function leftovers(marker: string): Promise<number[]> {
  await eventually(() => pidsWithMarker(marker).length === 0, 3000, 'no leftovers').catch(() => undefined);
  return pidsWithMarker(marker);
}

describe.skipIf(!haveTools || !isRoot)('faults while recording (real go, tcpdump, strace; needs root)', () => {
  const host = `127.77.${randomInt(1, 255)}.1`;
  let silent: GoProxy;
  let trickle: GoProxy;
  let work: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'gomod-trace-faults-'));
    silent = await startGoProxy({ host, faults: [{ kind: 'silent', match: /\.zip$/ }] });
    // A big zip sent slowly: the capture keeps growing while go waits for the rest.
    const modules = generateModules([{ path: 'lab.example/big', versions: ['v1.0.0'], padding: 1 << 20 }]);
    trickle = await startGoProxy({ host, modules, faults: [{ kind: 'trickle', match: /\.zip$/, bytes: 8192, everyMs: 20 }] });
    spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'ignore', timeout: 110_000 });
  }, 120_000);

  afterAll(async () => {
    await silent?.close();
    await trickle?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  function goEnv(name: string, proxy: GoProxy, marker: string): Record<string, string> {
    const base = join(work, name);
    mkdirSync(base, { recursive: true });
    return { ...isolatedGoEnv(base, proxy.url), GOMOD_TRACE_TEST_MARKER: marker };
  }

  function libOpts(name: string, proxy: GoProxy, marker: string, extra: RecordOptions = {}): { o: RecordOptions; bundle: string; stdout: Sink; stderr: Sink } {
    const bundle = join(work, name, 'bundle');
    const stdout = new Sink();
    const stderr = new Sink();
    return {
      bundle,
      stdout,
      stderr,
      o: {
        out: bundle,
        interface: 'lo',
        filter: `host ${host} and tcp port ${proxy.port}`,
        cwd: join(work, name),
        command: ['mod', 'download', 'lab.example/util@v0.1.0'],
        env: goEnv(name, proxy, marker),
        stdout,
        stderr,
        quitGraceMs: 2000,
        ...extra,
      },
    };
  }

  it('disk full: one line naming the file, go stopped with its dump, exit 124, what fit is kept', async () => {
    const marker = randomUUID();
    const mnt = join(work, 'full-mnt');
    const kept = join(work, 'full-kept');
    mkdirSync(mnt);
    // The tmpfs lives in the namespace only: copy what the bundle kept out before it ends.
    const script = `mount -t tmpfs -o size=256k tmpfs "$1" || exit 99; "$2" record --no-progress -o "$1/b" -i lo -f "$3" -- go mod download lab.example/big@v1.0.0; rc=$?; cp -a "$1/b" "$4"; exit $rc`;
    const child = spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script, 'sh', mnt, BIN, `host ${host} and tcp port ${trickle.port}`, kept], {
      env: { ...process.env, ...goEnv('full', trickle, marker) }, cwd: work, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (c) => (stderr += c));
    child.stdout.on('data', (c) => (stdout += c));
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const status = await new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    clearTimeout(killer);
    expect(status, stderr.replace(/^(goroutine|runtime|\t|\S+\(|created by|r[a-z0-9]+ +0x|[a-z]{2} +0x|\s*$).*\n/gm, '').slice(-3000)).toBe(124);
    expect(stderr).toMatch(/^gomod-trace: \/\S+\/b\/(capture\.pcap|go\.log): no space left on device: stopping go \(SIGQUIT for its goroutine dump first\); the bundle keeps what fit$/m);
    expect(stderr).toMatch(/^gomod-trace: go stopped by gomod-trace \(disk-full\); exit status 124/m);
    expect(stderr).toMatch(/^gomod-trace: warning: capture\.pcap: tcpdump captured \d+ packets, \d+ reached the file \(no space left on device\)$/m);
    expect(stderr).toMatch(/^gomod-trace: report\.json not written: \S+report\.json: no space left on device$/m);
    expect(stderr).not.toMatch(/internal error|\n\s+at /);
    // A report that did not fit is absent, not cut short (nor is a temporary file left).
    expect(existsSync(join(kept, 'report.json'))).toBe(false);
    for (const f of ['meta.json', 'env.json']) {
      if (existsSync(join(kept, f))) expect(() => JSON.parse(readFileSync(join(kept, f), 'utf8')), f).not.toThrow();
    }
    expect(readdirSync(kept).filter((f) => f.includes('.tmp-'))).toEqual([]);
    // Kept: the capture up to where the disk filled (it still analyses), go.log, and the verdict on stdout.
    let packets = 0;
    await readCapture(join(kept, 'capture.pcap'), () => packets++);
    expect(packets).toBeGreaterThan(5);
    expect(readFileSync(join(kept, 'go.log'), 'utf8')).toMatch(/ E # get http:\/\/\S+\/lab\.example\/big\/@v\/v1\.0\.0\.zip$/m);
    expect(stdout).toMatch(/proxy-response|body/);
    expect(await leftovers(marker)).toEqual([]);
  }, 90_000);

  it('tcpdump SIGKILLed mid-run: warned at once, go goes on until the limit, the cut capture still analyses', async () => {
    const marker = randomUUID();
    const before = silent.requests.length;
    const s = libOpts('tcpdump-killed', silent, marker, { timeout: 6 });
    const run = record(s.o);
    await newZipRequest(silent, before);
    const capFile = join(s.bundle, 'capture.pcap');
    const tcpdump = await eventually(() => pidsWithMarker(capFile).find((p) => commOf(p) === 'tcpdump'), 5000, 'tcpdump');
    process.kill(tcpdump, 'SIGKILL');
    const r = await run;
    expect(r.exitCode).toBe(124);
    expect(r.stoppedBy).toBe('timeout');
    expect(s.stderr.text).toMatch(/^gomod-trace: warning: tcpdump stopped during the recording: killed by SIGKILL; the capture ends here \(go goes on\)$/m);
    const meta = JSON.parse(readFileSync(join(s.bundle, 'meta.json'), 'utf8'));
    expect(meta.warnings.join('\n')).toMatch(/tcpdump was killed by SIGKILL; capture\.pcap ends at \d{4}-\d\d-\d\dT/);
    expect(meta.stoppedBy).toBe('timeout');
    // The go log kept going after the capture ended: the goroutine dump is there.
    expect(readFileSync(join(s.bundle, 'go.log'), 'utf8')).toMatch(/ E goroutine \d+ \[/);
    const report = await analyze({ bundleDir: s.bundle });
    expect(report.connections.length).toBeGreaterThan(0);
    expect(report.verdict.stage).toBe('proxy-response');
    expect(await leftovers(marker)).toEqual([]);
    expect(await leftovers(capFile)).toEqual([]);
  }, 60_000);

  it('strace that cannot start (a syscall set it rejects): exit 2 with its reason, before go runs', async () => {
    const marker = randomUUID();
    const before = silent.requests.length;
    const s = libOpts('strace-bad', silent, marker, { strace: true, straceSyscalls: 'no_such_syscall_xyz' });
    const err = await record(s.o).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(2);
    expect((err as Error).message, readFileSync(join(s.bundle, 'go.log'), 'utf8')).toMatch(/^strace could not run go: strace: invalid system call 'no_such_syscall_xyz'/);
    expect(silent.requests.length).toBe(before);
    expect(JSON.parse(readFileSync(join(s.bundle, 'meta.json'), 'utf8')).stoppedBy).toBe('strace-failed');
    expect(await leftovers(marker)).toEqual([]);
    expect(await leftovers(join(s.bundle, 'capture.pcap'))).toEqual([]);
  }, 60_000);

  it('strace SIGKILLed mid-run: go is stopped (dump first), exit 124, the partial strace.log is kept', async () => {
    const marker = randomUUID();
    const before = silent.requests.length;
    const s = libOpts('strace-killed', silent, marker, { strace: true, timeout: 30 });
    const t = Date.now();
    const run = record(s.o);
    await newZipRequest(silent, before);
    const straceLog = join(s.bundle, 'strace.log');
    const strace = await eventually(() => pidsWithMarker(straceLog).find((p) => commOf(p) === 'strace'), 5000, 'strace');
    const go = await eventually(() => pidsWithMarker(marker).find((p) => commOf(p) === 'go'), 5000, 'go');
    await new Promise((r) => setTimeout(r, 500));
    process.kill(strace, 'SIGKILL');
    const r = await run;
    expect(Date.now() - t).toBeLessThan(20_000);
    expect(r.exitCode).toBe(124);
    expect(r.stoppedBy).toBe('strace-died');
    expect(s.stderr.text).toMatch(/^gomod-trace: strace was killed by SIGKILL: stopping go \(SIGQUIT for its goroutine dump first\)$/m);
    expect(r.warnings.join('\n')).toMatch(/strace was killed by SIGKILL while go was running; strace\.log ends there and go was stopped/);
    expect(readFileSync(straceLog, 'utf8')).toMatch(/execve\(/);
    expect(readFileSync(join(s.bundle, 'go.log'), 'utf8')).toMatch(/ E goroutine \d+ \[/);
    expect(isAlive(go)).toBe(false);
    expect(existsSync(join(s.bundle, 'report.json'))).toBe(true);
    expect(await leftovers(marker)).toEqual([]);
  }, 60_000);

  it.skipIf(!which('setpriv'))('record itself SIGKILLed (no teardown): tcpdump closes a readable capture, go (and strace) die within seconds', async () => {
    for (const strace of [false, true]) {
      const marker = randomUUID();
      const name = strace ? 'record-killed-strace' : 'record-killed';
      const before = silent.requests.length;
      const bundle = join(work, name, 'bundle');
      const env = { ...process.env, ...goEnv(name, silent, marker) };
      const args = ['record', '--no-progress', '--no-analyze', ...(strace ? ['--strace'] : []), '-o', bundle, '-i', 'lo', '-f', `host ${host} and tcp port ${silent.port}`, '--', 'go', 'mod', 'download', 'lab.example/util@v0.1.0'];
      const child = spawn(BIN, args, { env, cwd: join(work, name), stdio: 'ignore' });
      await newZipRequest(silent, before);
      const capFile = join(bundle, 'capture.pcap');
      const tcpdump = await eventually(() => pidsWithMarker(capFile).find((p) => commOf(p) === 'tcpdump'), 5000, 'tcpdump');
      const go = await eventually(() => pidsWithMarker(marker).find((p) => commOf(p) === 'go'), 5000, 'go');
      child.kill('SIGKILL');
      await new Promise((r) => child.on('close', r));
      expect(await leftovers(marker), strace ? 'with --strace' : 'without --strace').toEqual([]);
      expect(isAlive(tcpdump) || isAlive(go)).toBe(false);
      const read = await readCapture(capFile, () => {});
      expect(read.packets).toBeGreaterThan(0);
      expect(read.warnings).toEqual([]);
    }
  }, 60_000);

  it('go SIGKILLed from outside: exit 137 as a shell reports it, complete bundle, verdict printed', async () => {
    const marker = randomUUID();
    const before = silent.requests.length;
    const s = libOpts('go-killed', silent, marker, { timeout: 30 });
    const run = record(s.o);
    await newZipRequest(silent, before);
    const go = await eventually(() => pidsWithMarker(marker).find((p) => commOf(p) === 'go'), 5000, 'go');
    const who = pidsWithMarker(marker).map((p) => `${p} ${commOf(p)} ${readFileSync(`/proc/${p}/cmdline`, 'latin1').replace(/\0/g, ' ')}`);
    process.kill(go, 'SIGKILL');
    const r = await run;
    expect(r.exitCode, who.join('\n') + `\nkilled ${go}`).toBe(128 + 9);
    expect(r.stoppedBy).toBe('go-killed:SIGKILL');
    expect(s.stderr.text).toMatch(/go was killed by SIGKILL \(not by gomod-trace\)/);
    for (const f of ['capture.pcap', 'go.log', 'env.json', 'meta.json', 'report.json', 'report.html']) expect(existsSync(join(s.bundle, f)), f).toBe(true);
    const meta = JSON.parse(readFileSync(join(s.bundle, 'meta.json'), 'utf8'));
    expect(meta.exit).toEqual({ code: null, signal: 'SIGKILL', status: 137 });
    expect(s.stdout.text).toMatch(/proxy-response/);
    expect(await leftovers(marker)).toEqual([]);
    expect(await leftovers(join(s.bundle, 'capture.pcap'))).toEqual([]);
  }, 60_000);
});
