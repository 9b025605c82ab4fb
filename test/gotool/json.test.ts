import { describe, it, expect } from 'vitest';
import { JsonCollector, MAX_OBJECT_BYTES } from '../../src/gotool/json.js';

describe('JsonCollector', () => {
  it('an indented object with a nested one (newer go: "Origin")', () => {
    const c = new JsonCollector();
    const lines = ['{', '\t"Path": "a.io/b",', '\t"Version": "v1.0.0",', '\t"Origin": {', '\t\t"VCS": "git"', '\t},', '\t"Error": "x: 404 Not Found"', '}'];
    const out = lines.map((l, i) => c.feed(l, i + 1, 5));
    expect(out.slice(0, -1).every((o) => o.kind === 'pending')).toBe(true);
    expect(out.at(-1)).toEqual({ kind: 'object', module: { path: 'a.io/b', version: 'v1.0.0', error: 'x: 404 Not Found', line: 1, time: 5 } });
    expect(c.open).toBe(false);
  });
  it('one-line objects, `go list -json` nested errors, non-JSON lines', () => {
    const c = new JsonCollector();
    expect(c.feed('{"Path":"a","Error":{"Err":"boom"}}', 3, null)).toEqual({ kind: 'object', module: { path: 'a', version: null, error: 'boom', line: 3, time: null } });
    expect(c.feed('# get https://x', 4, null)).toEqual({ kind: 'none' });
    expect(c.feed('{}', 5, null)).toEqual({ kind: 'none' });
  });
  it('broken, oversized and unclosed objects are reported, not thrown', () => {
    const c = new JsonCollector();
    c.feed('{', 1, null);
    c.feed('\t"Path": oops', 2, null);
    expect(c.feed('}', 3, null)).toMatchObject({ kind: 'bad', line: 1 });
    c.feed('{', 4, null);
    const big = '\t"X": "' + 'y'.repeat(64 * 1024) + '",';
    for (let i = 0; i < (MAX_OBJECT_BYTES / big.length) + 2; i++) c.feed(big, 5 + i, null);
    expect(c.feed('}', 99, null)).toEqual({ kind: 'bad', line: 4, reason: `-json object larger than ${MAX_OBJECT_BYTES} bytes skipped` });
    c.feed('{', 100, null);
    expect(c.finish()).toEqual({ kind: 'bad', line: 100, reason: '-json object not closed at the end of the log' });
  });
});
