/**
 * Byte-level mutations in the spirit of AFL/libFuzzer: bit flips, "interesting" values, arithmetic,
 * chunk insert/delete/duplicate/overwrite, splicing two corpus entries, target dictionary tokens,
 * and overwriting a would-be length field with a distance that is plausible for this input.
 * Every mutation returns a new array; inputs are never modified in place.
 */

const INTERESTING_8 = [0, 1, 0x7f, 0x80, 0xff, 0x10, 0x20, 0x40, 0x0a, 0x0d, 0x2e, 0x3a, 0xc0];
const INTERESTING_32 = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe];

function setWord(b, at, width, value, littleEndian) {
  for (let i = 0; i < width; i++) {
    const shift = littleEndian ? i * 8 : (width - 1 - i) * 8;
    b[at + i] = Math.floor(value / 2 ** shift) & 0xff;
  }
}

function concat(...parts) {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** One mutation of `input` (may return a copy unchanged when the input is too short for it). */
export function mutateOnce(rng, input, ctx) {
  const b = input.slice();
  const n = b.length;
  const op = rng.below(14);
  switch (op) {
    case 0: // flip one bit
      if (n) b[rng.below(n)] ^= 1 << rng.below(8);
      return b;
    case 1: // interesting byte
      if (n) b[rng.below(n)] = rng.pick(INTERESTING_8);
      return b;
    case 2: { // interesting 16/32-bit word, either byte order
      const w = rng.oneIn(2) ? 2 : 4;
      if (n >= w) setWord(b, rng.below(n - w + 1), w, rng.pick(INTERESTING_32) % 2 ** (8 * w), rng.oneIn(2));
      return b;
    }
    case 3: // random byte
      if (n) b[rng.below(n)] = rng.below(256);
      return b;
    case 4: { // small add/subtract on a byte
      if (n) { const at = rng.below(n); b[at] = (b[at] + rng.below(35) - 17) & 0xff; }
      return b;
    }
    case 5: { // delete a chunk
      if (n < 2) return b;
      const at = rng.below(n);
      const len = 1 + rng.below(Math.min(n - at, rng.oneIn(4) ? n : 16));
      return concat(b.subarray(0, at), b.subarray(at + len));
    }
    case 6: { // insert random bytes, or one byte repeated
      const at = rng.below(n + 1);
      const len = 1 + rng.below(rng.oneIn(8) ? 512 : 16);
      const ins = new Uint8Array(len);
      if (rng.oneIn(2)) ins.fill(rng.pick(INTERESTING_8));
      else for (let i = 0; i < len; i++) ins[i] = rng.below(256);
      return concat(b.subarray(0, at), ins, b.subarray(at));
    }
    case 7: { // duplicate a chunk of the input somewhere else
      if (!n) return b;
      const from = rng.below(n);
      const len = 1 + rng.below(Math.min(n - from, 256));
      const at = rng.below(n + 1);
      return concat(b.subarray(0, at), b.slice(from, from + len), b.subarray(at));
    }
    case 8: { // overwrite a chunk with another part of the input
      if (n < 2) return b;
      const from = rng.below(n);
      const to = rng.below(n);
      const len = 1 + rng.below(Math.min(n - from, n - to, 64));
      b.set(input.subarray(from, from + len), to);
      return b;
    }
    case 9: { // splice with another corpus entry
      const other = ctx.corpus.length ? rng.pick(ctx.corpus) : null;
      if (!other || !other.length) return b;
      const cutA = rng.below(n + 1);
      const cutB = rng.below(other.length);
      return concat(b.subarray(0, cutA), other.subarray(cutB));
    }
    case 10: case 11: { // dictionary token: insert or overwrite
      const dict = ctx.dictionary;
      if (!dict || !dict.length) return b;
      const tok = rng.pick(dict);
      const at = rng.below(n + 1);
      if (op === 10 || at + tok.length > n) return concat(b.subarray(0, at), tok, b.subarray(at));
      b.set(tok, at);
      return b;
    }
    case 12: { // a length field: the distance from here (or a nearby point) to the end
      const w = rng.pick([1, 2, 4]);
      if (n < w) return b;
      const at = rng.below(n - w + 1);
      const rest = n - at - w;
      const value = Math.max(0, rest + rng.below(9) - 4 + (rng.oneIn(4) ? w : 0));
      setWord(b, at, w, value % 2 ** (8 * w), rng.oneIn(2));
      return b;
    }
    default: { // truncate
      if (n < 2) return b;
      return b.slice(0, rng.below(n));
    }
  }
}

/** A stack of 1..16 mutations, kept within maxLen bytes. */
export function mutate(rng, input, ctx) {
  let b = input;
  const k = 1 << rng.below(5);
  for (let i = 0; i < k; i++) b = mutateOnce(rng, b, ctx);
  if (b.length > ctx.maxLen) b = b.slice(0, ctx.maxLen);
  return b === input ? input.slice() : b;
}
