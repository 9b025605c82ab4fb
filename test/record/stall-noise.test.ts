/**
 * --stall-after on a busy interface: another program's traffic keeps flowing through the capture
 * while go waits on a silent GOPROXY. Only go's own traffic (its sockets, found in /proc) and DNS
 * count as progress, so the stall is still caught. Real go and tcpdump; needs root.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createSocket, type Socket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { record } from '../../src/record/index.js';
import { which } from '../../src/record/tools.js';
import { randomLoopbackNet } from '../../src/lab/address.js';
import { startGoProxy, type GoProxy } from '../../src/lab/goproxy.js';
import { readCapture } from '../../src/capture/reader.js';
import { decodePacket } from '../../src/decode/packet.js';
import { isolatedGoEnv } from '../helpers/go-env.js';

const ready = ['go', 'tcpdump'].every((t) => which(t) !== null) && typeof process.getuid === 'function' && process.getuid() === 0;

describe.skipIf(!ready)('--stall-after counts only go\'s traffic (real go and tcpdump; needs root)', () => {
  let proxy: GoProxy;
  let host: string;
  let work: string;
  let noise: Socket;
  let timer: NodeJS.Timeout;

  beforeAll(async () => {
    host = `${randomLoopbackNet()}.1`;
    proxy = await startGoProxy({ host, faults: [{ kind: 'silent', match: /lab\.example\/util\/@v\/v0\.1\.0\.zip/ }] });
    work = mkdtempSync(join(tmpdir(), 'gomod-trace-stallnoise-'));
    // Another program chattering on the same address every 100 ms: inside the capture filter.
    noise = createSocket('udp4');
    await new Promise<void>((r) => noise.bind(0, host, () => r()));
    const port = noise.address().port;
    timer = setInterval(() => noise.send('tick', port, host), 100);
  });

  afterAll(async () => {
    clearInterval(timer);
    noise?.close();
    await proxy?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('stops after --stall-after although other packets keep coming', async () => {
    const bundle = join(work, 'bundle');
    const t = Date.now();
    const r = await record({
      out: bundle, interface: 'lo', filter: `host ${host}`, cwd: work,
      env: isolatedGoEnv(work, proxy.url),
      command: ['mod', 'download', 'lab.example/util@v0.1.0'], stallAfter: 2, timeout: 30, stdout: null, stderr: null, quitGraceMs: 2000,
    });
    expect(r.stoppedBy).toBe('stall');
    expect(r.exitCode).toBe(124);
    expect(Date.now() - t).toBeLessThan(20_000);
    // The noise really was in the capture, right up to the stop.
    let udp = 0;
    let lastUdp = 0;
    await readCapture(join(bundle, 'capture.pcap'), (raw) => {
      const p = decodePacket(raw);
      if (p.udp) { udp++; lastUdp = p.t; }
    });
    expect(udp).toBeGreaterThan(20);
    const meta = JSON.parse(readFileSync(join(bundle, 'meta.json'), 'utf8')) as { end: { epoch: number } };
    expect(meta.end.epoch - lastUdp).toBeLessThan(3);
  }, 40_000);
});
