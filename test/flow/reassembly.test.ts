import { describe, expect, it } from 'vitest';
import { BufferBudget, StreamReassembler, type StreamSink } from '../../src/flow/reassembly.js';

class Collect implements StreamSink {
  bytes: number[] = [];
  gaps: number[] = [];
  frames: number[] = [];
  stopAfter = Infinity;
  data(b: Uint8Array, _t: number, frame: number): boolean {
    this.bytes.push(...b);
    this.frames.push(frame);
    return this.bytes.length < this.stopAfter;
  }
  gap(length: number): boolean {
    this.gaps.push(length);
    return true;
  }
}

const seg = (from: number, to: number) => Uint8Array.from({ length: to - from }, (_, i) => (from + i) & 0xff);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => (from + i) & 0xff);

describe('StreamReassembler', () => {
  it('delivers in order despite reordering and retransmission, each byte once', () => {
    const c = new Collect();
    const r = new StreamReassembler(c);
    r.start(1000);
    r.push(1010, seg(10, 20), 10, 0.2, 2);
    r.push(1020, seg(20, 30), 10, 0.3, 3);
    expect(c.bytes).toEqual([]);
    expect(r.buffered).toBe(20);
    r.push(1000, seg(0, 10), 10, 0.4, 4);
    r.push(1005, seg(5, 15), 10, 0.5, 5); // overlapping retransmission
    r.push(1030, seg(30, 35), 5, 0.6, 6);
    expect(c.bytes).toEqual(range(0, 35));
    expect(c.frames).toEqual([4, 2, 3, 6]);
    expect(r.buffered).toBe(0);
  });

  it('works across the sequence wrap', () => {
    const c = new Collect();
    const r = new StreamReassembler(c);
    const isn = 0xfffffffa;
    r.start(isn);
    r.push((isn + 6) >>> 0, seg(6, 12), 6, 0.1, 2);
    r.push(isn, seg(0, 6), 6, 0.2, 3);
    expect(c.bytes).toEqual(range(0, 12));
  });

  it('declares a gap when out-of-order data passes the bound, and keeps going', () => {
    const c = new Collect();
    const r = new StreamReassembler(c, 100);
    r.start(0);
    r.push(50, seg(50, 110), 60, 0.1, 1);
    expect(c.gaps).toEqual([]);
    r.push(110, seg(110, 170), 60, 0.2, 2); // 120 bytes held > 100
    expect(c.gaps).toEqual([50]);
    expect(c.bytes).toEqual(range(50, 170));
    expect(r.buffered).toBe(0);
  });

  it('reports bytes the snap length cut as a gap', () => {
    const c = new Collect();
    const r = new StreamReassembler(c);
    r.start(0);
    r.push(0, seg(0, 10), 100, 0.1, 1);
    r.push(100, seg(100, 110), 10, 0.2, 2);
    expect(c.bytes).toEqual([...range(0, 10), ...range(100, 110)]);
    expect(c.gaps).toEqual([90]);
  });

  it('stops and releases when the sink wants no more', () => {
    const c = new Collect();
    c.stopAfter = 5;
    const r = new StreamReassembler(c);
    r.start(0);
    r.push(20, seg(20, 30), 10, 0.1, 1);
    r.push(0, seg(0, 10), 10, 0.2, 2);
    expect(r.isActive).toBe(false);
    expect(r.buffered).toBe(0);
    r.push(10, seg(10, 20), 10, 0.3, 3);
    expect(c.bytes).toEqual(range(0, 10));
  });

  it('flush delivers what is held across holes', () => {
    const c = new Collect();
    const r = new StreamReassembler(c);
    r.start(0);
    r.push(10, seg(10, 20), 10, 0.1, 1);
    r.push(30, seg(30, 40), 10, 0.1, 2);
    r.flush();
    expect(c.gaps).toEqual([10, 10]);
    expect(c.bytes).toEqual([...range(10, 20), ...range(30, 40)]);
  });

  it('streams sharing a budget hold no more than it together', () => {
    const budget = new BufferBudget(150);
    const a = new Collect();
    const b = new Collect();
    const ra = new StreamReassembler(a, 1 << 20, budget);
    const rb = new StreamReassembler(b, 1 << 20, budget);
    ra.start(0);
    rb.start(0);
    ra.push(10, seg(10, 110), 100, 0.1, 1);
    expect(budget.used).toBe(100);
    rb.push(10, seg(10, 110), 100, 0.2, 2); // 200 > 150: b gives up on its hole
    expect(b.gaps).toEqual([10]);
    expect(budget.used).toBe(100);
    ra.release();
    expect(budget.used).toBe(0);
  });
});
