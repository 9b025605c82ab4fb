/**
 * DirectionState.inOrder is a shortcut for the common case of DirectionState.analyze (a segment
 * without SYN, FIN or RST at next-expected): where it takes a segment it must leave exactly the
 * state analyze would, with no label, and where it declines it must change nothing.
 */
import { describe, expect, it } from 'vitest';
import { DirectionState, SegmentLabel } from '../../src/flow/analysis.js';

const SYN = 0x02, ACK = 0x10, FIN = 0x01, RST = 0x04, PSH = 0x08;

function snapshot(d: DirectionState): string {
  return JSON.stringify(d);
}

describe('DirectionState.inOrder agrees with analyze', () => {
  it('on 200 random conversations of 300 segments each', () => {
    let state = 99;
    const rnd = (n: number) => { state = (Math.imul(state, 1103515245) + 12345) >>> 0; return (state >>> 8) % n; };
    const flagChoices = [ACK, ACK, ACK | PSH, ACK | PSH, 0, SYN, SYN | ACK, FIN | ACK, RST, RST | ACK, ACK | FIN | PSH];
    let taken = 0;
    for (let conv = 0; conv < 200; conv++) {
      // Two pairs of directions fed the same segments: one through inOrder-then-analyze, one through analyze alone.
      const a = [new DirectionState(), new DirectionState()];
      const b = [new DirectionState(), new DirectionState()];
      const base = [rnd(2) ? 0xffff_ff00 + rnd(200) : rnd(1 << 30), rnd(1 << 30)];
      let t = rnd(1000) / 1000;
      for (let k = 0; k < 300; k++) {
        const dir = rnd(2);
        const fwd = a[dir];
        const flags = flagChoices[rnd(flagChoices.length)];
        const len = [0, 0, 1, 1, 100, 1448][rnd(6)];
        // Mostly at next-expected, sometimes around it (retransmissions, holes, keep-alives).
        const next = fwd.nextSeq < 2 ** 32 ? fwd.nextSeq : base[dir];
        const seq = (rnd(3) === 0 ? next + [-1448, -1, 1, 100, 1448][rnd(5)] : next) >>> 0;
        const other = a[dir ^ 1];
        const ack = (rnd(4) === 0 ? other.lastAck : (other.nextSeq < 2 ** 32 ? other.nextSeq : base[dir ^ 1]) + rnd(3)) >>> 0;
        const window = [0, 1000, 1000, 65535][rnd(4)];
        t += rnd(50) / 10000;
        const before = snapshot(fwd);
        const took = fwd.inOrder(flags, seq, ack, window, len, a[dir ^ 1].window, t);
        const la = took ? SegmentLabel.None : fwd.analyze(flags, seq, ack, window, len, a[dir ^ 1], t);
        if (took) taken++;
        else expect(snapshot(a[dir ^ 1])).toBe(snapshot(b[dir ^ 1]));
        const lb = b[dir].analyze(flags, seq, ack, window, len, b[dir ^ 1], t);
        expect(la, `conversation ${conv}, segment ${k}`).toBe(lb);
        expect(snapshot(fwd), `conversation ${conv}, segment ${k} (${took ? 'taken' : 'declined'}; before ${before})`).toBe(snapshot(b[dir]));
      }
    }
    expect(taken).toBeGreaterThan(10_000);
  });

  it('declines without a change what it does not take', () => {
    const d = new DirectionState();
    const rev = new DirectionState();
    d.analyze(ACK, 1000, 1, 500, 100, rev, 0.1);
    const before = snapshot(d);
    expect(d.inOrder(ACK | FIN, 1100, 1, 500, 0, rev.window, 0.2)).toBe(false);
    expect(d.inOrder(ACK, 1050, 1, 500, 100, rev.window, 0.2)).toBe(false); // a retransmission
    rev.window = 0;
    expect(d.inOrder(ACK, 1100, 1, 500, 1, rev.window, 0.2)).toBe(false); // a zero-window probe
    expect(snapshot(d)).toBe(before);
    expect(d.inOrder(ACK, 1100, 1, 500, 50, rev.window, 0.3)).toBe(true);
    expect(d.nextSeq).toBe(1150);
    expect(d.newBytes).toBe(50);
  });
});
