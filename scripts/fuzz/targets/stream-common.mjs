/** Feeds a chunk-format input (see frames.mjs `chunks`) to a pair of stream sinks, as reassembly would. */
import { readChunks } from '../frames.mjs';

export function feed(b, sinks) {
  let t = 0, frame = 1;
  const stopped = [false, false];
  for (const c of readChunks(b)) {
    const i = c.server ? 1 : 0;
    const sink = c.server ? sinks.server : sinks.client;
    t += 0.001;
    frame++;
    if (c.kind === 'end') { sink.end?.(t); continue; }
    if (stopped[i]) continue; // a sink that said "no more" is not fed again (reassembly stops too)
    const more = c.kind === 'gap' ? sink.gap(c.length, t, frame) : sink.data(c.data, t, frame);
    if (typeof more !== 'boolean') throw new Error(`invariant: sink returned ${String(more)}, not a boolean`);
    if (!more) stopped[i] = true;
  }
}
