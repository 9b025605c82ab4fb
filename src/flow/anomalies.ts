import type { AnomalyRecord } from '../report/schema.js';

/**
 * Collects named anomalies (Zeek "weirds") without letting a hostile capture grow them without
 * bound: at most `perName` records are kept for each name; the rest are counted and summarised by
 * one extra record per name at the end.
 */
export class AnomalySink {
  private readonly records: AnomalyRecord[] = [];
  private readonly counts = new Map<string, number>();

  constructor(private readonly perName = 50) {}

  add(name: string, t: number | null, frame: number, detail?: string): void {
    const n = (this.counts.get(name) ?? 0) + 1;
    this.counts.set(name, n);
    if (n > this.perName) return;
    const rec: AnomalyRecord = { name, t, ref: `frame ${frame}` };
    if (detail !== undefined) rec.detail = detail.length > 200 ? `${detail.slice(0, 200)}…` : detail;
    this.records.push(rec);
  }

  /** How many times `name` was reported (including the ones not kept). */
  count(name: string): number {
    return this.counts.get(name) ?? 0;
  }

  finish(): AnomalyRecord[] {
    const out = this.records.slice();
    for (const [name, n] of this.counts) {
      if (n > this.perName) {
        out.push({ name, t: null, ref: 'summary', detail: `${n - this.perName} more not listed (${n} in all)` });
      }
    }
    return out;
  }
}
