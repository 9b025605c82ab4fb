/** A toy fuzz target that never returns on inputs starting with 0xff (harness.test.ts, hang detection). */
export const cover = ['toy-hang'];
export const maxLen = 8;
export const seeds = () => [new Uint8Array(4)];
export function run(b) {
  if (b[0] === 0xff) for (;;) { /* planted hang */ }
}
