import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, rmSync, mkdirSync, chmodSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { record, type RecordOptions } from '../../src/record/index.js';
import { UsageError } from '../../src/cli/errors.js';
import { makeFakes, eventually, type Fakes } from './fakes.js';
import { Sink } from '../helpers/sink.js';


let fakes: Fakes | null = null;
const outs: string[] = [];

afterEach(async () => {
  if (fakes) {
    // Nothing the fakes started may survive any test.
    await eventually(() => fakes!.leftovers().length === 0, 3000).catch(() => undefined);
    const left = fakes.leftovers();
    fakes.cleanup();
    fakes = null;
    expect(left, 'processes left behind').toEqual([]);
  }
  for (const o of outs.splice(0)) rmSync(o, { recursive: true, force: true });
});

function setup(extraEnv: Record<string, string> = {}, tools?: Array<'go' | 'tcpdump' | 'strace'>) {
  // A second set-up in one test: the first one's folder goes now (its processes are checked too).
  if (fakes) {
    expect(fakes.leftovers(), 'processes left behind').toEqual([]);
    fakes.cleanup();
  }
  fakes = makeFakes(tools);
  const out = mkdtempSync(join(tmpdir(), 'gomod-trace-rec-'));
  outs.push(out);
  const stdout = new Sink();
  const stderr = new Sink();
  const opts = (o: RecordOptions = {}): RecordOptions => ({
    out: join(out, 'bundle'),
    baseEnv: { ...fakes!.env, ...extraEnv },
    stdout,
    stderr,
    analyze: false,
    quitGraceMs: 1000,
    ...o,
  });
  return { out, bundle: join(out, 'bundle'), stdout, stderr, opts, fakes: fakes! };
}

function readJson(file: string): any {
  return JSON.parse(readFileSync(file, 'utf8'));
}

describe('record with fake tools', () => {
  it('records a healthy run: timestamped go.log, -x added to GOFLAGS, redacted env, meta with counts', async () => {
    const s = setup({ GOFLAGS: '-mod=mod', GOPROXY: 'https://alice:s3cret@proxy.example/mod', HTTPS_PROXY: 'http://bob:pw@10.0.0.1:3128' });
    const r = await record(s.opts());
    expect(r.exitCode).toBe(0);
    expect(r.stoppedBy).toBe('go-exited');
    const log = readFileSync(join(s.bundle, 'go.log'), 'utf8').trim().split('\n');
    for (const l of log) expect(l).toMatch(/^\d{10}\.\d{6} [OE] /);
    expect(log.some((l) => / O GOFLAGS=-mod=mod -x$/.test(l))).toBe(true);
    expect(log.some((l) => / E # get https:\/\/proxy\.example\/m\/@v\/list: 200 OK/.test(l))).toBe(true);
    // echoed live to the user's terminal, without timestamps
    expect(s.stdout.text).toContain('GOFLAGS=-mod=mod -x\n');
    expect(s.stderr.text).toContain('# get https://proxy.example/m/@v/list\n');
    const env = readFileSync(join(s.bundle, 'env.json'), 'utf8');
    expect(env).not.toContain('s3cret');
    expect(env).not.toContain('bob:pw');
    const envDoc = JSON.parse(env);
    expect(envDoc.go.GOPROXY).toBe('https://***@proxy.example/mod');
    expect(envDoc.proxy.HTTPS_PROXY).toBe('http://***@10.0.0.1:3128');
    const meta = readJson(join(s.bundle, 'meta.json'));
    expect(meta.exit).toEqual({ code: 0, signal: null, status: 0 });
    expect(meta.versions.go).toBe('go1.99.1');
    expect(meta.versions.tcpdump).toBe('9.9.9');
    expect(meta.capture).toMatchObject({ captured: 7, receivedByFilter: 9, droppedByKernel: 1, interface: 'any' });
    expect(meta.command).toEqual(['go', 'mod', 'download']);
    expect(existsSync(join(s.bundle, 'capture.pcap'))).toBe(true);
    // tcpdump was stopped (SIGINT) only after go was done
    const ev = s.fakes.readEvents();
    expect(ev.indexOf('tcpdump:start')).toBeLessThan(ev.indexOf('go:start'));
    expect(ev.indexOf('go:exit')).toBeLessThan(ev.indexOf('tcpdump:int'));
  });

  it("passes go's own exit status through", async () => {
    const s = setup({ FAKE_GO_MODE: 'exit3' });
    const r = await record(s.opts({ command: ['go', 'mod', 'download', 'example.com/m@v1.0.0'] }));
    expect(r.exitCode).toBe(3);
    expect(readJson(join(s.bundle, 'meta.json')).command).toEqual(['go', 'mod', 'download', 'example.com/m@v1.0.0']);
  });

  it('stops a stalled go after --stall-after: SIGQUIT first, dump in go.log, exit 124, children gone', async () => {
    const s = setup({ FAKE_GO_MODE: 'hang' });
    const t = Date.now();
    const r = await record(s.opts({ stallAfter: 1 }));
    expect(r.exitCode).toBe(124);
    expect(r.stoppedBy).toBe('stall');
    expect(Date.now() - t).toBeLessThan(8000);
    const log = readFileSync(join(s.bundle, 'go.log'), 'utf8');
    expect(log).toMatch(/^\d+\.\d{6} E goroutine 1 \[select\]:$/m);
    const ev = s.fakes.readEvents();
    expect(ev.indexOf('go:quit')).toBeGreaterThan(-1);
    expect(ev.indexOf('go:quit')).toBeLessThan(ev.indexOf('tcpdump:int'));
    const meta = readJson(join(s.bundle, 'meta.json'));
    expect(meta.stoppedBy).toBe('stall');
    expect(meta.exit.status).toBe(124);
    expect(s.stderr.text).toMatch(/no progress for 1 s/);
  });

  it('--timeout stops go that keeps printing (never stalls)', async () => {
    const s = setup({ FAKE_GO_MODE: 'ticking' });
    const r = await record(s.opts({ timeout: 1.5, stallAfter: 1 }));
    expect(r.exitCode).toBe(124);
    expect(r.stoppedBy).toBe('timeout');
    expect(readFileSync(join(s.bundle, 'go.log'), 'utf8')).toContain('goroutine 1 [running]:');
  });

  it('kills go that ignores SIGQUIT after the grace period, with its children', async () => {
    const s = setup({ FAKE_GO_MODE: 'ignorequit' });
    const t = Date.now();
    const r = await record(s.opts({ stallAfter: 0.5, quitGraceMs: 500 }));
    expect(r.exitCode).toBe(124);
    expect(r.goExit.signal).toBe('SIGKILL');
    expect(s.fakes.readEvents()).toContain('go:quit-ignored');
    expect(Date.now() - t).toBeLessThan(8000);
  });

  it('SIGINT during a stall stops go the same way and leaves a complete bundle', async () => {
    const s = setup({ FAKE_GO_MODE: 'hang' });
    const p = record(s.opts({ handleSignals: true }));
    await eventually(() => s.fakes.readEvents().includes('go:start'));
    process.kill(process.pid, 'SIGINT');
    const r = await p;
    expect(r.exitCode).toBe(124);
    expect(r.stoppedBy).toBe('signal:SIGINT');
    expect(readFileSync(join(s.bundle, 'go.log'), 'utf8')).toContain('goroutine 1 [select]:');
    expect(readJson(join(s.bundle, 'meta.json')).capture.captured).toBe(7);
    expect(process.listenerCount('SIGINT')).toBe(0);
  });

  it('a second Ctrl-C cuts the wait for the goroutine dump short', async () => {
    const s = setup({ FAKE_GO_MODE: 'ignorequit' });
    const p = record(s.opts({ handleSignals: true, quitGraceMs: 20_000 }));
    await eventually(() => s.fakes.readEvents().includes('go:start'));
    const t = Date.now();
    process.kill(process.pid, 'SIGINT');
    await eventually(() => s.fakes.readEvents().includes('go:quit-ignored'));
    process.kill(process.pid, 'SIGINT');
    const r = await p;
    expect(r.exitCode).toBe(124);
    expect(Date.now() - t).toBeLessThan(8000);
  });

  it('aborted before go starts: go never runs, exit 124, tcpdump gone', async () => {
    const s = setup();
    const ac = new AbortController();
    ac.abort();
    const err = await record(s.opts({ signal: ac.signal })).catch((e: unknown) => e);
    expect((err as UsageError).exitCode).toBe(124);
    expect((err as Error).message).toMatch(/during set-up: go never started; nothing recorded/);
    expect(s.fakes.readEvents()).not.toContain('go:start');
    expect(existsSync(s.bundle), 'the folder record made, with nothing recorded').toBe(false);
  });

  // Without record's handlers a SIGINT would end the test process: a no-op one stands in for the
  // default meanwhile (record then simply goes on).
  async function withSigintGuard<T>(run: () => Promise<T>): Promise<T> {
    const guard = (): void => {};
    process.on('SIGINT', guard);
    try {
      return await run();
    } finally {
      process.off('SIGINT', guard);
    }
  }

  it('Ctrl-C during set-up (go env): exit 124, one line, go never runs, no folder left', async () => {
    const s = setup({ FAKE_GO_ENV_SLEEP: '0.5' });
    const err = await withSigintGuard(async () => {
      const p = record(s.opts({ handleSignals: true })).catch((e: unknown) => e);
      await eventually(() => s.fakes.readEvents().includes('go:env'));
      process.kill(process.pid, 'SIGINT');
      return p;
    });
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(124);
    expect((err as Error).message).toBe('SIGINT received during set-up: go never started; nothing recorded');
    expect(s.fakes.readEvents()).not.toContain('go:start');
    expect(existsSync(s.bundle)).toBe(false);
    expect(s.stderr.text).toBe('');
    expect(process.listenerCount('SIGINT')).toBe(0);
  });

  it('Ctrl-C during set-up keeps an --out folder the user made, emptied of what record wrote', async () => {
    const s = setup({ FAKE_GO_ENV_SLEEP: '0.5' });
    mkdirSync(s.bundle);
    const err = await withSigintGuard(async () => {
      const p = record(s.opts({ handleSignals: true })).catch((e: unknown) => e);
      await eventually(() => s.fakes.readEvents().includes('go:env'));
      process.kill(process.pid, 'SIGINT');
      return p;
    });
    expect((err as UsageError).exitCode).toBe(124);
    expect(readdirSync(s.bundle)).toEqual([]);
  });

  it('Ctrl-C after go exited skips redaction and analysis, says so, and keeps the recording complete', async () => {
    // tcpdump, stopped once go has exited, sends the SIGINT: it lands while record stops it.
    const s = setup({ FAKE_TCPDUMP_INT_PARENT: '1' });
    const r = await withSigintGuard(() => record(s.opts({ handleSignals: true, analyze: true, redactCapture: true })));
    expect(r.exitCode).toBe(0);
    expect(r.stoppedBy).toBe('go-exited');
    expect(r.analysis).toBeNull();
    expect(s.stderr.text).not.toContain('stopping go');
    expect(s.stderr.text).toContain('SIGINT received: go has exited and the recording is complete; skipping redaction and analysis');
    expect(s.stderr.text).toContain(`analysis skipped (SIGINT received); \`gomod-trace analyze ${s.bundle}\``);
    expect(readdirSync(s.bundle).sort()).toEqual(['capture.pcap', 'env.json', 'go.log', 'meta.json']);
    expect(readJson(join(s.bundle, 'meta.json'))).toMatchObject({ stoppedBy: 'go-exited', exit: { status: 0 }, capture: { captured: 7, rawKept: true } });
    expect(r.warnings.join('\n')).toContain('capture.redacted.pcap not written (SIGINT received)');
  });

  it('an AbortSignal stops go like Ctrl-C', async () => {
    const s = setup({ FAKE_GO_MODE: 'hang' });
    const ac = new AbortController();
    const p = record(s.opts({ signal: ac.signal }));
    await eventually(() => s.fakes.readEvents().includes('go:start'));
    ac.abort();
    const r = await p;
    expect(r.exitCode).toBe(124);
    expect(r.stoppedBy).toBe('signal:abort');
  });

  it('go killed by a signal (not ours): 128+N, and the recorders still stop cleanly', async () => {
    const s = setup({ FAKE_GO_MODE: 'selfkill' });
    const r = await record(s.opts());
    expect(r.exitCode).toBe(137);
    expect(r.stoppedBy).toBe('go-killed:SIGKILL');
    expect(s.fakes.readEvents()).toContain('tcpdump:int');
    expect(readJson(join(s.bundle, 'meta.json')).exit).toEqual({ code: null, signal: 'SIGKILL', status: 137 });
  });

  it('tcpdump without permission: exit 2 before go runs, with the three fixes', async () => {
    const s = setup({ FAKE_TCPDUMP_MODE: 'perm' });
    const err = await record(s.opts()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(2);
    const msg = (err as Error).message;
    expect(msg).toContain("You don't have permission");
    expect(msg).toContain('sudo');
    expect(msg).toContain('setcap cap_net_raw,cap_net_admin=eip');
    expect(msg).toContain('--no-capture');
    expect(msg).not.toContain('\n');
    expect(s.fakes.readEvents()).not.toContain('go:start');
    expect(readJson(join(s.bundle, 'meta.json')).stoppedBy).toBe('capture-failed');
  });

  it('tcpdump that never starts listening is given up on, and killed', async () => {
    const s = setup({ FAKE_TCPDUMP_MODE: 'silent' });
    const err = await record(s.opts({ captureStartTimeoutMs: 700 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/did not start listening within 0\.7 s/);
    expect(s.fakes.readEvents()).not.toContain('go:start');
  });

  it('an unwritable --out is a one-line usage error naming the folder', async () => {
    const s = setup();
    const file = join(s.out, 'a-file');
    writeFileSync(file, 'x');
    const err = await record(s.opts({ out: join(file, 'sub') })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/--out .*a-file\/sub: .*not a directory/);
    expect(s.fakes.readEvents()).toEqual([]);
  });

  it('a non-empty --out is refused', async () => {
    const s = setup();
    mkdirSync(s.bundle);
    writeFileSync(join(s.bundle, 'old.txt'), 'x');
    await expect(record(s.opts())).rejects.toThrow(`--out ${s.bundle}: folder is not empty (1 entry); name a new or empty folder`);
    writeFileSync(join(s.bundle, 'older.txt'), 'x');
    await expect(record(s.opts())).rejects.toThrow('(2 entries)');
  });

  it('names the package to install when a tool is missing', async () => {
    const s = setup({}, ['go', 'strace']);
    await expect(record(s.opts())).rejects.toThrow(/tcpdump not found on PATH.*apt-get install tcpdump.*/);
    const s2 = setup({}, ['tcpdump']);
    await expect(record(s2.opts())).rejects.toThrow(/go not found.*golang-go/);
  });

  it('--no-capture records go alone', async () => {
    const s = setup({}, ['go']);
    const r = await record(s.opts({ capture: false }));
    expect(r.exitCode).toBe(0);
    expect(existsSync(join(s.bundle, 'capture.pcap'))).toBe(false);
    expect(readJson(join(s.bundle, 'meta.json')).capture).toBeNull();
  });

  it('--strace wraps go, and SIGQUIT still reaches go (not strace)', async () => {
    const s = setup({ FAKE_GO_MODE: 'hang' });
    const r = await record(s.opts({ strace: true, stallAfter: 1 }));
    expect(r.exitCode).toBe(124);
    expect(readFileSync(join(s.bundle, 'strace.log'), 'utf8')).toMatch(/execve/);
    expect(readFileSync(join(s.bundle, 'go.log'), 'utf8')).toContain('goroutine 1 [select]:');
    const meta = readJson(join(s.bundle, 'meta.json'));
    expect(meta.strace.command).toContain('--seccomp-bpf');
    expect(meta.versions.strace).toBe('6.1');
  });

  it.skipIf(process.getuid?.() !== 0)('under sudo: go (and go env) run as the invoking user, the bundle is theirs', async () => {
    const s = setup({ SUDO_UID: '65534', SUDO_GID: '65534', SUDO_USER: 'nobody', HOME: '/root', GOPROXY: 'https://proxy.example' });
    // the fakes must be usable by that user
    chmodSync(s.fakes.dir, 0o755);
    writeFileSync(s.fakes.events, '');
    chmodSync(s.fakes.events, 0o666);
    chmodSync(s.out, 0o777);
    const r = await record(s.opts());
    expect(r.exitCode).toBe(0);
    const uidLine = readFileSync(s.fakes.events, 'utf8').split('\n').find((l) => l.startsWith('go:uid='));
    expect(uidLine).toMatch(/^go:uid=65534:home=\/nonexistent /);
    const meta = readJson(join(s.bundle, 'meta.json'));
    expect(meta.user).toMatchObject({ uid: 65534, gid: 65534, name: 'nobody', sudo: true });
    // go env -json ran with the user's environment (the fake prints the GOPROXY it was given)
    expect(readJson(join(s.bundle, 'env.json')).go.GOPROXY).toBe('https://proxy.example');
    for (const f of ['meta.json', 'go.log', 'env.json', 'capture.pcap', '.']) expect(statSync(join(s.bundle, f)).uid, f).toBe(65534);
  });

  it('tcpdump dying mid-run: go still finishes, its status is kept, and a warning says why', async () => {
    const s = setup({ FAKE_TCPDUMP_MODE: 'die', FAKE_GO_MODE: 'ticking' });
    const r = await record(s.opts({ timeout: 1 }));
    expect(r.exitCode).toBe(124);
    expect(r.warnings.join('\n')).toMatch(/tcpdump exited with status 1: tcpdump: pcap_loop: The interface disappeared/);
    expect(readJson(join(s.bundle, 'meta.json')).warnings.join('\n')).toContain('interface disappeared');
    expect(s.stderr.text).toContain('warning: tcpdump stopped during the recording: tcpdump: pcap_loop: The interface disappeared');
  });

  it('strace unable to start go: exit 2 with strace\'s reason', async () => {
    const s = setup({ FAKE_STRACE_MODE: 'fail' });
    const err = await record(s.opts({ strace: true })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/^strace could not run go: strace: test_ptrace_get_syscall_info: PTRACE_TRACEME: Operation not permitted/);
    expect(s.fakes.readEvents()).not.toContain('go:start');
    expect(readJson(join(s.bundle, 'meta.json')).stoppedBy).toBe('strace-failed');
  });

  it('rejects bad limits before anything runs', async () => {
    const s = setup();
    await expect(record(s.opts({ timeout: -1 }))).rejects.toThrow(/--timeout must be a positive number/);
    await expect(record(s.opts({ snaplen: 10_000_000 }))).rejects.toThrow(/--snaplen/);
    expect(s.fakes.readEvents()).toEqual([]);
  });

  it('says that capture.pcap holds raw traffic, in meta.json too, and points to --redact-capture', async () => {
    const s = setup();
    const r = await record(s.opts());
    expect(r.exitCode).toBe(0);
    expect(r.redactedCapture).toBeNull();
    expect(s.stderr.text).toMatch(/^gomod-trace: \S+capture\.pcap holds the raw traffic \(payloads, cookies, tokens\): do not attach it to a public report; `gomod-trace redact DIR` \(or record --redact-capture\) writes a shareable copy$/m);
    const meta = readJson(join(s.bundle, 'meta.json'));
    expect(meta.notices).toEqual([expect.stringMatching(/^capture\.pcap holds the raw traffic/)]);
    expect(existsSync(join(s.bundle, 'capture.redacted.pcap'))).toBe(false);
  });

  it('--redact-capture writes capture.redacted.pcap next to the raw one; --drop-raw-capture removes the raw one', async () => {
    const s = setup();
    const r = await record(s.opts({ redactCapture: true }));
    expect(r.redactedCapture).toBe(join(s.bundle, 'capture.redacted.pcap'));
    expect(existsSync(join(s.bundle, 'capture.pcap'))).toBe(true);
    expect(readFileSync(join(s.bundle, 'capture.redacted.pcap')).length).toBe(24);
    expect(readJson(join(s.bundle, 'meta.json')).capture).toMatchObject({ redacted: 'capture.redacted.pcap', rawKept: true });
    expect(s.stderr.text).toMatch(/capture\.redacted\.pcap is the shareable copy \(payloads cut, credentials starred\): attach that one, not \S+capture\.pcap$/m);

    const s2 = setup();
    await record(s2.opts({ redactCapture: true, dropRawCapture: true }));
    expect(existsSync(join(s2.bundle, 'capture.pcap'))).toBe(false);
    expect(existsSync(join(s2.bundle, 'capture.redacted.pcap'))).toBe(true);
    expect(readJson(join(s2.bundle, 'meta.json')).capture).toMatchObject({ redacted: 'capture.redacted.pcap', rawKept: false });
  });

  it('a failed redaction is a warning: the raw capture and go\'s status are kept', async () => {
    const s = setup();
    // A folder where the redacted file should go: the write fails.
    mkdirSync(join(s.bundle), { recursive: true });
    const r = await record(s.opts({ redactCapture: true, dropRawCapture: true, out: s.bundle, prefix: ['/bin/sh', '-c', `/bin/mkdir "$0/capture.redacted.pcap.tmp-${process.pid}"; exec "$@"`, s.bundle] }));
    expect(r.exitCode).toBe(0);
    expect(r.redactedCapture).toBeNull();
    expect(r.warnings.join('\n')).toMatch(/could not write capture\.redacted\.pcap: .*capture\.pcap is kept \(raw traffic: do not share it\)/);
    expect(existsSync(join(s.bundle, 'capture.pcap'))).toBe(true);
  });

  it('rejects --redact-capture without a capture and --drop-raw-capture alone', async () => {
    const s = setup();
    await expect(record(s.opts({ capture: false, redactCapture: true }))).rejects.toThrow(/--redact-capture needs a capture/);
    await expect(record(s.opts({ dropRawCapture: true }))).rejects.toThrow(/--drop-raw-capture needs --redact-capture/);
    expect(s.fakes.readEvents()).toEqual([]);
  });
});
