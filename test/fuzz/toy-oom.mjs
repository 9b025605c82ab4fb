/** A toy fuzz target that keeps allocating on inputs starting with 0x80 (harness.test.ts, memory bound). */
export const cover = ['toy-oom'];
export const maxLen = 8;
export const seeds = () => [new Uint8Array(4)];
export function run(b) {
  if (b[0] !== 0x80) return;
  const keep = [];
  for (;;) keep.push(new Array(1 << 16).fill(keep.length));
}
