/**
 * Redaction of real traffic: go downloading from the lab's HTTPS and plain-HTTP GOPROXY under
 * `record --redact-capture`, and curl through the lab's CONNECT proxy with credentials, captured
 * by the real tcpdump on lo (filtered to a random 127.77.x.1). Checks: the secrets and the
 * encrypted bytes are not in the redacted file, the diagnosis is the same, tshark reads it, and a
 * pcapng copy redacts the same way. Needs root, go, tcpdump, curl, openssl, tshark.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes, randomInt } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { record, type RecordOptions } from '../../src/record/index.js';
import { which } from '../../src/record/tools.js';
import { CaptureProcess } from '../../src/record/capture.js';
import { startGoProxy, type GoProxy } from '../../src/lab/goproxy.js';
import { startForwardProxy, type ForwardProxy } from '../../src/lab/proxy.js';
import { createLabCa, type LabCa } from '../../src/lab/ca.js';
import { generateModules } from '../../src/lab/modules.js';
import { readCapture } from '../../src/capture/reader.js';
import { decodePacket } from '../../src/decode/packet.js';
import { writePcapng, type PcapngPacketSpec } from '../../src/capture/writer.js';
import { redactCapture } from '../../src/share/index.js';
import { analyze } from '../../src/timeline/analyze.js';
import { differences, containsBytes } from './compare.js';
import { Sink } from '../helpers/sink.js';
import { isolatedGoEnv } from '../helpers/go-env.js';

const run = promisify(execFile);
const tools = ['go', 'tcpdump', 'curl', 'openssl', 'tshark'];
const haveTools = tools.every((t) => which(t) !== null);
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;


/** The first 32 encrypted bytes of every TLS application-data record that starts a segment. */
async function encryptedSamples(file: string): Promise<Buffer[]> {
  const out: Buffer[] = [];
  await readCapture(file, (raw) => {
    const p = decodePacket(raw);
    const b = p.tcp?.payload;
    if (b && b.length >= 64 && b[0] === 23 && b[1] === 3 && b[2] === 3) out.push(Buffer.from(b.subarray(5, 37)));
  });
  return out;
}

function tsharkReads(file: string): { ok: boolean; err: string } {
  const t = spawnSync('tshark', ['-r', file, '-q'], { encoding: 'utf8', timeout: 60_000 });
  const err = t.stderr.replace(/Running as user "root".*\n?/, '').trim();
  return { ok: t.status === 0 && !/cut short|damaged|corrupt|error/i.test(err), err };
}

describe.skipIf(!haveTools || !isRoot)('redaction of real traffic (go, curl, tcpdump on lo; needs root)', () => {
  const host = `127.77.${randomInt(1, 255)}.1`;
  const tag = randomBytes(4).toString('hex');
  const BODY_SECRET = `BODYSECRET-${tag}`;
  const GOPROXY_PASSWORD = `PWSECRET-${tag}`;
  let ca: LabCa;
  let https: GoProxy;
  let http: GoProxy;
  let fwd: ForwardProxy;
  let work: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'gomod-trace-share-e2e-'));
    ca = await createLabCa();
    const cert = await ca.issue(['goproxy.lab.example'], [host]);
    https = await startGoProxy({ host, scheme: 'https', tls: cert });
    // A body the capture must not leak: an extra field in a .info file (go ignores unknown fields).
    const modules = generateModules();
    for (const v of modules.all()) v.info = v.info.replace(/}\s*$/, `,"Note":"${BODY_SECRET}"}\n`);
    http = await startGoProxy({ host, scheme: 'http', modules });
    fwd = await startForwardProxy({ host, mode: 'tunnel' });
  }, 60_000);

  afterAll(async () => {
    await https?.close();
    await http?.close();
    await fwd?.close();
    await ca?.cleanup();
    if (work && !process.env.GOMOD_TRACE_KEEP_E2E) rmSync(work, { recursive: true, force: true });
  });

  function opts(name: string, goproxy: string, port: number, extra: RecordOptions = {}): { bundle: string; stderr: Sink; o: RecordOptions } {
    const base = join(work, name);
    mkdirSync(join(base, 'gopath'), { recursive: true });
    const stderr = new Sink();
    const bundle = join(base, 'bundle');
    return {
      bundle,
      stderr,
      o: {
        out: bundle,
        interface: 'lo',
        filter: `host ${host} and tcp port ${port}`,
        cwd: base,
        command: ['mod', 'download', 'lab.example/greet@v1.2.0'],
        env: { ...isolatedGoEnv(base, goproxy), SSL_CERT_FILE: ca.caCertPath },
        stdout: new Sink(),
        stderr,
        redactCapture: true,
        ...extra,
      },
    };
  }

  /** The bundle analysed with its raw capture, and again with only the redacted one. */
  async function bundleDiagnoses(bundle: string) {
    const shared = `${bundle}-shared`;
    cpSync(bundle, shared, { recursive: true });
    rmSync(join(shared, 'capture.pcap'), { force: true });
    const [raw, red] = await Promise.all([analyze({ bundleDir: bundle }), analyze({ bundleDir: shared })]);
    return { raw, red };
  }

  it('HTTPS GOPROXY: record --redact-capture keeps the diagnosis and drops the encrypted bytes', async () => {
    const { bundle, stderr, o } = opts('https', https.url.replace('https://', `https://tester:${GOPROXY_PASSWORD}@`), https.port);
    const r = await record(o);
    expect(r.exitCode, stderr.text).toBe(0);
    const raw = join(bundle, 'capture.pcap');
    const red = join(bundle, 'capture.redacted.pcap');
    expect(r.redactedCapture).toBe(red);
    const meta = JSON.parse(readFileSync(join(bundle, 'meta.json'), 'utf8'));
    expect(meta.capture.redacted).toBe('capture.redacted.pcap');
    expect(meta.capture.rawKept).toBe(true);
    expect(meta.notices.join('\n')).toMatch(/capture\.pcap holds the raw traffic/);
    expect(stderr.text).toMatch(/capture\.pcap holds the raw traffic.*capture\.redacted\.pcap is the shareable copy/);

    const samples = await encryptedSamples(raw);
    expect(samples.length).toBeGreaterThan(3);
    const out = readFileSync(red);
    for (const s of samples) expect(containsBytes(out, s)).toBe(false);

    const d = await bundleDiagnoses(bundle);
    expect(d.raw.connections.some((c) => c.tls?.serverHello != null && !!c.tls?.alpn?.includes('h2'))).toBe(true);
    expect(differences(d.raw, d.red)).toEqual([]);
    expect(tsharkReads(red)).toEqual({ ok: true, err: '' });

    // The same capture as pcapng: pcapng out, the same diagnosis, still no encrypted bytes.
    const ng = join(work, 'https.pcapng');
    const packets: PcapngPacketSpec[] = [];
    let linkType = 1;
    await readCapture(raw, (p) => {
      linkType = p.linkType;
      packets.push({ tsSec: p.tsSec, tsNsec: p.tsNsec, data: p.data.slice(), originalLength: p.originalLength });
    });
    writeFileSync(ng, writePcapng([{ interfaces: [{ linkType, tsresol: 9 }], packets }]));
    const ngOut = join(work, 'https.redacted.pcapng');
    const rn = await redactCapture(ng, ngOut);
    expect(rn.format).toBe('pcapng');
    const ngBytes = readFileSync(ngOut);
    for (const s of samples) expect(containsBytes(ngBytes, s)).toBe(false);
    const [a, b] = await Promise.all([analyze({ capture: raw }), analyze({ capture: ngOut })]);
    expect(differences(a, b)).toEqual([]);
    expect(tsharkReads(ngOut).ok).toBe(true);
  }, 90_000);

  it('plain-HTTP GOPROXY: bodies cut; --drop-raw-capture leaves a shareable bundle', async () => {
    // (go refuses to send GOPROXY credentials over plain HTTP: the curl test below covers headers.)
    const { bundle, stderr, o } = opts('http', http.url, http.port);
    const r = await record(o);
    expect(r.exitCode, stderr.text).toBe(0);
    const raw = readFileSync(join(bundle, 'capture.pcap'));
    expect(containsBytes(raw, BODY_SECRET), 'the .info body is in the raw capture').toBe(true);
    const red = readFileSync(join(bundle, 'capture.redacted.pcap'));
    expect(containsBytes(red, BODY_SECRET)).toBe(false);
    // Zip bodies: no 32-byte piece of any module zip survives.
    const greet = http.modules.get('lab.example/greet', 'v1.2.0')!;
    expect(containsBytes(raw, greet.zip.subarray(40, 72)), 'the zip is in the raw capture').toBe(true);
    for (const v of http.modules.all()) expect(containsBytes(red, v.zip.subarray(40, 72)), v.path).toBe(false);
    expect(containsBytes(red, 'GET /lab.example/greet/@v/v1.2.0.info HTTP/1.1')).toBe(true);
    const d = await bundleDiagnoses(bundle);
    expect(d.raw.connections.flatMap((c) => c.http).length).toBeGreaterThan(2);
    expect(differences(d.raw, d.red)).toEqual([]);
    expect(tsharkReads(join(bundle, 'capture.redacted.pcap')).ok).toBe(true);

    // --drop-raw-capture: only the redacted capture stays, and the bundle analyses from it.
    const o2 = opts('http-drop', http.url, http.port, { dropRawCapture: true });
    const r2 = await record(o2.o);
    expect(r2.exitCode, o2.stderr.text).toBe(0);
    expect(existsSync(join(o2.bundle, 'capture.pcap'))).toBe(false);
    expect(existsSync(join(o2.bundle, 'capture.redacted.pcap'))).toBe(true);
    const meta = JSON.parse(readFileSync(join(o2.bundle, 'meta.json'), 'utf8'));
    expect(meta.capture.rawKept).toBe(false);
    expect(o2.stderr.text).toMatch(/removed \(--drop-raw-capture\)/);
    const rep = JSON.parse(readFileSync(join(o2.bundle, 'report.json'), 'utf8'));
    expect(rep.inputs.find((i: { kind: string }) => i.kind === 'capture').file).toMatch(/capture\.redacted\.pcap$/);
    expect(rep.verdict.state).toBe('ok');
  }, 90_000);

  it('curl through a CONNECT proxy with credentials, and plain HTTP with Authorization, Cookie and a token', async () => {
    const file = join(work, 'curl.pcap');
    const cap = await CaptureProcess.start({ tcpdump: which('tcpdump')!, file, interface: 'lo', filter: `host ${host}` });
    const proxyUser = `puser:PROXYSECRET-${tag}`;
    try {
      // Not spawnSync: the servers live in this process and must keep answering.
      await run('curl', ['-sS', '-o', '/dev/null', '--max-time', '20', '--cacert', ca.caCertPath, '-x', `http://${proxyUser}@${host}:${fwd.port}`,
        '-H', `Cookie: session=TUNNELCOOKIE-${tag}`, `${https.url}/lab.example/util/@v/list`], { timeout: 30_000 });
      await run('curl', ['-sS', '-o', '/dev/null', '--max-time', '20', '-H', `Authorization: Bearer BEARER-${tag}-abcdef123`, '-H', `Cookie: session=COOKIE-${tag}`,
        `${http.url}/lab.example/util/@v/v0.2.0.info?token=QUERYTOKEN-${tag}`], { timeout: 30_000 });
    } finally {
      await cap.stop();
    }
    const raw = readFileSync(file);
    const secrets = [Buffer.from(proxyUser).toString('base64'), `BEARER-${tag}`, `COOKIE-${tag}`, `QUERYTOKEN-${tag}`, BODY_SECRET];
    for (const s of secrets) expect(containsBytes(raw, s), `raw holds ${s}`).toBe(true);
    const out = join(work, 'curl.redacted.pcap');
    await redactCapture(file, out);
    const red = readFileSync(out);
    for (const s of [...secrets, `TUNNELCOOKIE-${tag}`]) expect(containsBytes(red, s), s).toBe(false);
    expect(containsBytes(red, 'Proxy-Authorization: ')).toBe(true);
    expect(containsBytes(red, `CONNECT ${host}:${https.port} HTTP/1.1`)).toBe(true);
    const [a, b] = await Promise.all([analyze({ capture: file }), analyze({ capture: out })]);
    const connect = b.connections.find((c) => c.proxyConnect);
    expect(connect?.proxyConnect?.status).toBe(200);
    expect(connect?.tls?.serverHello).not.toBeNull();
    expect(differences(a, b)).toEqual([]);
    expect(tsharkReads(out).ok).toBe(true);
  }, 90_000);
});
