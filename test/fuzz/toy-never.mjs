/** A toy async fuzz target whose promise never settles on inputs starting with 0x7f (harness.test.ts). */
export const cover = ['toy-never'];
export const maxLen = 8;
export const seeds = () => [new Uint8Array(4)];
export async function run(b) {
  if (b[0] === 0x7f) await new Promise(() => {});
}
