/**
 * `--format json` in pieces: the same text as renderJson (report/json.ts) — byte for byte — but
 * produced one record at a time, so a report with tens of thousands of connections never exists
 * as one 20+ MB string (and then again as bytes) in memory. Each top-level array is split into its
 * items; everything else is stringified whole. Pieces are joined up to about `chunkChars`.
 */
import type { Report } from './schema.js';

/** JSON.stringify at a nesting depth: the same text as inside a document indented by 2. */
function nested(v: unknown, depth: number): string | undefined {
  // (Non-finite numbers come out as null, as in renderJson.)
  const s = JSON.stringify(v, null, 2) as string | undefined;
  return s === undefined ? undefined : s.replaceAll('\n', `\n${'  '.repeat(depth)}`);
}

export function* renderJsonChunks(report: Report, chunkChars = 1 << 20): Generator<string> {
  let buf = '{';
  let first = true;
  const root = report as unknown as Record<string, unknown>;
  for (const key of Object.keys(root)) {
    let v = root[key];
    if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
      v = (v as { toJSON: (k: string) => unknown }).toJSON(key);
    }
    if (Array.isArray(v) && v.length > 0) {
      buf += `${first ? '' : ','}\n  ${JSON.stringify(key)}: [`;
      first = false;
      for (let i = 0; i < v.length; i++) {
        buf += `${i === 0 ? '' : ','}\n    ${nested(v[i], 2) ?? 'null'}`;
        if (buf.length >= chunkChars) { yield buf; buf = ''; }
      }
      buf += '\n  ]';
      continue;
    }
    const s = nested(v, 1);
    if (s === undefined) continue; // undefined, functions and symbols are left out, as JSON.stringify does
    buf += `${first ? '' : ','}\n  ${JSON.stringify(key)}: ${s}`;
    first = false;
    if (buf.length >= chunkChars) { yield buf; buf = ''; }
  }
  buf += first ? '}\n' : '\n}\n';
  yield buf;
}
