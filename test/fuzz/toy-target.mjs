/**
 * A toy fuzz target with a planted bug behind nested magic-byte checks (bytes ff 80 7f 0a at offset 1,
 * values the mutator likes): unguided mutation of the seed practically never gets all four right
 * at once (well under 1 in 10^9 per try); coverage guidance keeps each partial match and gets
 * there level by level. A second
 * planted bug ("HANG" at 0) loops forever, for the hang detector. Used by harness.test.ts only.
 */
export const cover = ['toy-target'];
export const maxLen = 8;

export function seeds() {
  return [new Uint8Array(8)];
}

export function expected(err) {
  return err instanceof RangeError;
}

export function run(b) {
  if (b.length === 0) throw new RangeError('empty input'); // documented: not a crash
  if (process.env.TOY_HANG === '1' && b[0] === 0x48 && b[1] === 0x41 && b[2] === 0x4e && b[3] === 0x47) {
    for (;;) { /* planted hang */ }
  }
  if (b[1] === 0xff) {
    if (b[2] === 0x80) {
      if (b[3] === 0x7f) {
        if (b[4] === 0x0a) throw new Error('planted bug reached');
      }
    }
  }
}
