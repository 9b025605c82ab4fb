/**
 * `go mod download -json` objects in go's output. go prints each module as an indented object
 * (`{` alone on a line, fields, `}` alone on a line); single-line objects are accepted too. An
 * object larger than MAX_OBJECT_BYTES or one that does not parse is dropped with a warning.
 */

export const MAX_OBJECT_BYTES = 1024 * 1024;

export interface GoJsonModule {
  path: string | null;
  version: string | null;
  error: string | null;
  /** Line (1-based) where the object started. */
  line: number;
  /** Time of its first line when the log is timed. */
  time: number | null;
}

export type JsonFeed =
  | { kind: 'none' }
  | { kind: 'pending' }
  | { kind: 'object'; module: GoJsonModule }
  | { kind: 'bad'; line: number; reason: string };

export class JsonCollector {
  private buf: string[] | null = null;
  private bytes = 0;
  private startLine = 0;
  private startTime: number | null = null;
  private oversized = false;

  get open(): boolean { return this.buf !== null; }

  /** Offer a line; says whether it was part of a JSON object and what completed. */
  feed(text: string, line: number, time: number | null): JsonFeed {
    if (this.buf === null) {
      const t = text.trim();
      if (t === '{') { this.begin(line, time); this.buf!.push(text); this.bytes = text.length; return { kind: 'pending' }; }
      if (t.startsWith('{') && t.endsWith('}') && t.includes('"')) {
        return toModule(t, line, time);
      }
      return { kind: 'none' };
    }
    this.bytes += text.length + 1;
    if (this.bytes > MAX_OBJECT_BYTES) this.oversized = true;
    else this.buf.push(text);
    if (text.trimEnd() === '}' && !/^\s/.test(text)) {
      const lines = this.buf;
      const start = this.startLine;
      const t0 = this.startTime;
      const over = this.oversized;
      this.buf = null;
      this.oversized = false;
      if (over) return { kind: 'bad', line: start, reason: `-json object larger than ${MAX_OBJECT_BYTES} bytes skipped` };
      return toModule(lines.join('\n'), start, t0);
    }
    return { kind: 'pending' };
  }

  /** End of log inside an object. */
  finish(): JsonFeed {
    if (this.buf === null) return { kind: 'none' };
    const start = this.startLine;
    this.buf = null;
    return { kind: 'bad', line: start, reason: '-json object not closed at the end of the log' };
  }

  private begin(line: number, time: number | null): void {
    this.buf = [];
    this.startLine = line;
    this.startTime = time;
    this.oversized = false;
  }
}

function toModule(text: string, line: number, time: number | null): JsonFeed {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return { kind: 'bad', line, reason: `-json object does not parse (${(e as Error).message.slice(0, 80)})` };
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return { kind: 'bad', line, reason: '-json value is not an object' };
  const o = v as Record<string, unknown>;
  const str = (x: unknown): string | null => (typeof x === 'string' ? x : null);
  // `go list -json` nests the error: {"Error": {"Err": "..."}}.
  let error = str(o.Error);
  if (error === null && o.Error && typeof o.Error === 'object') error = str((o.Error as Record<string, unknown>).Err);
  return { kind: 'object', module: { path: str(o.Path), version: str(o.Version), error, line, time } };
}
