/**
 * A capture's packets, disturbed the same way for the same seed: some dropped, some repeated, some
 * swapped with the next one, some cut short (a snap length), some delayed by a few seconds. Feeds the
 * paths real captures rarely take (retransmissions, holes, reordering, cut headers, long idles) to
 * checks that compare two ways of analysing the same packets (test/protocols/add-raw.test.ts,
 * scripts/reconstruction-digest.mjs).
 */
import { mulberry32 } from './rng.mjs';

/**
 * `packets` are RawPacket-like objects whose `data` is their own copy, standing in for the reader's
 * buffer too (`buffer` = `data`, `bufferOffset` 0); the result renumbers the frames.
 */
export function disturb(packets, seed) {
  const next = mulberry32(seed);
  const out = [];
  for (let i = 0; i < packets.length; i++) {
    const r = next() % 100;
    const p = packets[i];
    if (r < 4) continue;
    if (r < 8) out.push(p, p);
    else if (r < 12 && i + 1 < packets.length) {
      out.push(packets[i + 1], p);
      i++;
    } else if (r < 15 && p.data.length > 40) {
      const data = p.data.slice(0, 34 + (next() % (p.data.length - 34)));
      out.push({ ...p, data, buffer: data, capturedLength: data.length });
    } else if (r < 18) out.push({ ...p, tsSec: p.tsSec + 1 + (next() % 3) });
    else out.push(p);
  }
  return out.map((p, k) => ({ ...p, frame: k + 1 }));
}
