/**
 * Extra seeds from the team's capture corpus (../shared/corpus/pcaps beside the repository), read
 * at run time when it is there and never copied. Only files up to `maxBytes` are used; set
 * FUZZ_SHARED_CORPUS=0 to leave the corpus out (the tests do, for repeatable runs).
 */
import { readdir, readFile } from 'node:fs/promises';

const DIR = new URL('../../../shared/corpus/pcaps/', import.meta.url);

/** @param {'pcap'|'pcapng'|'any'} format */
export async function sharedCaptures(format, maxBytes) {
  if (process.env.FUZZ_SHARED_CORPUS === '0') return [];
  let names;
  try {
    names = (await readdir(DIR)).sort();
  } catch {
    return [];
  }
  const out = [];
  for (const n of names) {
    const b = new Uint8Array(await readFile(new URL(encodeURIComponent(n), DIR)));
    if (b.length > maxBytes || b.length < 4) continue;
    const ng = b[0] === 0x0a && b[1] === 0x0d && b[2] === 0x0d && b[3] === 0x0a;
    if (format === 'any' || (format === 'pcapng') === ng) out.push(b);
  }
  return out;
}
