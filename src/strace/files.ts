/**
 * Which files make up a strace log: one file; a directory of `-ff` files (`name.PID`); or the
 * `-o` prefix of `-ff` output (`trace` → `trace.1234`, `trace.1240`, …).
 */
import { readdir, stat } from '../io/files.js';
import { basename, dirname, join } from 'node:path';

export interface StraceFile {
  path: string;
  /** From the `.PID` suffix of `-ff` files. */
  pid: number | null;
}

export async function straceFiles(path: string): Promise<StraceFile[]> {
  let st;
  try {
    st = await stat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const dir = dirname(path);
    const prefix = basename(path) + '.';
    let names: string[] = [];
    try { names = await readdir(dir); } catch { throw err; }
    const found = names.filter((n) => n.startsWith(prefix) && /^\d+$/.test(n.slice(prefix.length)));
    if (found.length === 0) throw err;
    return sortByPid(found.map((n) => ({ path: join(dir, n), pid: Number(n.slice(prefix.length)) })));
  }
  if (!st.isDirectory()) return [{ path, pid: null }];
  const names = await readdir(path);
  const out: StraceFile[] = [];
  for (const n of names) {
    const m = /\.(\d+)$/.exec(n);
    if (!m) continue;
    const s = await stat(join(path, n));
    if (s.isFile()) out.push({ path: join(path, n), pid: Number(m[1]) });
  }
  if (out.length === 0) {
    const e = new Error(`${path}: is a directory with no strace -ff files (name.PID)`);
    e.name = 'InputError';
    throw e;
  }
  return sortByPid(out);
}

function sortByPid(files: StraceFile[]): StraceFile[] {
  return files.sort((a, b) => (a.pid ?? 0) - (b.pid ?? 0));
}
