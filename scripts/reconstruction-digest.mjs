#!/usr/bin/env node
/**
 * A digest of what the reconstruction makes of each capture: the ConversationBuilder's records
 * (DNS transactions, connections with TLS/HTTP/CONNECT, anomalies, counts) as JSON, hashed, one line
 * per input. A change that should not change any result (a speed-up, a refactoring) must leave every
 * line as it was:
 *
 *   node scripts/reconstruction-digest.mjs > /tmp/before.txt     # on the old build
 *   node scripts/reconstruction-digest.mjs | diff /tmp/before.txt -   # on the new one
 *
 * Inputs: every capture in ../shared/corpus/pcaps (when present), samples/*\/capture.pcap, and the
 * bench captures in bench/data/ (when generated), plus any paths given as arguments. Reads the
 * library bundle (dist/bundle/index.js, or the one in DIGEST_BUNDLE: a copy of an older build's
 * dist/bundle/): run `npm run build` first. A capture the reader refuses is listed with its error,
 * so a change in what is refused shows too.
 *
 * Each capture is fed twice: as the analysis feeds it (ConversationBuilder.addRaw, with its fast
 * lane), and through the full decoder into add() (line marked `add`). Each capture under 8 MB is
 * fed a third time as a disturbed copy (line marked `disturbed`): with a seeded generator, packets are dropped,
 * repeated, swapped with the next one, cut short and delayed, so that the paths real captures
 * rarely take (retransmissions, holes, reordering, snap-length cuts, port reuse) are compared too.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { disturb } from './lib/disturb.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BUNDLE = process.env.DIGEST_BUNDLE ?? join(ROOT, 'dist', 'bundle');
const { readCapture, PacketDecoder, ConversationBuilder } = await import(join(BUNDLE, 'index.js'));
const { Defragmenter } = await import(join(ROOT, 'dist', 'decode', 'defrag.js'));

/**
 * What the analysis does with each packet (timeline/analyze.ts): ConversationBuilder.addRaw, or on
 * a build from before it existed, the same steps by hand (decode, IP reassembly, add).
 */
function analysisFeed(builder) {
  if (builder.addRaw) return builder.addRaw;
  const decoder = new PacketDecoder();
  const defrag = new Defragmenter();
  return (raw) => {
    const p = defrag.push(decoder.decode(raw));
    if (p) builder.add(p);
  };
}

function filesIn(dir, pick) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).sort().filter(pick).map((f) => join(dir, f));
}

const inputs = [
  ...filesIn(join(ROOT, '..', 'shared', 'corpus', 'pcaps'), () => true),
  ...filesIn(join(ROOT, 'samples'), (d) => existsSync(join(ROOT, 'samples', d, 'capture.pcap'))).map((d) => join(d, 'capture.pcap')),
  ...filesIn(join(ROOT, 'bench', 'data'), (f) => /\.pcap(ng)?$/.test(f)),
  ...process.argv.slice(2),
];

const digest = (text) => `${createHash('sha256').update(text).digest('hex').slice(0, 16)} ${text.length}`;

/** Packets as they were read (own copies of their bytes, standing for the reader's buffer too), for the disturbed run. */
function keep(raw, list) {
  const data = raw.data.slice();
  list.push({ ...raw, data, buffer: data, bufferOffset: 0 });
}

for (const file of inputs) {
  const name = file.startsWith(ROOT) ? file.slice(ROOT.length + 1) : file;
  const small = statSync(file).size < 8 << 20;
  const packets = [];
  // Each input twice: the analysis's own feed (line 1), and the full decoder into add() (line 2).
  for (const [kind, feed] of [['', analysisFeed], [' add', decodeThenAdd]]) {
    const builder = new ConversationBuilder();
    const onPacket = feed(builder);
    let line;
    try {
      const summary = await readCapture(file, (raw) => {
        if (small && kind === '') keep(raw, packets);
        onPacket(raw);
      });
      line = digest(JSON.stringify({ summary: { ...summary, file: undefined }, conversations: builder.finish() }));
    } catch (err) {
      line = `error ${err && err.message ? err.message.replace(file, 'FILE') : String(err)}`;
    }
    console.log(`${line}  ${name}${kind}`);
  }
  if (!small || packets.length === 0) continue;
  const again = new ConversationBuilder();
  const onPacket = analysisFeed(again);
  for (const p of disturb(packets, 0x5eed)) onPacket(p);
  console.log(`${digest(JSON.stringify(again.finish()))}  ${name} disturbed`);
}

/** The full decoder straight into add(), no IP reassembly: the path tests and other callers use. */
function decodeThenAdd(builder) {
  const decoder = new PacketDecoder();
  return (raw) => builder.add(decoder.decode(raw));
}
