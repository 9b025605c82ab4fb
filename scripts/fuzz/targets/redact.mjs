/**
 * Target: `gomod-trace redact` (redactCapture): a capture in, a capture with payloads cut out.
 * The output must be a capture we read back, with the same packets in the same order (same times,
 * interfaces and wire lengths) and no packet longer than it came in.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { readCaptureBytes } from '../../../dist/capture/reader.js';
import { CaptureFormatError } from '../../../dist/capture/types.js';
import { writePcap } from '../../../dist/capture/writer.js';
import { isUserFacing } from '../../../dist/cli/errors.js';
import { redactCapture } from '../../../dist/share/redact-capture.js';
import { cleanUpOnExit, scratchDir } from '../scratch.mjs';
import * as pcap from './pcap.mjs';
import * as pcapng from './pcapng.mjs';
import * as conv from './conversations.mjs';

cleanUpOnExit();
const dir = scratchDir(`redact-${threadId}`);

export const cover = ['/dist/share/'];
export const maxLen = 32 * 1024;
export const dictionary = [...pcap.dictionary, ...pcapng.dictionary, ...conv.dictionary];

export function expected(err) {
  return (err instanceof CaptureFormatError || isUserFacing(err)) && !err.message.includes('\n');
}

/** The conversations seeds (raw IP packet records) as pcap files with link type RAW. */
function rawIpCapture(b) {
  const packets = [];
  let o = 0, ms = 0;
  while (o + 3 <= b.length) {
    ms += b[o];
    const n = (b[o + 1] << 8) | b[o + 2];
    packets.push({ tsSec: 1_700_000_000 + Math.floor(ms / 1000), tsNsec: (ms % 1000) * 1e6, data: b.subarray(o + 3, o + 3 + n) });
    o += 3 + n;
  }
  return writePcap(packets, { linkType: 101 });
}

export function seeds() {
  return [...pcap.seeds(), ...pcapng.seeds(), ...conv.seeds().map(rawIpCapture)];
}

async function packets(bytes) {
  const out = [];
  await readCaptureBytes(bytes, 'x', (p) => out.push({ t: `${p.tsSec}.${p.tsNsec}`, iface: p.interfaceId, wire: p.originalLength, len: p.capturedLength }));
  return out;
}

export async function run(b) {
  const ng = b.length >= 4 && b[0] === 0x0a && b[1] === 0x0d;
  const input = join(dir, ng ? 'in.pcapng' : 'in.pcap');
  const output = join(dir, ng ? 'out.pcapng' : 'out.pcap');
  writeFileSync(input, b);
  const r = await redactCapture(input, output, {});
  const before = await packets(b);
  const after = await packets(new Uint8Array(readFileSync(output)));
  if (after.length !== before.length || r.packets !== before.length) throw new Error(`invariant: ${before.length} packets in, ${after.length} read back, ${r.packets} reported`);
  for (let i = 0; i < before.length; i++) {
    const x = before[i], y = after[i];
    if (x.t !== y.t || x.wire !== y.wire || x.iface !== y.iface || y.len > x.len) {
      throw new Error(`invariant: packet ${i + 1} changed: ${JSON.stringify(x)} in, ${JSON.stringify(y)} out`);
    }
  }
}
