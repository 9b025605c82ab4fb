/**
 * The real pipeline on real recordings: go 1.19 against misbehaving loopback servers, captured with
 * tcpdump (or dumpcap) filtered to this test's own 127.x.y.1, then `analyze` and its verdict.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { analyze } from '../../src/timeline/analyze.js';
import { parseCaptureStats } from '../../src/record/capture.js';
import type { Report } from '../../src/report/schema.js';
import {
  HAVE_TOOLS, cleanup, holdLock, randomLoopback, runGo, startBlackhole, startDns, startForwardProxy,
  requestSeen, startHttpGoProxy, startSink, startTcpdump, tempDir,
} from './e2e.js';

afterEach(async () => { await cleanup(); });

/** What to print when a verdict is not the expected one. */
function why(r: Report): string {
  return `${r.verdict.summary} | packets ${r.inputs[0]?.packets} | ` +
    r.connections.map((c) => `${c.uid} ${c.client}>${c.server} ${c.state} ${c.history} http=${c.http.map((h) => `${h.target}:${h.status}`).join(',')}`).join('; ');
}

async function record(host: string, go: Parameters<typeof runGo>[0], o: { iface?: string; dumpcap?: boolean } = {}): Promise<{ report: Report; stderr: string }> {
  const dir = tempDir();
  const file = join(dir, o.dumpcap ? 'capture.pcapng' : 'capture.pcap');
  const cap = await startTcpdump({ iface: o.iface, filter: `host ${host}`, file, dumpcap: o.dumpcap });
  const run = await runGo(go);
  await cap.stop();
  // A capture that lost packets is not the recording the verdict is about: say so plainly.
  expect(parseCaptureStats(cap.stderr()).droppedByKernel ?? 0, cap.stderr()).toBe(0);
  const report = await analyze({ capture: file });
  return { report, stderr: run.stderr };
}

describe.skipIf(!HAVE_TOOLS)('analyze real recordings of go mod download', () => {
  it('TLS server that never sends a ServerHello → tls stalled at its address', async () => {
    const host = randomLoopback();
    const hello = requestSeen(/./);
    const port = await startSink(host, 'silent', hello.seen);
    const { report } = await record(host, { goproxy: `https://${host}:${port}`, killAfterMs: 3000, killWhen: { event: hello.reached } });
    expect(report.verdict).toMatchObject({ stage: 'tls', state: 'stalled', address: `${host}:${port}` });
    expect(report.verdict.waited!).toBeGreaterThan(2);
  });

  it('TLS reset right after the ClientHello → tls failed', async () => {
    const host = randomLoopback();
    const hello = requestSeen(/./);
    const port = await startSink(host, 'reset', hello.seen);
    const { report } = await record(host, { goproxy: `https://${host}:${port}`, killAfterMs: 2000, killWhen: { event: hello.reached } });
    expect(report.verdict).toMatchObject({ stage: 'tls', state: 'failed', address: `${host}:${port}` });
  });

  it('DNS server that never answers → dns stalled for the GOPROXY host', async () => {
    const host = randomLoopback();
    const query = requestSeen(/./);
    await startDns(host, 'silent', query.seen);
    const { report } = await record(host, { goproxy: 'https://goproxy.lab.test', nameserver: host, killAfterMs: 7000, killWhen: { event: query.reached } });
    // (Seen failing twice under heavy parallel load, never alone: the summary says what was found instead.)
    expect(report.verdict, `${report.verdict.summary} | findings: ${report.findings.map((f) => `${f.stage}/${f.state}`).join(', ')}`)
      .toMatchObject({ stage: 'dns', state: 'stalled', host: 'goproxy.lab.test', address: `${host}:53` });
  });

  it('NXDOMAIN → dns failed', async () => {
    const host = randomLoopback();
    const query = requestSeen(/./);
    await startDns(host, 'nxdomain', query.seen);
    const { report } = await record(host, { goproxy: 'https://goproxy.lab.test', nameserver: host, killAfterMs: 7000, killWhen: { event: query.reached } });
    expect(report.verdict).toMatchObject({ stage: 'dns', state: 'failed', host: 'goproxy.lab.test' });
  });

  it('connect black-holed (full accept queue) → connect stalled', async () => {
    const host = randomLoopback();
    const port = await startBlackhole(host);
    const { report } = await record(host, { goproxy: `http://${host}:${port}`, killAfterMs: 4000 });
    expect(report.verdict).toMatchObject({ stage: 'connect', state: 'stalled', address: `${host}:${port}` });
  });

  it('GOPROXY over plain HTTP silent on the .zip after .info/.mod → proxy-response stalled', async () => {
    const host = randomLoopback();
    const zip = requestSeen(/\.zip$/);
    const port = await startHttpGoProxy(host, { hang: /\.zip$/, seen: zip.seen });
    const { report } = await record(host, { goproxy: `http://${host}:${port}`, killAfterMs: 3000, killWhen: { event: zip.reached } });
    expect(report.verdict).toMatchObject({ stage: 'proxy-response', state: 'stalled', address: `${host}:${port}` });
    expect(report.verdict.summary).toContain('/example.com/m/@v/v1.0.0.zip');
    expect(report.verdict.confidence).toBeGreaterThanOrEqual(0.75);
  });

  it('the same over tcpdump -i any: every connection once, same verdict', async () => {
    const host = randomLoopback();
    const zip = requestSeen(/\.zip$/);
    const port = await startHttpGoProxy(host, { hang: /\.zip$/, seen: zip.seen });
    const { report } = await record(host, { goproxy: `http://${host}:${port}`, killAfterMs: 3000, killWhen: { event: zip.reached } }, { iface: 'any' });
    expect(report.verdict, why(report)).toMatchObject({ stage: 'proxy-response', state: 'stalled', address: `${host}:${port}` });
    const keys = report.connections.map((c) => `${c.client}>${c.server}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(report.inputs[0].linkTypes?.[0]).toMatch(/LINUX_SLL/);
  });

  it('dumpcap pcapng of a trickling body → transfer slow', async () => {
    const host = randomLoopback();
    const zip = requestSeen(/\.zip$/);
    const port = await startHttpGoProxy(host, { trickle: /\.zip$/, seen: zip.seen });
    const { report } = await record(host, { goproxy: `http://${host}:${port}`, killAfterMs: 4000, killWhen: { event: zip.reached } }, { dumpcap: true });
    expect(report.inputs[0].format).toBe('pcapng');
    expect(report.verdict).toMatchObject({ stage: 'transfer', state: 'slow', address: `${host}:${port}` });
  });

  it('forward proxy that never answers CONNECT → proxy-connect stalled; host is the target', async () => {
    const host = randomLoopback();
    const connect = requestSeen(/^CONNECT /);
    const port = await startForwardProxy(host, 'silent', connect.seen);
    const { report } = await record(host, {
      goproxy: 'https://proxy.golang.org', killAfterMs: 3000, killWhen: { event: connect.reached },
      env: { HTTPS_PROXY: `http://${host}:${port}`, NO_PROXY: '' },
    });
    expect(report.verdict).toMatchObject({ stage: 'proxy-connect', state: 'stalled', host: 'proxy.golang.org', address: `${host}:${port}` });
  });

  it('forward proxy answering 407 → proxy-connect failed with the credentials hint', async () => {
    const host = randomLoopback();
    const connect = requestSeen(/^CONNECT /);
    const port = await startForwardProxy(host, 'auth', connect.seen);
    const { report } = await record(host, {
      goproxy: 'https://proxy.golang.org', killAfterMs: 2000, killWhen: { event: connect.reached },
      env: { HTTPS_PROXY: `http://${host}:${port}`, NO_PROXY: '' },
    });
    expect(report.verdict).toMatchObject({ stage: 'proxy-connect', state: 'failed', host: 'proxy.golang.org' });
    expect(report.verdict.hints.join(' ')).toMatch(/USER:PASSWORD/);
  });

  it('healthy up to the zip (zip 404 aside): .info and .mod fetched — stalls none', async () => {
    const host = randomLoopback();
    const port = await startHttpGoProxy(host);
    const { report } = await record(host, { goproxy: `http://${host}:${port}`, killAfterMs: 5000 });
    // The lab proxy has no zip: go gets a 404 and stops. Not a stall.
    expect(['none', 'not-found']).toContain(report.verdict.stage);
    expect(report.verdict.state).not.toBe('stalled');
  });

  for (const flags of [['-f', '-ttt', '-T', '-yy', '-s', '256'], ['-f', '-tt', '-T']]) {
    it(`module cache lock held by another process, strace ${flags.join(' ')} → cache-lock stalled`, async () => {
      const host = randomLoopback();
      const info = requestSeen(/\.info$/); // go takes the version's lock after fetching .info
      const port = await startHttpGoProxy(host, { hang: /\.zip$/, seen: info.seen });
      const dir = tempDir();
      const modcache = join(dir, 'mod');
      const lockDir = join(modcache, 'cache', 'download', 'example.com', 'm', '@v');
      mkdirSync(lockDir, { recursive: true });
      const lock = join(lockDir, 'v1.0.0.lock');
      await holdLock(lock, 30);
      const straceFile = join(dir, 'strace.log');
      await runGo({ goproxy: `http://${host}:${port}`, killAfterMs: 4000, killWhen: { event: info.reached }, gomodcache: modcache, strace: { file: straceFile, flags } });
      const report = await analyze({ strace: straceFile });
      const locks = report.syscalls.filter((c) => c.kind === 'cache-lock' || c.name === 'flock').map((c) => `${c.line} ${c.text} ${c.duration} ${c.result}`);
      expect(report.verdict, `${report.verdict.summary} | ${report.inputs[0]?.lines} lines ${report.inputs[0]?.warnings.join('; ')} | ${locks.join(' / ')}`).toMatchObject({ stage: 'cache-lock', state: 'stalled' });
      // With -yy strace names the fd; with plain -tt the path comes from the openat the parser
      // tracked, which (strace parser issue, reported) is sometimes lost: then path is null.
      if (flags.includes('-yy')) expect(report.verdict.path).toBe(lock);
      else expect([lock, null]).toContain(report.verdict.path);
      expect(report.verdict.waited!).toBeGreaterThan(1);
      expect(report.verdict.evidence[0].source).toBe('strace');
    });
  }
});
