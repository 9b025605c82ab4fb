/**
 * What must not change when a capture is redacted: every report field the diagnosis is made of
 * (verdict, findings, DNS transactions, connections with their TLS/HTTP/CONNECT records,
 * anomalies, fetches). Only `inputs` (file name, size) and the generator line may differ.
 */
import type { Report } from '../../src/report/schema.js';

export function diagnosis(r: Report): Record<string, unknown> {
  const x = JSON.parse(JSON.stringify(r)) as Record<string, unknown>;
  delete x.inputs;
  delete x.generator;
  return x;
}

/** Paths where two reports' diagnoses differ ('' when they are the same). */
export function differences(a: Report, b: Report, max = 10): string[] {
  const out: string[] = [];
  const walk = (x: unknown, y: unknown, path: string): void => {
    if (out.length >= max) return;
    if (JSON.stringify(x) === JSON.stringify(y)) return;
    if (x && y && typeof x === 'object' && typeof y === 'object') {
      for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) walk((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], `${path}.${k}`);
      return;
    }
    out.push(`${path}: ${JSON.stringify(x)?.slice(0, 120)} ≠ ${JSON.stringify(y)?.slice(0, 120)}`);
  };
  walk(diagnosis(a), diagnosis(b), '');
  return out;
}

/** Does `hay` contain `needle` anywhere? */
export function containsBytes(hay: Uint8Array, needle: Uint8Array | string): boolean {
  const n = typeof needle === 'string' ? Buffer.from(needle, 'latin1') : Buffer.from(needle);
  return Buffer.from(hay.buffer, hay.byteOffset, hay.length).indexOf(n) >= 0;
}
