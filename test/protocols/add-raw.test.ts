/**
 * ConversationBuilder.addRaw (what the analysis feeds: the decoder's fast lane for common TCP
 * segments, the full decoder and IP reassembly for the rest) must build exactly what the full
 * decoder into add() builds. Checked on the recorded samples, on the same packets disturbed
 * (dropped, repeated, swapped, cut short, delayed: retransmissions, holes and reordering for the
 * sequence analysis), and on the third-party corpus when ../shared is present.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readCapture } from '../../src/capture/reader.js';
import type { RawPacket } from '../../src/capture/types.js';
import { Defragmenter } from '../../src/decode/defrag.js';
import { PacketDecoder } from '../../src/decode/packet.js';
import { ConversationBuilder } from '../../src/protocols/conversations.js';
import { disturb } from '../../scripts/lib/disturb.mjs';

const ROOT = join(import.meta.dirname, '..', '..');
const SAMPLES = join(ROOT, 'samples');
const CORPUS = join(ROOT, '..', 'shared', 'corpus', 'pcaps');

/** The packets of a capture, each with its own copy of its bytes standing in for a reader's buffer. */
async function packetsOf(file: string): Promise<RawPacket[]> {
  const out: RawPacket[] = [];
  await readCapture(file, (raw) => {
    const data = raw.data.slice();
    out.push({ ...raw, data, buffer: data, bufferOffset: 0 });
  });
  return out;
}

/** The builder's records after feeding `packets` through addRaw, and through decode + reassembly + add. */
function bothWays(packets: RawPacket[]): [string, string] {
  const fast = new ConversationBuilder();
  for (const p of packets) fast.addRaw(p);
  const full = new ConversationBuilder();
  const decoder = new PacketDecoder();
  const defrag = new Defragmenter();
  for (const p of packets) {
    const d = defrag.push(decoder.decode(p));
    if (d) full.add(d);
  }
  return [JSON.stringify(fast.finish()), JSON.stringify(full.finish())];
}

const samples = readdirSync(SAMPLES).filter((d) => existsSync(join(SAMPLES, d, 'capture.pcap'))).sort();

describe('ConversationBuilder.addRaw builds what decode + add builds', () => {
  it('has recorded samples to check', () => {
    expect(samples.length).toBeGreaterThanOrEqual(20);
  });

  for (const name of samples) {
    it(`sample ${name}, as recorded and disturbed`, async () => {
      const packets = await packetsOf(join(SAMPLES, name, 'capture.pcap'));
      const [fast, full] = bothWays(packets);
      expect(fast).toBe(full);
      for (const seed of [1, 2, 3]) {
        const [f, g] = bothWays(disturb(packets, seed));
        expect(f, `disturbed, seed ${seed}`).toBe(g);
      }
    });
  }

  it.skipIf(!existsSync(CORPUS))('the third-party corpus, as captured and disturbed (../shared/corpus; skipped without it)', async () => {
    let files = 0;
    for (const f of readdirSync(CORPUS).sort()) {
      const packets = await packetsOf(join(CORPUS, f)).catch(() => null);
      if (packets === null) continue; // files the reader refuses (the corpus has broken ones on purpose)
      files++;
      const [fast, full] = bothWays(packets);
      expect(fast, f).toBe(full);
      const [g, h] = bothWays(disturb(packets, 7));
      expect(g, `${f} disturbed`).toBe(h);
    }
    expect(files).toBeGreaterThan(60);
  });
});
