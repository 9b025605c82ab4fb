import { readCaptureBytes, type ReadCaptureOptions } from '../../src/capture/reader.js';
import type { CaptureSummary, RawPacket } from '../../src/capture/types.js';

export interface Kept extends Omit<RawPacket, 'data'> { data: Uint8Array }

/** Read a capture from memory, keeping a copy of every packet. */
export async function readAllBytes(bytes: Uint8Array, opts: ReadCaptureOptions = {}, name = 'test.pcap'): Promise<{ packets: Kept[]; summary: CaptureSummary }> {
  const packets: Kept[] = [];
  const summary = await readCaptureBytes(bytes, name, (p) => packets.push({ ...p, data: p.data.slice() }), opts);
  return { packets, summary };
}

export async function readError(bytes: Uint8Array, name = 'bad.pcap'): Promise<Error & { offset?: number }> {
  try {
    await readCaptureBytes(bytes, name, () => {});
  } catch (e) {
    return e as Error & { offset?: number };
  }
  throw new Error('expected the read to fail');
}
