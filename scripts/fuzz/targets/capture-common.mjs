/**
 * What the pcap and pcapng targets share: read everything, check what the reader promises, and
 * read it a second time through a source that returns short reads of random sizes (as a pipe or
 * stdin does): both reads must give the same packets, summary and error.
 */
import { createHash } from 'node:crypto';
import { readCaptureBytes, readFrom } from '../../../dist/capture/reader.js';
import { CaptureFormatError } from '../../../dist/capture/types.js';
import { Rng } from '../rng.mjs';

export const cover = ['/dist/capture/'];
export const maxLen = 64 * 1024;

export function expected(err) {
  // The reader's documented failure: one line, naming the file and an offset inside (or just past) it.
  return err instanceof CaptureFormatError && !err.message.includes('\n') && err.offset >= 0;
}

/** Short reads of 1..4096 bytes, sizes from a PRNG seeded by the input (repeatable). */
class DribbleSource {
  constructor(bytes) {
    this.bytes = bytes;
    this.pos = 0;
    this.rng = new Rng(createHash('sha1').update(bytes).digest().readUInt32LE(0));
  }
  async read(buf, offset, length) {
    const want = 1 + this.rng.below(this.rng.oneIn(4) ? 16 : 4096);
    const n = Math.min(length, want, this.bytes.length - this.pos);
    buf.set(this.bytes.subarray(this.pos, this.pos + n), offset);
    this.pos += n;
    return n;
  }
  async close() {}
}

function describePacket(p) {
  return `${p.frame} ${p.tsSec}.${p.tsNsec} if${p.interfaceId} lt${p.linkType} ${p.capturedLength}/${p.originalLength} @${p.fileOffset} ${createHash('sha1').update(p.data).digest('hex').slice(0, 12)}${p.noTimestamp ? ' nots' : ''}`;
}

async function outcome(read) {
  const packets = [];
  try {
    const s = await read((p) => packets.push(describePacket(p)));
    return { packets, summary: JSON.stringify(s) };
  } catch (err) {
    if (!(err instanceof CaptureFormatError)) throw err;
    return { packets, error: err.message };
  }
}

export async function readAll(bytes) {
  let packets = 0, dataBytes = 0;
  const whole = await outcome((cb) => readCaptureBytes(bytes, 'fuzz.cap', (p) => {
    packets++;
    dataBytes += p.data.length;
    if (p.data.length !== p.capturedLength) throw new Error(`invariant: data.length ${p.data.length} != capturedLength ${p.capturedLength}`);
    if (!(p.tsNsec >= 0 && p.tsNsec < 1e9) && !p.noTimestamp) throw new Error(`invariant: tsNsec ${p.tsNsec} out of range`);
    cb(p);
  }, { chunkSize: 64 * 1024 }));
  if (dataBytes > bytes.length) throw new Error(`invariant: ${dataBytes} packet bytes from a ${bytes.length}-byte file`);
  if (whole.summary) {
    const s = JSON.parse(whole.summary);
    if (s.packets !== packets) throw new Error(`invariant: summary says ${s.packets} packets, callback saw ${packets}`);
    if (s.warnings.length > 100) throw new Error(`invariant: ${s.warnings.length} warnings (should be counted, not repeated)`);
  }
  const dribbled = await outcome((cb) => readFrom(new DribbleSource(bytes), 'fuzz.cap', cb, { chunkSize: 64 * 1024 }));
  const a = JSON.stringify(whole), b = JSON.stringify(dribbled);
  if (a !== b) {
    let i = 0;
    while (i < a.length && a[i] === b[i]) i++;
    throw new Error(`invariant: short reads change the result at char ${i}: whole "${a.slice(Math.max(0, i - 60), i + 60)}" vs short reads "${b.slice(Math.max(0, i - 60), i + 60)}"`);
  }
}
