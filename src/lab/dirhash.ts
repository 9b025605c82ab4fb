/**
 * Go's dirhash "h1:" hash, as written in go.sum: SHA-256 over a summary made of one line per file,
 * `<hex sha256 of the file>  <name>\n`, files sorted by name (byte order); base64 of that digest.
 * For a module zip the names carry the `module@version/` prefix; for the go.mod line the single
 * name is `go.mod`.
 */
import { createHash } from 'node:crypto';

export interface HashedFile {
  name: string;
  data: Uint8Array;
}

export function hash1(files: HashedFile[]): string {
  const sorted = [...files].sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
  const summary = createHash('sha256');
  for (const f of sorted) {
    if (f.name.includes('\n')) throw new Error(`dirhash: file name contains a newline: ${JSON.stringify(f.name)}`);
    const sum = createHash('sha256').update(f.data).digest('hex');
    summary.update(`${sum}  ${f.name}\n`);
  }
  return 'h1:' + summary.digest('base64');
}
